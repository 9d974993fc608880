"""Repeated calls to people who do not answer and never call back."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from fraudwall.detectors.base import Context, Detector, threshold
from fraudwall.detectors.base import Params as BaseParams
from fraudwall.detectors.library._grading import grade, rise
from fraudwall.features.number_calls import SHORT_CALL_S
from fraudwall.features.number_edges import call_edges


class HarassmentRepeat(Detector):
    """Flags numbers (ours or another network's) that call the same person again and again
    although that person almost never takes the call, or hangs up at once, and never calls
    them back, with many of those failed calls on a single day. Family and friends who call
    often are answered or called back; someone trying a person who rarely answers anyone
    tries two or three times a day and gets a conversation now and then. A pest keeps
    redialling the same day and is rejected nearly every time."""

    name = "harassment_repeat"
    scenario = "harassment"
    requires = ("calls",)
    signal = "pestering"
    reason = (
        "{targets} person(s) called repeatedly without answer or call-back, up to {max_calls} "
        "calls to one (threshold {min_calls_to_one}), {fail_share:.0%} of them unanswered or "
        f"under {SHORT_CALL_S} s (threshold {{min_fail_share:.0%}}), up to {{max_failed_day}} "
        "failed calls to one person in a day (threshold {min_failed_in_day})"
    )

    class Params(BaseParams):
        min_calls_to_one: int = threshold(
            8, "calls to one person in the period that count as repeated", basis="absolute", ge=2
        )
        full_score_calls: int = threshold(
            30, "calls to one person at which the score reaches 1", basis="absolute", ge=2
        )
        min_fail_share: float = threshold(
            0.8, "least share of those calls unanswered or short", basis="absolute", ge=0, le=1
        )
        min_failed_in_day: int = threshold(
            6,
            "unanswered or short calls to one person within one day (a worried relative tries "
            "two or three times)",
            basis="absolute",
            ge=1,
        )

    def find(self, ctx: Context, p: Params) -> ir.Table:
        e = call_edges(ctx.tables["calls"])
        fail = (e.duration_s <= SHORT_CALL_S).cast("int64")
        daily = e.group_by(["caller", "callee", e.started_at.date().name("day")]).agg(
            calls=ibis._.count(),
            failed=fail.sum(),
            t0=e.started_at.min(),
            t1=e.started_at.max(),
        )
        pairs = daily.group_by(["caller", "callee"]).agg(
            calls=daily.calls.sum(),
            failed=daily.failed.sum(),
            max_failed_day=daily.failed.max(),
            t0=daily.t0.min(),
            t1=daily.t1.max(),
        )
        replied = e.select(caller=e.callee, callee=e.caller).distinct()
        targets = pairs.filter(
            pairs.calls >= p.min_calls_to_one,
            pairs.failed >= p.min_fail_share * pairs.calls,
            pairs.max_failed_day >= p.min_failed_in_day,
        ).anti_join(replied, ["caller", "callee"])
        hit = targets.group_by(entity_id=targets.caller).agg(
            targets=ibis._.count(),
            max_calls=targets.calls.max(),
            max_failed_day=targets.max_failed_day.max(),
            target_calls=targets.calls.sum(),
            target_failed=targets.failed.sum(),
            first_seen=targets.t0.min(),
            last_seen=targets.t1.max(),
        )
        hit = hit.mutate(fail_share=hit.target_failed / hit.target_calls.cast("float64"))
        return hit.select(
            "entity_id",
            score=grade(
                rise(hit.max_calls, p.min_calls_to_one, p.full_score_calls),
                rise(hit.fail_share, p.min_fail_share, 1.0),
            ),
            first_seen=hit.first_seen,
            last_seen=hit.last_seen,
            targets=hit.targets,
            max_calls=hit.max_calls,
            max_failed_day=hit.max_failed_day,
            target_calls=hit.target_calls,
            fail_share=hit.fail_share,
        )
