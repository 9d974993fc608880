"""Devices that travel together: the same cells in the same hours, cell after cell."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from fraudwall.detectors.base import Context, Detector, ramp, share, threshold
from fraudwall.detectors.base import Params as BaseParams


class CoMovingDevices(Detector):
    """Flags handsets that move through the same sequence of cells in the same hours as other
    handsets (a gang's phones, SIM-boxes driven around in a car: 流动窝点), all of them
    mostly calling out. Only devices that do move count (no single cell holds most of their
    cell-hours): phones sitting side by side in one room are a den's business, not this
    detector's. People who travel together exist (a family on holiday), so the flag needs a
    group of several devices sharing most of *both* devices' movements, and outbound-heavy
    traffic; crowded cell-hours (a stadium, a train) say nothing and are ignored.

    Scenario ``simbox``: the devices a gang drives around are its SIM-boxes and multi-card
    phones, and the lead names the device to seize; the cells they pass through are not a
    den."""

    name = "co_moving_devices"
    scenario = "simbox"
    requires = ("calls",)
    signal = "co_movement"
    reason = (
        "moved with {partners} other device(s) through {shared_cells} shared cells "
        "({overlap:.0%} of its cell-hours), {out_share:.0%} of its calls outbound "
        "(threshold {min_partners} devices, {min_shared_cells} cells)"
    )

    class Params(BaseParams):
        min_shared_cells: int = threshold(
            3, "distinct cells two devices share in the same hours", basis="absolute", ge=2
        )
        min_overlap: float = threshold(
            0.5,
            "share of each device's cell-hours spent with the other",
            basis="absolute",
            gt=0,
            le=1,
        )
        min_partners: int = threshold(
            2, "other devices moving with it (2 = a group of three)", basis="absolute", ge=1
        )
        max_main_cell_share: float = threshold(
            0.7,
            "largest share of a device's cell-hours in its main cell (more: it does not move)",
            basis="absolute",
            gt=0,
            le=1,
        )
        min_out_share: float = threshold(
            0.8, "share of the device's calls that are outbound", basis="absolute", ge=0, le=1
        )
        max_crowd: int = threshold(
            30,
            "devices in one cell-hour above which co-presence is ignored",
            basis="absolute",
            ge=2,
        )
        full_score_partners: int = threshold(
            5, "partners at which the score reaches 1", basis="absolute", ge=2
        )

    def find(self, ctx: Context, p: Params) -> ir.Table:
        obs = _presence(ctx)
        crowd = obs.group_by("cell", "slot").agg(devices=ibis._.count())
        # Every member of a dialling group dials out; leaving the rest out first also keeps
        # the pairing below small on a large network.
        dev = ctx.features["device_sims"]
        dev = dev.mutate(out_share=share(dev.calls_out, dev.calls_out + dev.calls_in))
        dev = dev.filter(dev.out_share >= p.min_out_share)
        obs = obs.semi_join(dev, obs.imei == dev.entity_id)
        per_cell = obs.group_by("imei", "cell").agg(n=ibis._.count())
        per_dev = per_cell.group_by("imei").agg(
            slots=per_cell.n.sum(), cells=ibis._.count(), top=per_cell.n.max()
        )
        moving = per_dev.filter(
            (per_dev.cells >= p.min_shared_cells)
            & (per_dev.top <= p.max_main_cell_share * per_dev.slots)
        )
        obs = obs.semi_join(moving, "imei")
        obs = obs.semi_join(crowd.filter(crowd.devices <= p.max_crowd), ["cell", "slot"])

        a = obs.select(a=obs.imei, cell=obs.cell, slot=obs.slot)
        b = obs.select(b=obs.imei, b_cell=obs.cell, b_slot=obs.slot)
        pairs = a.join(b, [a.cell == b.b_cell, a.slot == b.b_slot, a.a < b.b])
        pairs = pairs.group_by("a", "b").agg(
            shared_slots=ibis._.count(), shared_cells=pairs.cell.nunique()
        )
        sa = per_dev.select(a=per_dev.imei, a_slots=per_dev.slots)
        sb = per_dev.select(b=per_dev.imei, b_slots=per_dev.slots)
        pairs = pairs.join(sa, "a").join(sb, "b")
        # Overlap against the busier device: both must spend most of their time together.
        pairs = pairs.mutate(
            overlap=pairs.shared_slots / ibis.greatest(pairs.a_slots, pairs.b_slots)
        )
        pairs = pairs.filter(
            (pairs.shared_cells >= p.min_shared_cells) & (pairs.overlap >= p.min_overlap)
        )
        both = pairs.select(
            imei=pairs.a, partner=pairs.b, shared_cells=pairs.shared_cells, overlap=pairs.overlap
        ).union(
            pairs.select(
                imei=pairs.b,
                partner=pairs.a,
                shared_cells=pairs.shared_cells,
                overlap=pairs.overlap,
            )
        )
        per = both.group_by("imei").agg(
            partners=both.partner.nunique(),
            shared_cells=both.shared_cells.max(),
            overlap=both.overlap.max(),
        )
        j = per.join(dev, per.imei == dev.entity_id)
        hit = j.filter(j.partners >= p.min_partners)
        return hit.select(
            entity_id=hit.imei,
            score=ramp(hit.partners, p.min_partners, p.full_score_partners),
            first_seen=hit.first_seen,
            last_seen=hit.last_seen,
            partners=hit.partners,
            shared_cells=hit.shared_cells,
            overlap=hit.overlap,
            out_share=hit.out_share,
        )


def _presence(ctx: Context) -> ir.Table:
    """Distinct (device, cell, clock hour) sightings from calls and, if present, device events."""
    c = ctx.tables["calls"]
    obs = c.select(imei=c.imei, cell=c.cell_id, slot=c.started_at.truncate("h"))
    if ctx.has("device_events"):
        e = ctx.tables["device_events"]
        obs = obs.union(e.select(imei=e.imei, cell=e.cell_id, slot=e.at.truncate("h")))
    obs = obs.filter(obs.imei.notnull() & (obs.imei != "") & obs.cell.notnull())
    return obs.distinct()
