"""SIM-box devices: handsets (IMEI) in which many SIMs live and call out side by side."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from fraudwall.detectors.base import Context, Detector, ramp, share, threshold
from fraudwall.detectors.base import Params as BaseParams


class SimboxDevice(Detector):
    """Flags devices that many SIMs call from as their main handset (插卡集群, GoIP) while the
    traffic is almost all outbound. Counting *resident* SIMs (SIMs whose calls mostly go
    through the device) keeps repair-shop test phones silent, and the SIM count sits above what
    a dual-SIM phone or a family's shared phone holds. Several SIMs calling out in the same
    hour raise the score."""

    name = "simbox_device"
    scenario = "simbox"
    requires = ("calls",)
    signal = "simbox"
    reason = (
        "{resident_sims} SIMs call mainly from this device ({sims} seen, up to {peak_hour_sims} "
        "in one hour), {out_share:.0%} of its calls outbound (threshold {min_resident_sims} SIMs)"
    )

    class Params(BaseParams):
        min_resident_sims: int = threshold(
            5,
            "SIMs whose main device it is that flag a device (a phone holds 2, a shared family "
            "phone about 3)",
            basis="absolute",
            ge=3,
        )
        full_score_sims: int = threshold(
            12, "resident SIMs at which the score reaches 1", basis="absolute", ge=4
        )
        min_out_share: float = threshold(
            0.8, "share of the device's calls that are outbound", basis="absolute", ge=0, le=1
        )
        concurrent_sims: int = threshold(
            3,
            "SIMs calling out in one clock hour that add to the score (a dual-SIM phone has 2)",
            basis="absolute",
            ge=2,
        )

    def find(self, ctx: Context, p: Params) -> ir.Table:
        d = ctx.features["device_sims"]
        d = d.mutate(out_share=share(d.calls_out, d.calls_out + d.calls_in))
        hit = d.filter((d.resident_sims >= p.min_resident_sims) & (d.out_share >= p.min_out_share))
        sims_score = ramp(hit.resident_sims, p.min_resident_sims, p.full_score_sims)
        # Side-by-side calling is what a box does and a passed-around phone cannot.
        concurrent = ibis.ifelse(hit.peak_hour_sims >= p.concurrent_sims, 0.2, 0.0)
        return hit.select(
            "entity_id",
            score=ibis.least(sims_score + concurrent, 1.0),
            first_seen=hit.first_seen,
            last_seen=hit.last_seen,
            resident_sims=hit.resident_sims,
            sims=hit.sims,
            peak_hour_sims=hit.peak_hour_sims,
            out_share=hit.out_share,
            calls_out=hit.calls_out,
            sim_changes=hit.sim_changes,
            cells=hit.cells,
        )
