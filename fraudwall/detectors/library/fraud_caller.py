"""Fraud callers: numbers cold-calling many strangers who neither talk for long nor call back."""

from __future__ import annotations

import ibis.expr.types as ir

from fraudwall.detectors.base import Context, Detector, threshold
from fraudwall.detectors.base import Params as BaseParams
from fraudwall.detectors.library._business_lines import without_business_lines
from fraudwall.detectors.library._grading import fall, grade, rise
from fraudwall.detectors.library._precedence import yield_to
from fraudwall.detectors.library.iot_misuse import IotMisuse
from fraudwall.detectors.library.outbound_burst import OutboundBurst
from fraudwall.detectors.library.silent_awakened import SilentAwakened
from fraudwall.detectors.library.wangiri import Wangiri
from fraudwall.features.number_profile import number_view


class FraudCaller(Detector):
    """Flags numbers that call many times more distinct people than the population's median
    caller while almost none of those people ever call back, that receive almost no calls
    themselves, and whose calls often fail. Call centres, couriers and sales staff call as many
    people but are called back or called in to, and their calls are expected: about a quarter
    go unanswered, where four in ten or more of a cold caller's are unanswered or cut off within
    seconds. Social heavy callers call the same people repeatedly. Numbers a narrower scenario
    explains are left to it: one-ring bursts, machine-paced dialling, woken dormant cards and
    IoT cards used as phones.
    Established company lines (an enterprise's cards held for a year or more) are left out."""

    name = "fraud_caller"
    scenario = "fraud_caller"
    requires = ("calls",)
    signal = "cold_calling"
    reason = (
        "{callees} distinct numbers called ({callees_x_median:.0f}x the median caller, threshold "
        "{min_callees_x_median:.0f}x), {callback_share:.0%} of them called back (max "
        "{max_callback_share:.0%}), {inbound_share:.0%} of calls inbound (max "
        "{max_inbound_share:.0%}), {fail_share:.0%} unanswered or short (min {min_fail_share:.0%})"
    )

    class Params(BaseParams):
        min_callees_x_median: float = threshold(
            10.0, "distinct callees as a multiple of the median caller's", basis="relative", gt=1
        )
        min_callees: int = threshold(
            30,
            "distinct callees below which no number is flagged (small populations)",
            basis="absolute",
            ge=1,
        )
        max_callback_share: float = threshold(
            0.1, "most callees who call back", basis="absolute", ge=0, le=1
        )
        max_inbound_share: float = threshold(
            0.2, "largest share of inbound calls", basis="absolute", ge=0, le=1
        )
        min_fail_share: float = threshold(
            0.4, "least share of outbound calls unanswered or short", basis="absolute", ge=0, le=1
        )

    def find(self, ctx: Context, p: Params) -> ir.Table:
        f = number_view(ctx.features)
        f = yield_to(ctx, f, Wangiri, OutboundBurst, SilentAwakened, IotMisuse)
        hit = f.filter(
            f.callees_x_median >= p.min_callees_x_median,
            f.callees >= p.min_callees,
            f.callback_share <= p.max_callback_share,
            f.inbound_share <= p.max_inbound_share,
            f.fail_share >= p.min_fail_share,
        )
        hit = without_business_lines(ctx, hit)  # company lines: see _business_lines
        return hit.select(
            "entity_id",
            score=grade(
                rise(hit.callees_x_median, p.min_callees_x_median, 4 * p.min_callees_x_median),
                fall(hit.callback_share, p.max_callback_share, 0.0),
                fall(hit.inbound_share, p.max_inbound_share, 0.0),
                rise(hit.fail_share, p.min_fail_share, 1.0),
            ),
            first_seen=hit.first_seen,
            last_seen=hit.last_seen,
            callees=hit.callees,
            calls_out=hit.calls_out,
            calls_in=hit.calls_in,
            callees_x_median=hit.callees_x_median,
            median_callees=hit.median_callees,
            callback_share=hit.callback_share,
            inbound_share=hit.inbound_share,
            fail_share=hit.fail_share,
            out_talk_s=hit.out_talk_s,
        )
