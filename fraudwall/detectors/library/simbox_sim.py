"""SIMs operated inside SIM-box devices."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from fraudwall.detectors.base import Context, Detector, threshold
from fraudwall.detectors.base import Params as BaseParams
from fraudwall.detectors.library.simbox_device import SimboxDevice
from fraudwall.features.number_devices import call_handsets


class SimboxSim(Detector):
    """Flags numbers whose calls mostly go through devices the ``simbox_device`` detector
    flags: a SIM that lives in a SIM-box is the box's working line. SIM banks move SIMs
    between gateways, so the share counts every flagged device the number used. The number
    inherits the strongest device's score, so the evidence is the device's (same signal)."""

    name = "simbox_sim"
    scenario = "simbox_sim"
    requires = ("calls",)
    signal = "simbox"
    reason = (
        "{device_share:.0%} of its calls go through {boxes} SIM-box device(s), the main one "
        "carrying {resident_sims} SIMs (threshold {min_device_share:.0%})"
    )

    class Params(BaseParams):
        min_device_share: float = threshold(
            0.5,
            "share of the number's calls that must go through flagged devices",
            basis="absolute",
            gt=0,
            le=1,
        )

    def find(self, ctx: Context, p: Params) -> ir.Table:
        boxes = flagged_devices(ctx).select(
            imei="entity_id", box_score="score", resident_sims="resident_sims"
        )
        pairs = call_handsets(ctx.tables)
        pairs = pairs.mutate(total=pairs.n.sum().over(group_by=pairs.msisdn))
        inbox = pairs.join(boxes, "imei")
        # The main box: most of the number's box calls, ties to the smaller IMEI.
        rank = ibis.row_number().over(
            group_by=inbox.msisdn, order_by=[ibis.desc(inbox.n), inbox.imei]
        )
        per = inbox.mutate(
            rank=rank,
            device_share=inbox.n.sum().over(group_by=inbox.msisdn) / inbox.total,
            boxes=inbox.imei.count().over(group_by=inbox.msisdn),
            score=inbox.box_score.max().over(group_by=inbox.msisdn),
            first=inbox.first_seen.min().over(group_by=inbox.msisdn),
            last=inbox.last_seen.max().over(group_by=inbox.msisdn),
        )
        hit = per.filter((per["rank"] == 0) & (per.device_share >= p.min_device_share))
        return hit.select(
            entity_id=hit.msisdn,
            score=hit.score,
            first_seen=hit.first,
            last_seen=hit.last,
            imei=hit.imei,
            device_share=hit.device_share,
            boxes=hit.boxes,
            resident_sims=hit.resident_sims,
        )


def hits_of(ctx: Context, cls: type[Detector]) -> ir.Table:
    """What another detector flags under the run's policy (its defaults without a policy)."""
    params = ctx.policy.params(cls.name) if ctx.policy is not None else cls.Params()
    return cls().find(ctx, params)


def flagged_devices(ctx: Context) -> ir.Table:
    """Devices the ``simbox_device`` detector flags under the run's policy."""
    return hits_of(ctx, SimboxDevice)
