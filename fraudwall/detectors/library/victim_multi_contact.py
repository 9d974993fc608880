"""Worked subscribers: people several flagged fraud callers talked to before they phoned a bank."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from fraudwall.detectors.base import Context, Detector, threshold
from fraudwall.detectors.base import Params as BaseParams
from fraudwall.detectors.library._grading import WEAK, grade, rise
from fraudwall.detectors.library._known_fraud import flagged_callers
from fraudwall.detectors.library._money_step import bank_calls_between
from fraudwall.detectors.library.victim_engaged import VictimEngaged
from fraudwall.features.number_edges import call_edges


class VictimMultiContact(Detector):
    """Flags subscribers who answered calls from several distinct numbers held to be fraud
    callers (flagged by ``fraud_caller``, ``simbox_sim`` or ``fraud_complaints``, or confirmed
    in ``labels``) and then phoned a bank's service number within hours. Fraud gangs pass a
    promising victim from one caller to the next (the "customer service", then the "police
    officer") until the money moves. Where many fraud callers work, each reaches a share of
    the public at random, so being reached by several is chance on its own; it counts only
    followed by the bank call (window and bank numbers as ``victim_engaged``'s). Even then it
    scores below the medium risk level."""

    name = "victim_multi_contact"
    scenario = "victim"
    requires = ("calls", "subscribers")
    signal = "victim_targeted"
    reason = (
        "talked for {min_call_s} s or more with {fraud_callers} distinct flagged fraud callers "
        "(threshold {min_fraud_callers}), {contacts} contacts in all; then {bank_calls} call(s) "
        "to a bank"
    )

    class Params(BaseParams):
        min_fraud_callers: int = threshold(
            2,
            "distinct flagged callers whose calls a subscriber answered",
            basis="absolute",
            ge=2,
        )
        min_call_s: int = threshold(
            60,
            "talk time of a call that counts as answered (not hung up at once)",
            basis="absolute",
            ge=1,
        )
        full_score_callers: int = threshold(
            5, "distinct flagged callers at which the score reaches 1", basis="absolute", ge=2
        )

    def find(self, ctx: Context, p: Params) -> ir.Table:
        money = ctx.params(VictimEngaged)
        flagged = flagged_callers(ctx)
        e = call_edges(ctx.tables["calls"])
        subs = ctx.tables["subscribers"].select(victim=ibis._.msisdn)
        reached = e.join(flagged, e.caller == flagged.caller).select(
            victim=e.callee, caller=e.caller, started_at=e.started_at, duration_s=e.duration_s
        )
        reached = reached.semi_join(subs, "victim").anti_join(
            flagged.select(victim=flagged.caller), "victim"
        )
        talked = reached.duration_s >= p.min_call_s
        per = reached.group_by("victim").agg(
            fraud_callers=reached.caller.nunique(where=talked),
            contacts=ibis._.count(),
            first_seen=reached.started_at.min(),
            last_seen=reached.started_at.max(),
            t0=reached.started_at.min(where=talked),
            t1=reached.started_at.max(where=talked),
        )
        per = per.filter(per.fraud_callers >= p.min_fraud_callers)
        # The bank call must follow the talks: from the first until hours after the last.
        spans = per.select("victim", "t0", "t1", caller=ibis.literal(""))
        banks = bank_calls_between(e, spans, money.bank_number_pattern, money.bank_window_hours)
        hit = per.join(banks.drop("caller"), "victim")
        return hit.select(
            entity_id=hit.victim,
            score=grade(
                rise(hit.fraud_callers, p.min_fraud_callers, p.full_score_callers), band=WEAK
            ),
            first_seen=hit.first_seen,
            last_seen=ibis.greatest(hit.last_seen, hit.last_bank),
            fraud_callers=hit.fraud_callers,
            contacts=hit.contacts,
            bank_calls=hit.bank_calls,
        )
