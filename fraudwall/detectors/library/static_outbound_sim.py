"""Static outbound SIMs: numbers that never move, call out heavily and are never called."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
from pydantic import Field

from fraudwall.detectors.base import Context, Detector, ramp, share, threshold
from fraudwall.detectors.base import Params as BaseParams
from fraudwall.detectors.library._business_lines import without_business_lines


class StaticOutboundSim(Detector):
    """Flags voice-only numbers whose calls all start in one cell, that place many times more
    outbound calls per active day than the population's median caller, and that almost never
    receive a call. People move, get called back, text and browse; a SIM in a voice gateway
    does none of that (where the ``sms`` and ``data_sessions`` tables are present, any use of
    them rules a number out; without them the test is skipped). Auto-dialers and one-ring
    callers look the same, so the lead stays below medium risk unless the network also sees the
    SIM being swapped in and out of a device (``sim_change`` events), as a SIM bank's rotation
    does. It catches SIM-box SIMs whose box hides or changes its IMEI, and shares the
    ``simbox`` signal with ``simbox_sim``.
    Established company lines (an enterprise's cards held for a year or more) are left out."""

    name = "static_outbound_sim"
    scenario = "simbox_sim"
    requires = ("calls",)
    signal = "simbox"
    reason = (
        "{out_per_day:.0f} outbound calls a day ({rate_multiple:.0f}x the median caller), "
        "{cell_share:.0%} from cell {main_cell}, {in_share:.0%} of calls inbound, "
        "{other_use} SMS or data sessions, {rotations_per_day:.1f} SIM swaps a day "
        "(thresholds {min_rate_multiple}x, {max_in_share:.0%}, {min_rotations_per_day} swaps)"
    )

    class Params(BaseParams):
        min_rate_multiple: float = threshold(
            8.0,
            "outbound calls per active day as a multiple of the population's median caller",
            basis="relative",
            gt=1,
        )
        full_score_multiple: float = threshold(
            30.0, "multiple of the median at which the score reaches 1", basis="relative", gt=1
        )
        min_cell_share: float = threshold(
            0.95,
            "share of the number's calls that start in its main cell",
            basis="absolute",
            gt=0,
            le=1,
        )
        max_in_share: float = threshold(
            0.05, "largest share of inbound calls among its calls", basis="absolute", ge=0, le=1
        )
        max_other_use: int = threshold(
            0, "SMS and data sessions a voice-gateway SIM may have", basis="absolute", ge=0
        )
        min_rotations_per_day: float = threshold(
            0.5,
            "sim_change events per active day that show SIM-bank rotation",
            basis="absolute",
            gt=0,
        )
        unrotated_max_score: float = Field(
            0.55, ge=0, le=1, description="highest score of a lead without rotation evidence"
        )

    def find(self, ctx: Context, p: Params) -> ir.Table:
        home = ctx.features["device_residence"].select("entity_id", "main_cell", "main_cell_share")
        n = outbound_rates(ctx).join(home, "entity_id")
        n = n.left_join(_usage(ctx), "entity_id")
        n = n.mutate(
            other_use=n.other_use.fill_null(0),
            rotations_per_day=n.rotations.fill_null(0) / n.active_days.clip(lower=1),
        )
        hit = n.filter(
            (n.rate_multiple >= p.min_rate_multiple)
            & (n.main_cell_share >= p.min_cell_share)
            & (n.in_share <= p.max_in_share)
            & (n.other_use <= p.max_other_use)
        )
        score = ramp(hit.rate_multiple, p.min_rate_multiple, p.full_score_multiple)
        rotated = hit.rotations_per_day >= p.min_rotations_per_day
        hit = without_business_lines(ctx, hit)  # company lines: see _business_lines
        return hit.select(
            "entity_id",
            score=ibis.ifelse(rotated, score, ibis.least(score, p.unrotated_max_score)),
            first_seen=hit.first_seen,
            last_seen=hit.last_seen,
            out_per_day=hit.out_per_day,
            rate_multiple=hit.rate_multiple,
            main_cell=hit.main_cell,
            cell_share=hit.main_cell_share,
            in_share=hit.in_share,
            calls_out=hit.calls_out,
            other_use=hit.other_use,
            rotations_per_day=hit.rotations_per_day,
        )


def outbound_rates(ctx: Context) -> ir.Table:
    """``number_calls`` plus outbound calls per active day, inbound share, and the rate as a
    multiple of the population's median caller (numbers with outbound calls)."""
    nc = ctx.features["number_calls"]
    n = nc.mutate(
        out_per_day=nc.calls_out / nc.active_days.clip(lower=1),
        in_share=share(nc.calls_in, nc.calls_in + nc.calls_out),
    )
    callers = n.filter(n.calls_out > 0)
    n = n.cross_join(callers.agg(median_out_per_day=callers.out_per_day.median()))
    return n.mutate(rate_multiple=n.out_per_day / n.median_out_per_day)


def _usage(ctx: Context) -> ir.Table:
    """Per number: SMS and data sessions, and sim_change events, from the tables present."""
    parts = [
        ctx.tables[name].select(
            entity_id=ctx.tables[name].msisdn, other=ibis.literal(1), rotation=ibis.literal(0)
        )
        for name in ("sms", "data_sessions")
        if ctx.has(name)
    ]
    if ctx.has("device_events"):
        e = ctx.tables["device_events"]
        e = e.filter(e.event == "sim_change")
        parts.append(e.select(entity_id=e.msisdn, other=ibis.literal(0), rotation=ibis.literal(1)))
    if not parts:
        calls = ctx.tables["calls"]
        none = ibis.literal(0, "int64")
        return calls.select(entity_id=calls.msisdn, other_use=none, rotations=none).limit(0)
    rows = parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0]
    return rows.group_by("entity_id").agg(
        other_use=rows.other.sum().cast("int64"), rotations=rows.rotation.sum().cast("int64")
    )
