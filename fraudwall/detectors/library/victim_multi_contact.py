"""Worked subscribers: people several flagged fraud callers talked to before they phoned a bank."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from fraudwall.detectors.base import Context, Detector, threshold
from fraudwall.detectors.base import Params as BaseParams
from fraudwall.detectors.library._grading import WEAK, grade, rise
from fraudwall.detectors.library._known_fraud import flagged_callers
from fraudwall.detectors.library.victim_engaged import VictimEngaged
from fraudwall.features.number_edges import call_edges


class VictimMultiContact(Detector):
    """Flags subscribers who answered calls from several distinct numbers held to be fraud
    callers (flagged by ``fraud_caller``, ``simbox_sim`` or ``fraud_complaints``, or confirmed
    in ``labels``) within hours before they phoned a bank's service number. Fraud gangs pass a
    promising victim from one caller to the next (the "customer service", then the "police
    officer") until the money moves, all in one sitting. Where many fraud callers work, each
    reaches a share of the public at random, so being reached by several over the days is
    chance, and so is a bank call on one of those days: only the sequence counts, several
    callers and then the bank call within the window of ``victim_engaged`` (its bank numbers
    too). Even then it scores below the medium risk level."""

    name = "victim_multi_contact"
    scenario = "victim"
    requires = ("calls", "subscribers")
    signal = "victim_targeted"
    reason = (
        "talked for {min_call_s} s or more with {fraud_callers} distinct flagged fraud callers "
        "(threshold {min_fraud_callers}), {contacts} contacts in all; {bank_calls} call(s) to a "
        "bank within {window_hours} h after such talks"
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
        )
        per = per.filter(per.fraud_callers >= p.min_fraud_callers)
        # The sequence: every bank call counts only with the distinct callers talked to in the
        # hours before it. Two chance contacts days apart with a bank call between are no relay.
        window = ibis.interval(hours=money.bank_window_hours)
        talks = reached.filter(talked).semi_join(per, "victim")
        bank = e.filter(e.callee.re_search(money.bank_number_pattern))
        bank = bank.select(victim=bank.caller, bank_at=bank.started_at).semi_join(per, "victim")
        seq = talks.join(bank, "victim").filter(
            ibis._.started_at <= ibis._.bank_at, ibis._.started_at >= ibis._.bank_at - window
        )
        after = seq.group_by(["victim", "bank_at"]).agg(callers=seq.caller.nunique())
        after = after.filter(after.callers >= p.min_fraud_callers)
        banks = after.group_by("victim").agg(
            relay_callers=after.callers.max(),
            bank_calls=ibis._.count(),
            last_bank=after.bank_at.max(),
        )
        hit = per.join(banks, "victim")
        return hit.select(
            entity_id=hit.victim,
            score=grade(
                rise(hit.relay_callers, p.min_fraud_callers, p.full_score_callers), band=WEAK
            ),
            first_seen=hit.first_seen,
            last_seen=ibis.greatest(hit.last_seen, hit.last_bank),
            fraud_callers=hit.relay_callers,
            contacts=hit.contacts,
            bank_calls=hit.bank_calls,
            window_hours=ibis.literal(money.bank_window_hours, "int64"),
        )
