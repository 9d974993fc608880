"""Outbound bursts: a number dialling at machine pace within one clock hour."""

from __future__ import annotations

import ibis.expr.types as ir

from fraudwall.detectors.base import Context, Detector, ramp, threshold
from fraudwall.detectors.base import Params as BaseParams


class OutboundBurst(Detector):
    """Flags numbers whose busiest clock hour holds more outbound calls than a person can make
    by hand (auto-dialers, call-bombing). The threshold is absolute: a human placing and ending
    a call every 36 s for a whole hour is already implausible."""

    name = "outbound_burst"
    scenario = "high_frequency"
    requires = ("calls",)
    signal = "call_rate"
    reason = "{peak_hour_out} outbound calls in one hour (threshold {min_calls_per_hour})"

    class Params(BaseParams):
        min_calls_per_hour: int = threshold(
            100, "outbound calls in one clock hour that flag a number", basis="absolute", ge=1
        )
        full_score_calls_per_hour: int = threshold(
            300, "calls per hour at which the score reaches 1", basis="absolute", ge=1
        )

    def find(self, ctx: Context, p: OutboundBurst.Params) -> ir.Table:
        f = ctx.features["number_calls"]
        hit = f.filter(f.peak_hour_out >= p.min_calls_per_hour)
        return hit.select(
            "entity_id",
            score=ramp(hit.peak_hour_out, p.min_calls_per_hour, p.full_score_calls_per_hour),
            first_seen=hit.first_seen,
            last_seen=hit.last_seen,
            peak_hour_out=hit.peak_hour_out,
            calls_out=hit.calls_out,
        )
