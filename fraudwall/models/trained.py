"""A trained fraud-number model: scoring, explanations, saving and loading.

MODEL_DIR layout::

    MODEL_DIR/model.txt          the LightGBM model (text format)
    MODEL_DIR/card.json          features, graph blocks, calibration, threshold, CV figures, ...
    MODEL_DIR/card.md            the same card for people
    MODEL_DIR/known_labels.csv   only when the model uses neighbour labels: the training labels
                                 it counts among a number's contacts at scoring time, keyed by a
                                 64-bit hash of the id (pseudonymised: no raw number is written)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd

from fraudwall.errors import InputError
from fraudwall.models.calibrate import Platt
from fraudwall.models.card import CARD_FORMAT, read_card, write_card
from fraudwall.models.explain import reasons
from fraudwall.models.graph_features import CallGraph, graph_features
from fraudwall.models.tabular import check_edges

MODEL_FILE = "model.txt"
KNOWN_LABELS_FILE = "known_labels.csv"


def pseudonyms(ids: pd.Index) -> np.ndarray:
    """A stable 64-bit hash of each id: how the model directory refers to training numbers."""
    return pd.util.hash_pandas_object(pd.Series(ids.astype(str)), index=False).to_numpy()


@dataclass
class TrainedModel:
    """A fitted booster with its calibration, threshold and card."""

    booster: lgb.Booster
    platt: Platt
    threshold: float
    card: dict[str, Any]
    #: training labels by :func:`pseudonyms` of their ids (neighbour-label models only)
    known_labels: pd.Series | None = None

    @property
    def features(self) -> list[str]:
        """Input feature columns the model expects, in order."""
        return list(self.card["features"])

    @property
    def graph_blocks(self) -> tuple[str, ...]:
        """Graph feature blocks the model uses (empty: features only)."""
        return tuple(self.card["graph_blocks"])

    def _check_columns(self, features: pd.DataFrame, source: str) -> None:
        missing = [c for c in self.features if c not in features.columns]
        extra = [c for c in features.columns if c not in set(self.features)]
        if missing or extra:
            parts = []
            if missing:
                parts.append(f"missing feature columns {missing}")
            if extra:
                parts.append(f"extra columns not in the model {extra}")
            raise InputError(
                "; ".join(parts) + " — score with the feature columns the model was trained on",
                file=source,
            )

    def design(
        self,
        features: pd.DataFrame,
        edges: pd.DataFrame | None = None,
        *,
        source: str = "features",
    ) -> pd.DataFrame:
        """The model's input matrix for ``features`` (and the graph, if the model uses it)."""
        self._check_columns(features, source)
        features = features[self.features]
        if not self.graph_blocks:
            return features
        if edges is None:
            raise InputError(
                f"this model uses the call graph ({', '.join(self.graph_blocks)}); "
                "pass the edges (--graph)",
                file=source,
            )
        edges = check_edges(edges, feature_ids=features.index, source="edges")
        graph = CallGraph.from_edges(edges, features.index)
        labels = None
        if self.known_labels is not None:
            # the training labels of the numbers present in this table
            found = self.known_labels.reindex(pseudonyms(features.index)).to_numpy()
            labels = pd.Series(found, index=features.index).dropna().astype(np.int8)
        extra = graph_features(graph, features, self.graph_blocks, labels=labels, oof_folds=None)
        return pd.concat([features, extra], axis=1)[self.card["design_columns"]]

    def score(
        self,
        features: pd.DataFrame,
        edges: pd.DataFrame | None = None,
        *,
        source: str = "features",
    ) -> pd.DataFrame:
        """``id, score, label, reasons`` for every row of ``features``.

        ``score`` is the calibrated probability of fraud, ``label`` the 0/1 decision at the
        model's threshold, ``reasons`` the features that pushed the score up.
        """
        x = self.design(features, edges, source=source)
        margin = np.asarray(self.booster.predict(x.to_numpy(dtype=np.float64), raw_score=True))
        p = self.platt.apply(margin)
        typical = pd.Series(self.card["typical"], dtype=np.float64)
        return pd.DataFrame(
            {
                "id": x.index.to_numpy(),
                "score": p,
                "label": (p >= self.threshold).astype(np.int8),
                "reasons": reasons(
                    self.booster, x, typical, top=int(self.card["top_reasons"])
                ).to_numpy(),
            }
        )

    def save(self, directory: str | Path) -> Path:
        """Write the model directory; the same model always gives the same bytes."""
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        self.booster.save_model(str(d / MODEL_FILE))
        write_card(d, self.card)
        known = d / KNOWN_LABELS_FILE
        if self.known_labels is not None:
            self.known_labels.rename_axis("id_hash").rename("label").to_csv(known)
        elif known.exists():
            known.unlink()
        return d


def load_model(directory: str | Path) -> TrainedModel:
    """Read a model directory written by :meth:`TrainedModel.save`."""
    d = Path(directory)
    for name in (MODEL_FILE, "card.json"):
        if not (d / name).exists():
            raise InputError(f"not a fraudwall model directory: {name} is missing", file=str(d))
    card = read_card(d)
    if card.get("format") != CARD_FORMAT:
        raise InputError(f"unsupported model format {card.get('format')!r}", file=str(d))
    booster = lgb.Booster(model_file=str(d / MODEL_FILE))
    if booster.num_feature() != len(card["design_columns"]):
        raise InputError("model.txt and card.json disagree on the feature columns", file=str(d))
    known = None
    if "neighbour_labels" in card["graph_blocks"]:
        if not (d / KNOWN_LABELS_FILE).exists():
            raise InputError(f"{KNOWN_LABELS_FILE} is missing", file=str(d))
        table = pd.read_csv(d / KNOWN_LABELS_FILE, dtype={"id_hash": np.uint64})
        known = pd.Series(table["label"].to_numpy(), index=pd.Index(table["id_hash"]), name="label")
    platt = Platt(a=float(card["platt"]["a"]), b=float(card["platt"]["b"]))
    return TrainedModel(
        booster=booster,
        platt=platt,
        threshold=float(card["threshold"]),
        card=card,
        known_labels=known,
    )
