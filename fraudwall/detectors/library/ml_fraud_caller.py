"""The supervised fraud-number model as a detector (scores fraudwall's own features)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import ibis
import ibis.expr.types as ir
from pydantic import Field

from fraudwall.detectors.base import Context, Detector
from fraudwall.detectors.base import Params as BaseParams

if TYPE_CHECKING:
    from fraudwall.models import TrainedModel


@cache
def _load(model_dir: str) -> TrainedModel:
    from fraudwall.models import load_model

    return load_model(model_dir)


class MlFraudCaller(Detector):
    """Scores every number with the LightGBM model trained on police feedback
    (`fraudwall model train --workspace`), from the same per-number call features the rules
    use and, when the model was trained with it, the call graph. Flags the numbers at or above
    the model's own threshold, chosen by cross-validation on its training labels; the score is
    the model's calibrated probability and the reason names the features that pushed it up.
    Runs only when the policy names a model directory."""

    name = "ml_fraud_caller"
    scenario = "fraud_caller"
    requires = ("calls",)
    signal = "ml_model"
    reason = "model probability {probability:.0%} (threshold {model_threshold:.0%}): {factors}"

    class Params(BaseParams):
        model_dir: str = Field("", description="directory of a model from `fraudwall model train`")

    @classmethod
    def skip_reason(cls, p: MlFraudCaller.Params) -> str | None:
        if not p.model_dir:
            return "no model configured (policy detectors.ml_fraud_caller.model_dir)"
        if not (Path(p.model_dir) / "card.json").exists():
            return f"no model at {p.model_dir}"
        return None

    def find(self, ctx: Context, p: MlFraudCaller.Params) -> ir.Table:
        from fraudwall.models.workspace import call_edges, number_features

        model = _load(p.model_dir)
        features = number_features(ctx.features)
        edges = call_edges(ctx.tables, features.index) if model.graph_blocks else None
        scored = model.score(features, edges)
        flagged = scored[scored["label"] == 1]
        hits = ibis.memtable(
            flagged.rename(columns={"id": "entity_id", "reasons": "factors"})[
                ["entity_id", "score", "factors"]
            ].assign(model_threshold=float(model.threshold))
        )
        window = ctx.features["number_calls"].select("entity_id", "first_seen", "last_seen")
        hit = hits.join(window, "entity_id")
        return hit.select(
            "entity_id",
            score=hit.score,
            first_seen=hit.first_seen,
            last_seen=hit.last_seen,
            probability=hit.score,
            model_threshold=hit.model_threshold,
            factors=hit.factors,
        )
