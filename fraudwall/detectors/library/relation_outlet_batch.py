"""Numbers registered in the same outlet batch as numbers confirmed as fraud."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
from pydantic import Field

from fraudwall.detectors.base import Context, Detector, ramp, threshold
from fraudwall.detectors.base import Params as BaseParams
from fraudwall.detectors.library.relation_shared_device import (
    FRAUD_NUMBER_LABELS,
    confirmed_numbers,
)
from fraudwall.features.number_profile import number_view


class RelationOutletBatch(Detector):
    """Flags numbers registered at the same outlet, by the same agent where known, within a
    few hours of numbers confirmed as fraud (the ``labels`` table), when confirmed numbers make
    up a large share of that batch, and the number places calls that the people it calls do
    not return. Fraud rings open their cards in batches; a busy shop that once registered one
    bad number among a hundred good ones links nobody, and a genuine customer who walked in
    during the batch shows it by the social circle that calls back. The lead is on the number,
    so the scenario is ``fraud_caller``; cards of the batch still lying in a drawer are not
    callers yet, and the outlet itself is judged by the registration detectors."""

    name = "relation_outlet_batch"
    scenario = "fraud_caller"
    requires = ("subscribers", "labels", "calls")
    signal = "relation_registration"
    reason = (
        "registered at outlet {outlet_id} within {window_hours} h of {confirmed} confirmed "
        "fraud number(s), {confirmed_share:.0%} of the {batch} registrations around it "
        "(threshold {min_confirmed_share:.0%})"
    )

    class Params(BaseParams):
        labels: tuple[str, ...] = Field(
            FRAUD_NUMBER_LABELS, description="labels that confirm a number as fraud"
        )
        window_hours: float = threshold(
            3.0,
            "hours either side of a confirmed registration that make a batch",
            basis="absolute",
            gt=0,
        )
        min_confirmed_share: float = threshold(
            0.1,
            "share of the batch's registrations that are confirmed fraud",
            basis="relative",
            gt=0,
            le=1,
        )
        max_callback_share: float = threshold(
            0.1,
            "largest share of the number's callees who call it back (a social circle)",
            basis="absolute",
            ge=0,
            le=1,
        )
        full_score_confirmed: int = threshold(
            4,
            "confirmed numbers in the batch at which the score reaches 1",
            basis="absolute",
            ge=2,
        )

    def find(self, ctx: Context, p: Params) -> ir.Table:
        s = ctx.tables["subscribers"]
        s = s.filter(s.outlet_id.notnull() & (s.outlet_id != ""))
        regs = s.select("msisdn", "outlet_id", "agent_id", "activated_at")
        known = confirmed_numbers(ctx, p.labels)
        k = regs.semi_join(known, "msisdn").select(
            k_msisdn=regs.msisdn,
            k_outlet=regs.outlet_id,
            k_agent=regs.agent_id,
            k_at=regs.activated_at,
        )
        window = ibis.interval(seconds=int(p.window_hours * 3600))
        nc = number_view(ctx.features)
        callers = nc.filter(nc.calls_out > 0, nc.callback_share <= p.max_callback_share).select(
            msisdn="entity_id"
        )
        cand = regs.anti_join(known, "msisdn").semi_join(callers, "msisdn")
        near = cand.join(
            k,
            [
                cand.outlet_id == k.k_outlet,
                # Same agent where both are known: one clerk's batch, not the whole shop's day.
                k.k_agent.isnull() | cand.agent_id.isnull() | (cand.agent_id == k.k_agent),
                cand.activated_at.between(k.k_at - window, k.k_at + window),
            ],
        )
        per = near.group_by("msisdn", "outlet_id", "agent_id", "activated_at").agg(
            confirmed=near.k_msisdn.nunique()
        )
        # The batch around each linked number: every registration of the outlet (agent)
        # within the window, confirmed or not.
        o = regs.select(o_outlet=regs.outlet_id, o_agent=regs.agent_id, o_at=regs.activated_at)
        around = per.join(
            o,
            [
                per.outlet_id == o.o_outlet,
                o.o_agent.isnull() | per.agent_id.isnull() | (per.agent_id == o.o_agent),
                o.o_at.between(per.activated_at - window, per.activated_at + window),
            ],
        )
        per = around.group_by("msisdn", "outlet_id", "activated_at", "confirmed").agg(
            batch=ibis._.count()
        )
        per = per.mutate(confirmed_share=per.confirmed / per.batch)
        hit = per.filter(per.confirmed_share >= p.min_confirmed_share)
        return hit.select(
            entity_id=hit.msisdn,
            score=ramp(hit.confirmed, 1, p.full_score_confirmed)
            * ibis.least(hit.confirmed_share / (2 * p.min_confirmed_share) + 0.5, 1.0),
            first_seen=hit.activated_at,
            last_seen=hit.activated_at,
            outlet_id=hit.outlet_id,
            confirmed=hit.confirmed,
            batch=hit.batch,
            confirmed_share=hit.confirmed_share,
        )
