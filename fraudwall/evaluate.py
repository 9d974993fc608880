"""Measuring leads against known outcomes: precision, recall and F1 per scenario and detector.

A lead of scenario S on entity E is a true positive when the labels say E is S. A false
positive is explained by what the labels do say of E: a kind of legitimate behaviour
(``benign`` rows' ``detail``, e.g. ``call_centre``), another scenario, or nothing
(``unlabelled``).

By default only leads an analyst acts on count (risk level ``medium`` or ``high``); ``low``
leads are watch-list material. Pass ``min_level="low"`` to measure every lead.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from fraudwall.errors import InputError


@dataclass
class Evaluation:
    by_scenario: pd.DataFrame
    by_detector: pd.DataFrame
    false_positives: pd.DataFrame
    min_level: str = "medium"

    def to_dict(self) -> dict[str, object]:
        return {
            "min_level": self.min_level,
            "by_scenario": self.by_scenario.to_dict("records"),
            "by_detector": self.by_detector.to_dict("records"),
            "false_positives": self.false_positives.to_dict("records"),
        }


def read_labels(path: str | Path) -> pd.DataFrame:
    """Read a labels table (Parquet or CSV) with at least entity_type, entity_id, label."""
    p = Path(path)
    if not p.exists():
        raise InputError("no such labels file", file=str(p))
    df = pd.read_parquet(p) if p.suffix == ".parquet" else pd.read_csv(p, dtype=str)
    missing = {"entity_type", "entity_id", "label"} - set(df.columns)
    if missing:
        raise InputError(f"labels need columns {sorted(missing)}", file=str(p))
    if "detail" not in df.columns:
        df["detail"] = None
    return df.astype({"entity_type": "string", "entity_id": "string", "label": "string"})


def _prf(tp: pd.Series, fp: pd.Series, fn: pd.Series) -> pd.DataFrame:
    precision = tp / (tp + fp).where(tp + fp > 0)
    recall = tp / (tp + fn).where(tp + fn > 0)
    f1 = 2 * precision * recall / (precision + recall).where(precision + recall > 0)
    return pd.DataFrame({"precision": precision, "recall": recall, "f1": f1}).round(4)


LEVELS = ("low", "medium", "high")


def evaluate(leads: pd.DataFrame, labels: pd.DataFrame, *, min_level: str = "medium") -> Evaluation:
    """Score leads against labels (see the module docstring)."""
    if min_level not in LEVELS:
        raise ValueError(f"min_level must be one of {LEVELS}")
    if "risk_level" in leads.columns:
        leads = leads[leads["risk_level"].isin(LEVELS[LEVELS.index(min_level) :])]
    key = ["entity_type", "entity_id"]
    truth = labels.loc[labels["label"] != "benign", [*key, "label"]].drop_duplicates()
    truth = truth.rename(columns={"label": "scenario"})
    truth["truth"] = True

    pred = leads[[*key, "scenario"]].drop_duplicates()
    scen = pred.merge(truth, on=[*key, "scenario"], how="outer", indicator=True)
    counts = scen.groupby("scenario")["_merge"].value_counts().unstack(fill_value=0)
    counts = counts.reindex(columns=["both", "left_only", "right_only"], fill_value=0)
    tp, fp, fn = counts["both"], counts["left_only"], counts["right_only"]
    by_scenario = pd.concat(
        [
            pd.DataFrame({"leads": tp + fp, "truth": tp + fn, "tp": tp, "fp": fp, "fn": fn}),
            _prf(tp, fp, fn),
        ],
        axis=1,
    ).reset_index()

    det = leads[[*key, "scenario", "detector"]].drop_duplicates()
    det = det.merge(truth, on=[*key, "scenario"], how="left")
    det["truth"] = det["truth"].astype("boolean").fillna(False)
    g = det.groupby(["detector", "scenario"])
    d_tp = g["truth"].sum()
    d_fp = g["truth"].count() - d_tp
    n_truth = truth.groupby("scenario").size()
    d_fn = n_truth.reindex(d_tp.index.get_level_values("scenario")).fillna(0).to_numpy() - d_tp
    by_detector = pd.concat(
        [pd.DataFrame({"leads": d_tp + d_fp, "tp": d_tp, "fp": d_fp}), _prf(d_tp, d_fp, d_fn)],
        axis=1,
    ).reset_index()

    fps = scen.loc[scen["_merge"] == "left_only", [*key, "scenario"]]
    kinds = labels.assign(
        kind=labels["detail"].where(labels["label"] == "benign").fillna("other:" + labels["label"])
    )[[*key, "kind"]].drop_duplicates(subset=key)
    fps = fps.merge(kinds, on=key, how="left").fillna({"kind": "unlabelled"})
    false_positives = (
        fps.groupby(["scenario", "kind"])
        .size()
        .rename("count")
        .reset_index()
        .sort_values(["scenario", "count"], ascending=[True, False], ignore_index=True)
    )
    return Evaluation(by_scenario, by_detector, false_positives, min_level)
