"""Power cycling: devices switched off and on, or detached and re-attached, many times a day."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from fraudwall.detectors.base import Context, Detector, ramp, threshold
from fraudwall.detectors.base import Params as BaseParams


class PowerCycling(Detector):
    """Flags devices (IMEI) that leave and re-join the network (power off/on, detach/attach)
    many times more often per active day than the population's median device, with several
    SIMs taking turns. A SIM-box restarts a port for every SIM it rotates in; a phone goes
    off at night, and a faulty one restarts with the same SIM. The cycling is counted on the
    device, where it piles up, rather than on each SIM, which a large box rotates through
    only once or twice a day. IoT cards, which sleep and wake by design, are left out when
    subscribers tell their type."""

    name = "power_cycling"
    scenario = "simbox"
    requires = ("device_events",)
    signal = "power_cycling"
    reason = (
        "{cycles_per_day:.0f} off/on cycles a day over {days} day(s) with {sims_cycled} SIMs "
        "taking turns ({cycle_multiple:.0f}x the median device; threshold "
        "{min_cycle_multiple}x, {min_cycles_per_day} a day, {min_sims} SIMs)"
    )

    class Params(BaseParams):
        min_cycle_multiple: float = threshold(
            5.0,
            "off/on cycles per active day as a multiple of the population's median device",
            basis="relative",
            gt=1,
        )
        min_cycles_per_day: float = threshold(
            4.0,
            "floor on cycles per day, so a quiet population does not make a phone switched off "
            "at night look busy",
            basis="absolute",
            gt=0,
        )
        min_sims: int = threshold(
            2,
            "distinct SIMs cycled on the device (one SIM is a faulty phone)",
            basis="absolute",
            ge=1,
        )
        full_score_multiple: float = threshold(
            20.0, "multiple of the median at which the score reaches 1", basis="relative", gt=1
        )

    def find(self, ctx: Context, p: Params) -> ir.Table:
        e = ctx.tables["device_events"]
        e = e.filter(e.imei.notnull() & (e.imei != ""))
        if ctx.has("subscribers"):
            s = ctx.tables["subscribers"]
            e = e.anti_join(s.filter(s.holder_type == "iot"), "msisdn")
        off = e.event.isin(("power_off", "detach"))
        per = e.group_by(entity_id=e.imei).agg(
            cycles=off.sum().cast("int64"),
            sims_cycled=e.msisdn.nunique(where=off),
            days=e.at.date().nunique(),
            first_seen=e.at.min(),
            last_seen=e.at.max(),
        )
        per = per.mutate(cycles_per_day=per.cycles / per.days.clip(lower=1))
        median = per.agg(median_cycles=per.cycles_per_day.median())
        per = per.cross_join(median)
        # A median of zero (most devices never cycle) makes any cycling infinitely relative;
        # the absolute floor is what holds then.
        base = ibis.greatest(per.median_cycles, 1.0 / p.min_cycle_multiple)
        per = per.mutate(cycle_multiple=per.cycles_per_day / base)
        hit = per.filter(
            (per.cycle_multiple >= p.min_cycle_multiple)
            & (per.cycles_per_day >= p.min_cycles_per_day)
            & (per.sims_cycled >= p.min_sims)
        )
        return hit.select(
            "entity_id",
            score=ramp(hit.cycle_multiple, p.min_cycle_multiple, p.full_score_multiple),
            first_seen=hit.first_seen,
            last_seen=hit.last_seen,
            cycles=hit.cycles,
            days=hit.days,
            cycles_per_day=hit.cycles_per_day,
            sims_cycled=hit.sims_cycled,
            cycle_multiple=hit.cycle_multiple,
        )
