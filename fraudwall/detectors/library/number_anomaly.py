"""Unsupervised companion: numbers whose call behaviour is unlike everyone else's."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from fraudwall.detectors.base import Context, Detector, threshold
from fraudwall.detectors.base import Params as BaseParams
from fraudwall.detectors.library._business_lines import without_business_lines


class NumberAnomaly(Detector):
    """Scores every number with an Isolation Forest over its per-number call features (no
    labels needed) and flags the most isolated share of the population. Its score stays below
    the medium risk level, and its lead is kept only for numbers that a detector of another
    signal also flags, where it adds weight in risk fusion: a fixed tail share always holds
    someone, and in a large network with little fraud it holds whoever is merely unusual
    (sales lines, couriers, very sociable people) rather than misusers.
    Established company lines (an enterprise's cards held for a year or more) are left out."""

    name = "number_anomaly"
    scenario = "fraud_caller"
    requires = ("calls",)
    signal = "anomaly"
    needs_corroboration = True
    reason = (
        "call behaviour more isolated than {top_share:.1%} of numbers "
        "(anomaly {anomaly:.2f}, cut {cut:.2f})"
    )

    class Params(BaseParams):
        top_share: float = threshold(
            0.005, "share of numbers flagged, most anomalous first", basis="relative", gt=0, le=0.1
        )
        max_score: float = threshold(
            0.55,
            "score of the most anomalous number (keep below risk.medium)",
            basis="absolute",
            ge=0,
            le=1,
        )

    def find(self, ctx: Context, p: NumberAnomaly.Params) -> ir.Table:
        from fraudwall.models import anomaly_scores
        from fraudwall.models.workspace import number_features

        features = number_features(ctx.features)
        scores = anomaly_scores(features)
        cut = float(scores.quantile(1.0 - p.top_share))
        top = scores[scores >= cut]
        hits = ibis.memtable(
            top.rename("anomaly").rename_axis("entity_id").reset_index().assign(cut=cut)
        )
        window = ctx.features["number_calls"].select("entity_id", "first_seen", "last_seen")
        hit = hits.join(window, "entity_id")
        # Rank within the flagged tail: the cut scores half of max_score, the top max_score.
        span = ibis.greatest(hit.anomaly.max().over() - hit.cut, ibis.literal(1e-9))
        hit = without_business_lines(ctx, hit)  # company lines: see _business_lines
        return hit.select(
            "entity_id",
            score=p.max_score * (0.5 + 0.5 * (hit.anomaly - hit.cut) / span),
            first_seen=hit.first_seen,
            last_seen=hit.last_seen,
            anomaly=hit.anomaly,
            cut=hit.cut,
        )
