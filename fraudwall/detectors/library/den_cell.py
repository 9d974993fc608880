"""Dens: cells where SIM-boxes and multi-card fraud phones operate (窝点)."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from fraudwall.detectors.base import Context, Detector, ramp, share, threshold
from fraudwall.detectors.base import Params as BaseParams
from fraudwall.detectors.library.simbox_sim import SimboxSim, hits_of
from fraudwall.detectors.library.static_outbound_sim import StaticOutboundSim, outbound_rates


class DenCell(Detector):
    """Flags cells where several machine-dialling SIMs live and carry a good share of the
    cell's outbound calls. A SIM counts as such when the SIM-box detectors flag it at medium
    risk or above (``simbox_sim``, ``static_outbound_sim``), or when it shares its handset
    with other SIMs and, like them, dials many times more than the median caller and is hardly
    ever called back: a multi-card phone worked by a fraud team. One stray suspect in a busy
    city cell is not a den; two cards worked from one handset in a flat are."""

    name = "den_cell"
    scenario = "den"
    requires = ("calls",)
    signal = "den"
    reason = (
        "{suspect_sims} machine-dialling SIMs on {suspect_devices} device(s) live here and place "
        "{out_share:.0%} of the cell's outbound calls (threshold {min_suspect_sims} SIMs, "
        "{min_out_share:.0%})"
    )

    class Params(BaseParams):
        min_suspect_sims: int = threshold(
            2, "suspect SIMs living in the cell", basis="absolute", ge=1
        )
        min_out_share: float = threshold(
            0.1,
            "share of the cell's outbound calls placed by the suspect SIMs",
            basis="relative",
            gt=0,
            le=1,
        )
        min_rate_multiple: float = threshold(
            8.0,
            "outbound calls per active day, as a multiple of the median caller, of a SIM on a "
            "shared handset",
            basis="relative",
            gt=1,
        )
        max_in_share: float = threshold(
            0.1, "largest inbound share of a SIM on a shared handset", basis="absolute", ge=0, le=1
        )
        full_score_sims: int = threshold(
            20, "suspect SIMs at which the score reaches 1", basis="absolute", ge=2
        )

    def find(self, ctx: Context, p: Params) -> ir.Table:
        sims = suspect_sims(ctx, p)
        home = ctx.features["device_residence"]
        sus = home.filter(home.main_cell.notnull()).semi_join(sims, "entity_id")
        sus_cells = sus.group_by(cell=sus.main_cell).agg(
            suspect_sims=ibis._.count(), suspect_devices=sus.main_imei.nunique()
        )
        c = ctx.tables["calls"]
        mo = c.filter((c.direction == "MO") & c.cell_id.notnull())
        flag = sims.select(sus_msisdn="entity_id", suspect=ibis.literal(True))
        mo = mo.left_join(flag, mo.msisdn == flag.sus_msisdn)
        is_sus = mo.suspect.fill_null(False)
        traffic = mo.group_by(cell=mo.cell_id).agg(
            calls_out=ibis._.count(),
            suspect_out=is_sus.sum(),
            first_seen=mo.started_at.min(where=is_sus),
            last_seen=mo.started_at.max(where=is_sus),
        )
        j = sus_cells.join(traffic, "cell")
        j = j.mutate(out_share=share(j.suspect_out, j.calls_out))
        hit = j.filter((j.suspect_sims >= p.min_suspect_sims) & (j.out_share >= p.min_out_share))
        # Two suspect cards worked from one place already make a den (medium risk, 0.6);
        # the score rises to 1 at full_score_sims.
        strength = ramp(hit.suspect_sims, p.min_suspect_sims, p.full_score_sims)
        return hit.select(
            entity_id=hit.cell,
            score=0.2 + 0.8 * strength,
            first_seen=hit.first_seen,
            last_seen=hit.last_seen,
            suspect_sims=hit.suspect_sims,
            suspect_devices=hit.suspect_devices,
            out_share=hit.out_share,
        )


def suspect_sims(ctx: Context, p: DenCell.Params) -> ir.Table:
    """Numbers (``entity_id``) that dial like machines: SIM-box SIMs and multi-card phones."""
    # Only leads an analyst would act on: a lone one-ring machine is not a den's SIM.
    medium = ctx.policy.risk.medium if ctx.policy is not None else 0.6
    flagged = [hits_of(ctx, cls) for cls in (SimboxSim, StaticOutboundSim)]
    flagged = [h.filter(h.score >= medium).select("entity_id") for h in flagged]
    dev = ctx.features["device_sims"]
    shared = dev.filter(dev.resident_sims >= 2).select(shared_imei="entity_id")
    home = ctx.features["device_residence"].select("entity_id", "main_imei")
    n = outbound_rates(ctx).join(home, "entity_id")
    n = n.join(shared, n.main_imei == shared.shared_imei)
    multi = n.filter(
        (n.rate_multiple >= p.min_rate_multiple) & (n.in_share <= p.max_in_share)
    ).select("entity_id")
    return flagged[0].union(flagged[1]).union(multi).distinct()
