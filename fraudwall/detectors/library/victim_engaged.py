"""Engaged victims: conversations with flagged fraud callers that show the fraud sequence."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
from pydantic import Field

from fraudwall.detectors.base import Context, Detector, threshold
from fraudwall.detectors.base import Params as BaseParams
from fraudwall.detectors.library._grading import WEAK, grade, rise
from fraudwall.detectors.library._known_fraud import flagged_callers
from fraudwall.detectors.library._money_step import BANK_NUMBER_PATTERN, bank_calls_between
from fraudwall.features.number_edges import call_edges


class VictimEngaged(Detector):
    """Flags subscribers in a conversation with a number held to be a fraud caller (flagged by
    ``fraud_caller``, ``simbox_sim`` or ``fraud_complaints``, or confirmed in ``labels``) that
    shows at least two of three signs of the fraud sequence: the caller came back (several
    answered calls from it), the subscriber called it back, and the subscriber phoned a bank's
    service number within hours. Fraud callers reach a share of the public at random, so each
    sign alone turns up among people who merely listened: a caller redials a curious listener,
    a listener returns a missed call, and anyone may phone the bank that day. Two together are
    rare by chance and mark a relationship with the caller. Only when one of the two is the
    bank call (money is moving, and a warning call can still stop the transfer) does a lead
    reach the medium risk level; a relationship without it is watch-list material.
    """

    name = "victim_engaged"
    scenario = "victim"
    requires = ("calls", "subscribers")
    signal = "victim_conversation"
    reason = (
        "{talk_s} s of conversation (threshold {min_talk_s} s) with {fraud_callers} flagged "
        "fraud caller(s): up to {repeat_calls} answered call(s) from one (threshold "
        "{min_answered_calls}), {returned_calls} call(s) back to it, longest {longest_s} s; "
        "{bank_calls} call(s) to a bank within {bank_window_hours} h"
    )

    class Params(BaseParams):
        min_talk_s: int = threshold(
            300, "talk time with flagged callers that counts as engaged", basis="absolute", ge=1
        )
        min_answered_calls: int = threshold(
            2,
            "answered calls from one flagged caller that count as the caller coming back",
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
            BANK_NUMBER_PATTERN, description="regular expression of bank service numbers"
        )

    def find(self, ctx: Context, p: Params) -> ir.Table:
        flagged = flagged_callers(ctx)
        e = call_edges(ctx.tables["calls"])
        subs = ctx.tables["subscribers"].select(victim=ibis._.msisdn)
        # Calls either way between a flagged number and one of our other subscribers.
        out = e.join(flagged, e.caller == flagged.caller).select(
            victim=e.callee,
            caller=e.caller,
            started_at=e.started_at,
            duration_s=e.duration_s,
            back=ibis.literal(False),
        )
        back = e.join(flagged, e.callee == flagged.caller).select(
            victim=e.caller,
            caller=e.callee,
            started_at=e.started_at,
            duration_s=e.duration_s,
            back=ibis.literal(True),
        )
        talks = (
            out.union(back)
            .semi_join(subs, "victim")
            .anti_join(flagged.select(victim=flagged.caller), "victim")
        )
        answered = talks.duration_s > 0
        pairs = talks.group_by(["victim", "caller"]).agg(
            answered=answered.sum().cast("int64"),
            from_caller=(answered & ~talks.back).sum().cast("int64"),
            returned=(answered & talks.back).sum().cast("int64"),
            talk_s=talks.duration_s.sum().cast("int64"),
            longest_s=talks.duration_s.max().cast("int64"),
            t0=talks.started_at.min(where=answered),
            t1=talks.started_at.max(),
        )
        spans = pairs.select("victim", "caller", "t0", "t1")
        banks = bank_calls_between(e, spans, p.bank_number_pattern, p.bank_window_hours)
        pairs = pairs.left_join(banks, ["victim", "caller"]).select(
            pairs, bank_calls=ibis._.bank_calls.fill_null(0), last_bank=ibis._.last_bank
        )
        # Each sign alone is what chance listeners show; two of them mark a relationship.
        money = pairs.bank_calls > 0
        signs = (
            (pairs.from_caller >= p.min_answered_calls).cast("int8")
            + (pairs.returned > 0).cast("int8")
            + money.cast("int8")
        )
        engaged = pairs.filter(pairs.talk_s >= p.min_talk_s, signs >= 2)
        hit = engaged.group_by(entity_id=engaged.victim).agg(
            urgent=(engaged.bank_calls > 0).any(),
            fraud_callers=ibis._.count(),
            answered_calls=engaged.answered.sum().cast("int64"),
            repeat_calls=engaged.from_caller.max(),
            most_answered=engaged.answered.max(),
            returned_calls=engaged.returned.sum().cast("int64"),
            talk_s=engaged.talk_s.sum().cast("int64"),
            longest_s=engaged.longest_s.max(),
            bank_calls=engaged.bank_calls.sum().cast("int64"),
            first_seen=engaged.t0.min(),
            last_seen=ibis.greatest(engaged.t1, engaged.last_bank.fill_null(engaged.t1)).max(),
        )
        strength = (
            rise(hit.talk_s, p.min_talk_s, p.full_score_talk_s),
            rise(hit.most_answered, p.min_answered_calls, 3 * p.min_answered_calls),
        )
        return hit.select(
            "entity_id",
            # A relationship with the caller alone is watch-list material; with the bank call
            # it is the moment to act, so only that reaches the medium level.
            score=ibis.ifelse(hit.urgent, grade(*strength), grade(*strength, band=WEAK)),
            first_seen=hit.first_seen,
            last_seen=hit.last_seen,
            fraud_callers=hit.fraud_callers,
            answered_calls=hit.answered_calls,
            repeat_calls=hit.repeat_calls,
            returned_calls=hit.returned_calls,
            talk_s=hit.talk_s,
            longest_s=hit.longest_s,
            bank_calls=hit.bank_calls,
        )
