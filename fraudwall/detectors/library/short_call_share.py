"""Short-call share: a busy caller whose calls are almost all unanswered or cut off at once."""

from __future__ import annotations

import ibis.expr.types as ir

from fraudwall.detectors.base import Context, Detector, threshold
from fraudwall.detectors.base import Params as BaseParams
from fraudwall.detectors.library._business_lines import without_business_lines
from fraudwall.detectors.library._grading import WEAK, grade, rise
from fraudwall.features.number_calls import SHORT_CALL_S
from fraudwall.features.number_profile import number_view


class ShortCallShare(Detector):
    """Flags numbers placing many times more calls than the median caller of which nearly all
    go unanswered or end within seconds: people hang up on cold callers. Telemarketing shares
    the pattern, so the score stays below the medium risk level on its own.
    Established company lines (an enterprise's cards held for a year or more) are left out."""

    name = "short_call_share"
    scenario = "fraud_caller"
    requires = ("calls",)
    signal = "call_failure"
    reason = (
        "{fail_share:.0%} of {calls_out} outbound calls unanswered or at most "
        f"{SHORT_CALL_S} s (threshold {{min_fail_share:.0%}}; "
        "{calls_out_x_median:.0f}x the median caller's calls)"
    )

    class Params(BaseParams):
        min_fail_share: float = threshold(
            0.8, "least share of outbound calls unanswered or short", basis="absolute", ge=0, le=1
        )
        min_calls_out_x_median: float = threshold(
            5.0, "outbound calls as a multiple of the median caller's", basis="relative", gt=1
        )
        min_calls_out: int = threshold(
            30, "outbound calls below which no number is flagged", basis="absolute", ge=1
        )

    def find(self, ctx: Context, p: Params) -> ir.Table:
        f = number_view(ctx.features)
        hit = f.filter(
            f.fail_share >= p.min_fail_share,
            f.calls_out_x_median >= p.min_calls_out_x_median,
            f.calls_out >= p.min_calls_out,
        )
        hit = without_business_lines(ctx, hit)  # company lines: see _business_lines
        return hit.select(
            "entity_id",
            score=grade(
                rise(hit.fail_share, p.min_fail_share, 1.0),
                rise(
                    hit.calls_out_x_median, p.min_calls_out_x_median, 4 * p.min_calls_out_x_median
                ),
                band=WEAK,
            ),
            first_seen=hit.first_seen,
            last_seen=hit.last_seen,
            calls_out=hit.calls_out,
            fail_share=hit.fail_share,
            calls_out_x_median=hit.calls_out_x_median,
        )
