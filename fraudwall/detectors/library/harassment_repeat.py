"""Repeated calls to people who do not answer this caller, and never call or text back."""

from __future__ import annotations

import math

import ibis
import ibis.expr.types as ir

from fraudwall.detectors.base import Context, Detector, threshold
from fraudwall.detectors.base import Params as BaseParams
from fraudwall.detectors.library._grading import grade, rise
from fraudwall.features.number_calls import SHORT_CALL_S
from fraudwall.features.number_edges import call_edges


class HarassmentRepeat(Detector):
    """Flags numbers (ours or another network's) that call the same person again and again
    although that person almost never takes the call, or hangs up at once, and never calls or
    texts them back, with many of those failed calls on a single day. Family and friends who
    call often are answered, called back or texted back; someone trying a person who rarely
    answers anyone tries two or three times a day and gets a conversation now and then. A pest
    keeps redialling the same day and is rejected nearly every time.
    The failures must also be the callee's answer to this caller, not the callee's habit: a
    person who leaves most calls from everyone unanswered makes any frequent caller look
    rejected. The callee's failure share on everybody else's calls (shrunk towards the
    network's share when the callee gets few other calls) gives the failures this caller would
    see anyway, and the pair counts only when that habit explains its failed calls with a
    chance below ``max_habit_chance`` (a Chernoff bound on the binomial tail)."""

    name = "harassment_repeat"
    scenario = "harassment"
    requires = ("calls",)
    signal = "pestering"
    reason = (
        "{targets} person(s) called repeatedly without answer, call-back or text-back, up to "
        "{max_calls} calls to one (threshold {min_calls_to_one}), {fail_share:.0%} of them "
        f"unanswered or under {SHORT_CALL_S} s (threshold {{min_fail_share:.0%}}), up to "
        "{max_failed_day} failed calls to one person in a day (threshold {min_failed_in_day}); "
        "the callee's answering of other callers explains that with a chance as low as "
        "10^{habit_log10:.1f} (threshold {max_habit_chance:.0e})"
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
        max_habit_chance: float = threshold(
            1e-3,
            "largest chance that the callee's failure share on other callers' calls explains "
            "this caller's failed calls (selective rejection, not a callee who answers nobody)",
            basis="relative",
            gt=0,
            lt=1,
        )
        prior_calls: float = threshold(
            10.0,
            "weight, in calls, of the network's failure share in a callee's own failure share "
            "(a callee with few other calls is judged mostly by the network's)",
            basis="absolute",
            ge=0,
        )

    def find(self, ctx: Context, p: Params) -> ir.Table:
        e = call_edges(ctx.tables["calls"])
        e = e.mutate(fail=(e.duration_s <= SHORT_CALL_S).cast("int64"))
        daily = e.group_by(["caller", "callee", e.started_at.date().name("day")]).agg(
            calls=ibis._.count(),
            failed=ibis._.fail.sum(),
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
        repeated = pairs.filter(
            pairs.calls >= p.min_calls_to_one,
            pairs.failed >= p.min_fail_share * pairs.calls,
            pairs.max_failed_day >= p.min_failed_in_day,
        ).anti_join(_replies(ctx, e), ["caller", "callee"])
        targets = _beyond_habit(e, repeated, p)
        hit = targets.group_by(entity_id=targets.caller).agg(
            targets=ibis._.count(),
            max_calls=targets.calls.max(),
            max_failed_day=targets.max_failed_day.max(),
            target_calls=targets.calls.sum(),
            target_failed=targets.failed.sum(),
            habit_log10=targets.habit_log10.min(),
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
            habit_log10=hit.habit_log10,
        )


def _replies(ctx: Context, e: ir.Table) -> ir.Table:
    """``caller, callee`` pairs the callee answered in kind: a call or a text back."""
    back = e.select(caller=e.callee, callee=e.caller)
    if not ctx.has("sms"):
        return back.distinct()
    s = ctx.tables["sms"]
    # A text from the callee to the caller, whichever leg recorded it.
    mo = s.filter(s.direction == "MO")
    mt = s.filter(s.direction == "MT")
    texted = mo.select(caller=mo.other_party, callee=mo.msisdn).union(
        mt.select(caller=mt.msisdn, callee=mt.other_party)
    )
    return back.union(texted, distinct=True)


def _beyond_habit(e: ir.Table, pairs: ir.Table, p: HarassmentRepeat.Params) -> ir.Table:
    """``pairs`` whose failed calls the callee's own answering habit does not explain.

    The habit is the callee's failure share on calls from everyone else, with ``prior_calls``
    pseudo-calls at the network's share. The chance of at least ``failed`` failures in
    ``calls`` calls at that share is bounded by ``exp(-calls * KL(failed/calls || habit))``
    (Chernoff), which needs no binomial function in the engine.
    """
    into = e.group_by("callee").agg(in_calls=ibis._.count(), in_failed=ibis._.fail.sum())
    network = e.aggregate(net_share=e.fail.mean())
    j = pairs.join(into, "callee").cross_join(network)
    other_calls = (j.in_calls - j.calls).cast("float64")
    other_failed = (j.in_failed - j.failed).cast("float64")
    habit = (other_failed + p.prior_calls * j.net_share) / (other_calls + p.prior_calls)
    eps = ibis.literal(1e-9)
    habit = ibis.least(ibis.greatest(habit, eps), 1 - eps)
    share = j.failed.cast("float64") / j.calls.cast("float64")
    q = ibis.least(ibis.greatest(share, eps), 1 - eps)
    kl = q * (q / habit).ln() + (1 - q) * ((1 - q) / (1 - habit)).ln()
    log_chance = ibis.ifelse(share > habit, -j.calls.cast("float64") * kl, 0.0)
    # log10 of the chance: the chance itself underflows any rounding of the evidence.
    j = j.mutate(habit_log10=log_chance / math.log(10))
    keep = j.filter(log_chance <= math.log(p.max_habit_chance))
    return keep.select(
        "caller", "callee", "calls", "failed", "max_failed_day", "t0", "t1", "habit_log10"
    )
