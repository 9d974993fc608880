"""Outbound bursts: a number dialling at machine pace within one clock hour."""

from __future__ import annotations

import ibis.expr.types as ir

from fraudwall.detectors.base import Context, Detector, threshold
from fraudwall.detectors.base import Params as BaseParams
from fraudwall.detectors.library._grading import grade, rise
from fraudwall.detectors.library._precedence import yield_to
from fraudwall.detectors.library.simbox_sim import SimboxSim
from fraudwall.detectors.library.wangiri import Wangiri


class OutboundBurst(Detector):
    """Flags numbers whose busiest clock hour holds more outbound calls than a person can make
    by hand (auto-dialers, call-bombing). The threshold is absolute: a person dialling, waiting
    for an answer and talking cannot keep up a call a minute for a whole hour. One-ring bursts
    are left to ``wangiri``, and SIMs working inside a SIM box to ``simbox_sim``: the box
    explains their pace."""

    name = "outbound_burst"
    scenario = "high_frequency"
    requires = ("calls",)
    signal = "call_rate"
    reason = "{peak_hour_out} outbound calls in one hour (threshold {min_calls_per_hour})"

    class Params(BaseParams):
        min_calls_per_hour: int = threshold(
            60, "outbound calls in one clock hour that flag a number", basis="absolute", ge=1
        )
        full_score_calls_per_hour: int = threshold(
            200, "calls per hour at which the score reaches 1", basis="absolute", ge=1
        )

    def find(self, ctx: Context, p: Params) -> ir.Table:
        f = ctx.features["number_calls"]
        hit = f.filter(f.peak_hour_out >= p.min_calls_per_hour)
        hit = yield_to(ctx, hit, Wangiri, SimboxSim)
        return hit.select(
            "entity_id",
            score=grade(rise(hit.peak_hour_out, p.min_calls_per_hour, p.full_score_calls_per_hour)),
            first_seen=hit.first_seen,
            last_seen=hit.last_seen,
            peak_hour_out=hit.peak_hour_out,
            calls_out=hit.calls_out,
        )
