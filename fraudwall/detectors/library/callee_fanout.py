"""Callee fan-out: many distinct people called, hardly any of them calling back."""

from __future__ import annotations

import ibis.expr.types as ir

from fraudwall.detectors.base import Context, Detector, threshold
from fraudwall.detectors.base import Params as BaseParams
from fraudwall.detectors.library._business_lines import without_business_lines
from fraudwall.detectors.library._grading import WEAK, fall, grade, rise
from fraudwall.features.number_profile import number_view


class CalleeFanout(Detector):
    """Flags numbers that call many times more distinct people than the median caller while few
    of them ever call back. It is the fan-out half of ``fraud_caller`` without its checks on
    inbound traffic and unanswered calls, so it shares that detector's signal and scores below
    the medium risk level: on its own it also catches telemarketing.
    Established company lines (an enterprise's cards held for a year or more) are left out."""

    name = "callee_fanout"
    scenario = "fraud_caller"
    requires = ("calls",)
    signal = "cold_calling"
    reason = (
        "{callees} distinct numbers called ({callees_x_median:.0f}x the median caller, threshold "
        "{min_callees_x_median:.0f}x), {callback_share:.0%} called back (max "
        "{max_callback_share:.0%})"
    )

    class Params(BaseParams):
        min_callees_x_median: float = threshold(
            10.0, "distinct callees as a multiple of the median caller's", basis="relative", gt=1
        )
        min_callees: int = threshold(
            30, "distinct callees below which no number is flagged", basis="absolute", ge=1
        )
        max_callback_share: float = threshold(
            0.2, "most callees who call back", basis="absolute", ge=0, le=1
        )

    def find(self, ctx: Context, p: Params) -> ir.Table:
        f = number_view(ctx.features)
        hit = f.filter(
            f.callees_x_median >= p.min_callees_x_median,
            f.callees >= p.min_callees,
            f.callback_share <= p.max_callback_share,
        )
        hit = without_business_lines(ctx, hit)  # company lines: see _business_lines
        return hit.select(
            "entity_id",
            score=grade(
                rise(hit.callees_x_median, p.min_callees_x_median, 4 * p.min_callees_x_median),
                fall(hit.callback_share, p.max_callback_share, 0.0),
                band=WEAK,
            ),
            first_seen=hit.first_seen,
            last_seen=hit.last_seen,
            callees=hit.callees,
            callees_x_median=hit.callees_x_median,
            callback_share=hit.callback_share,
        )
