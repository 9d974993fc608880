"""Engaged victims: subscribers in long or repeated conversations with flagged fraud callers."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
from pydantic import Field

from fraudwall.detectors.base import Context, Detector, threshold
from fraudwall.detectors.base import Params as BaseParams
from fraudwall.detectors.library._grading import WEAK, grade, rise
from fraudwall.detectors.library._known_fraud import flagged_callers
from fraudwall.features.number_edges import call_edges


class VictimEngaged(Detector):
    """Flags subscribers who talk at length with numbers held to be fraud callers (flagged by
    ``fraud_caller``, ``simbox_sim`` or ``fraud_complaints``, or confirmed in ``labels``), over
    more than one call or followed within hours by a call to a bank's service number. Most
    people hang up on a fraud caller within seconds. Either sign alone is watch-list material:
    one long call may be a curious listener who happens to phone the bank that day, and a
    conversation without a bank call has not reached the money yet. Both together (the
    fraudster keeps the victim on the line over several calls, then the victim phones the
    bank) mean the transfer is imminent and a warning call can still stop it: only that
    reaches the medium risk level.
    """

    name = "victim_engaged"
    scenario = "victim"
    requires = ("calls", "subscribers")
    signal = "victim_conversation"
    reason = (
        "{talk_s} s of conversation (threshold {min_talk_s} s) in {answered_calls} answered "
        "call(s) with {fraud_callers} flagged fraud caller(s), up to {repeat_calls} with one "
        "(threshold {min_answered_calls}), longest {longest_s} s; {bank_calls} call(s) to a "
        "bank within {bank_window_hours} h"
    )

    class Params(BaseParams):
        min_talk_s: int = threshold(
            300, "talk time with flagged callers that counts as engaged", basis="absolute", ge=1
        )
        min_answered_calls: int = threshold(
            2,
            "answered calls with one flagged caller that count as a relationship",
            basis="absolute",
            ge=1,
        )
        full_score_talk_s: int = threshold(
            3600,
            "talk time at which the talk part of the score saturates",
            basis="absolute",
            ge=1,
        )
        bank_window_hours: int = threshold(
            6,
            "hours after a conversation within which a bank call counts",
            basis="absolute",
            ge=1,
        )
        bank_number_pattern: str = Field(
            r"^(\+?86)?955\d{2}$", description="regular expression of bank service numbers"
        )

    def find(self, ctx: Context, p: Params) -> ir.Table:
        flagged = flagged_callers(ctx)
        e = call_edges(ctx.tables["calls"])
        subs = ctx.tables["subscribers"].select(victim=ibis._.msisdn)
        # Calls either way between a flagged number and one of our other subscribers.
        out = e.join(flagged, e.caller == flagged.caller).select(
            victim=e.callee, caller=e.caller, started_at=e.started_at, duration_s=e.duration_s
        )
        back = e.join(flagged, e.callee == flagged.caller).select(
            victim=e.caller, caller=e.callee, started_at=e.started_at, duration_s=e.duration_s
        )
        talks = (
            out.union(back)
            .semi_join(subs, "victim")
            .anti_join(flagged.select(victim=flagged.caller), "victim")
        )
        answered = talks.duration_s > 0
        pairs = talks.group_by(["victim", "caller"]).agg(
            answered=answered.sum().cast("int64"),
            talk_s=talks.duration_s.sum().cast("int64"),
            longest_s=talks.duration_s.max().cast("int64"),
            t0=talks.started_at.min(where=answered),
            t1=talks.started_at.max(),
        )
        # Bank calls soon after a conversation with the caller: money is moving.
        bank = e.filter(e.callee.re_search(p.bank_number_pattern)).select(
            victim=e.caller, bank_at=e.started_at
        )
        window = ibis.interval(hours=p.bank_window_hours)
        soon = pairs.join(bank, "victim").filter(
            ibis._.bank_at >= ibis._.t0, ibis._.bank_at <= ibis._.t1 + window
        )
        banks = soon.group_by(["victim", "caller"]).agg(
            bank_calls=ibis._.count(), last_bank=soon.bank_at.max()
        )
        pairs = pairs.left_join(banks, ["victim", "caller"]).select(
            pairs, bank_calls=ibis._.bank_calls.fill_null(0), last_bank=ibis._.last_bank
        )
        # One long call may be a curious listener; coming back to the same caller, or phoning
        # the bank right after, is engagement. Single calls from several callers are chance.
        repeated = pairs.answered >= p.min_answered_calls
        engaged = pairs.filter(pairs.talk_s >= p.min_talk_s, repeated | (pairs.bank_calls > 0))
        engaged = engaged.mutate(
            urgent=(engaged.answered >= p.min_answered_calls) & (engaged.bank_calls > 0)
        )
        hit = engaged.group_by(entity_id=engaged.victim).agg(
            urgent=engaged.urgent.any(),
            fraud_callers=ibis._.count(),
            answered_calls=engaged.answered.sum().cast("int64"),
            repeat_calls=engaged.answered.max(),
            talk_s=engaged.talk_s.sum().cast("int64"),
            longest_s=engaged.longest_s.max(),
            bank_calls=engaged.bank_calls.sum().cast("int64"),
            first_seen=engaged.t0.min(),
            last_seen=ibis.greatest(engaged.t1, engaged.last_bank.fill_null(engaged.t1)).max(),
        )
        return hit.select(
            "entity_id",
            # A repeated conversation or a bank call alone is watch-list material; both with
            # the same caller are the moment to act, so only that reaches the medium level.
            score=ibis.ifelse(
                hit.urgent,
                grade(
                    rise(hit.talk_s, p.min_talk_s, p.full_score_talk_s),
                    rise(hit.repeat_calls, p.min_answered_calls, 3 * p.min_answered_calls),
                ),
                grade(
                    rise(hit.talk_s, p.min_talk_s, p.full_score_talk_s),
                    rise(hit.repeat_calls, p.min_answered_calls, 3 * p.min_answered_calls),
                    band=WEAK,
                ),
            ),
            first_seen=hit.first_seen,
            last_seen=hit.last_seen,
            fraud_callers=hit.fraud_callers,
            answered_calls=hit.answered_calls,
            repeat_calls=hit.repeat_calls,
            talk_s=hit.talk_s,
            longest_s=hit.longest_s,
            bank_calls=hit.bank_calls,
        )
