"""Outlets that register many numbers whose face-vs-ID match was poor."""

from __future__ import annotations

import ibis.expr.types as ir

from fraudwall.detectors.base import Context, Detector, ramp, threshold
from fraudwall.detectors.base import Params as BaseParams
from fraudwall.detectors.library.outlet_registration_burst import (
    poor_match_z,
    registration_windows,
    strongest_window,
)


class OutletLowFaceMatch(Detector):
    """Flags outlets where, within a month, registrations with a poor face-vs-ID match (below
    the population's low quantile, so the cut travels between KYC vendors) were several times
    more frequent than everywhere else, and so many that chance cannot explain them: a z-score
    of the count, held high because every month of every outlet and agent is tested, and among
    thousands of windows a few honest ones reach three standard deviations. An outlet or agent
    registering people with borrowed or bought ID cards (人证不一) shows exactly this; an
    honest outlet, however busy, has the usual share. Agents are looked at one by one too, so
    one bad clerk in a big store is not diluted."""

    name = "outlet_low_face_match"
    scenario = "abnormal_registration"
    requires = ("subscribers",)
    signal = "registration_kyc"
    reason = (
        "{low_kyc} of {registrations} registrations by {agent} in {window_days} days to {day} "
        "with a poor face match ({low_share:.0%}, {kyc_multiple:.1f}x the usual share; "
        "threshold {min_kyc_multiple}x, z {min_z})"
    )

    class Params(BaseParams):
        window_days: int = threshold(
            30, "days over which poor matches are counted", basis="absolute", ge=1
        )
        low_quantile: float = threshold(
            0.05,
            "population quantile of kyc_face_match below which a match counts as poor",
            basis="relative",
            gt=0,
            lt=0.5,
        )
        min_kyc_multiple: float = threshold(
            4.0,
            "poor-match share as a multiple of the population's share",
            basis="relative",
            gt=1,
        )
        min_z: float = threshold(
            4.0,
            "z-score of the poor-match count against the population's rate (rules out chance "
            "over the many windows tested)",
            basis="relative",
            gt=0,
        )
        min_low_kyc: int = threshold(
            5, "fewest poor-match registrations that flag an outlet", basis="absolute", ge=1
        )
        full_score_multiple: float = threshold(
            12.0, "share multiple at which the score reaches 1", basis="relative", gt=1
        )

    def find(self, ctx: Context, p: Params) -> ir.Table:
        w = registration_windows(ctx, window_days=p.window_days, low_quantile=p.low_quantile)
        w = w.mutate(z=poor_match_z(w))
        hit = w.filter(
            (w.low_kyc >= p.min_low_kyc) & (w.kyc_multiple >= p.min_kyc_multiple) & (w.z >= p.min_z)
        )
        hit = hit.mutate(score=ramp(hit.kyc_multiple, p.min_kyc_multiple, p.full_score_multiple))
        top = strongest_window(hit, by=hit.z)
        return top.select(
            "entity_id",
            "score",
            "first_seen",
            "last_seen",
            "day",
            "agent",
            "low_kyc",
            "registrations",
            "low_share",
            "kyc_multiple",
            "z",
        )
