"""Complaint hotspots: numbers that many different subscribers report."""

from __future__ import annotations

from typing import ClassVar

import ibis
import ibis.expr.types as ir

from fraudwall.detectors.base import Context, Detector, threshold
from fraudwall.detectors.base import Params as BaseParams
from fraudwall.detectors.library._grading import grade, rise


class ComplaintCount(Detector):
    """Numbers reported by several distinct subscribers in the given complaint categories."""

    requires = ("complaints",)
    #: Complaint categories this detector counts.
    categories: ClassVar[tuple[str, ...]]
    reason = (
        "reported by {reporters} distinct subscribers ({complaints} complaints: {categories}); "
        "threshold {min_reporters}"
    )

    class Params(BaseParams):
        min_reporters: int = threshold(
            3, "distinct subscribers reporting the number", basis="absolute", ge=1
        )
        full_score_reporters: int = threshold(
            10, "distinct reporters at which the score reaches 1", basis="absolute", ge=1
        )

    def find(self, ctx: Context, p: Params) -> ir.Table:
        c = ctx.tables["complaints"]
        # Several complaints by one person count once: one angry subscriber is not a hotspot.
        c = c.filter(c.category.isin(self.categories), c.reported_number != c.reporter_msisdn)
        per = c.group_by(entity_id=c.reported_number).agg(
            reporters=c.reporter_msisdn.nunique(),
            complaints=ibis._.count(),
            categories=c.category.collect(distinct=True).sort().join(", "),
            first_seen=c.at.min(),
            last_seen=c.at.max(),
        )
        hit = per.filter(per.reporters >= p.min_reporters)
        return hit.select(
            "entity_id",
            score=grade(rise(hit.reporters, p.min_reporters, p.full_score_reporters)),
            first_seen=hit.first_seen,
            last_seen=hit.last_seen,
            reporters=hit.reporters,
            complaints=hit.complaints,
            categories=hit.categories,
        )


class ComplaintHotspot(ComplaintCount):
    """Flags numbers that several distinct subscribers report for harassment calls.
    One person may complain out of spite; several strangers independently reporting the same
    number is a nuisance caller. Fraud reports are counted by ``fraud_complaints``."""

    name = "complaint_hotspot"
    scenario = "harassment"
    signal = "complaints_harassment"
    categories = ("harassment",)
