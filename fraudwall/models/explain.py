"""Why a number scored high: the features that pushed its score up, in words a person reads.

LightGBM's per-row contributions (SHAP values of the trees, in log-odds) say how much each feature
moved a number's score from the average. The reasons are the ``top`` largest positive
contributions, each written as the feature's name (or its description), the number's value and
the median among the normal (label 0) training numbers, e.g.
``distinct contacts in the call graph 412 (normal median 35); sms_count 26 (normal median
600)``.
"""

from __future__ import annotations

import lightgbm as lgb
import numpy as np
import pandas as pd

from fraudwall.models.graph_features import DESCRIPTIONS, NEIGHBOUR_MEAN_PREFIX

NO_REASON = "no feature raised the score"


def describe(column: str) -> str:
    """A readable name for a model column."""
    if column in DESCRIPTIONS:
        return DESCRIPTIONS[column]
    if column.startswith(NEIGHBOUR_MEAN_PREFIX):
        return f"contacts' average {column.removeprefix(NEIGHBOUR_MEAN_PREFIX)} (log scale)"
    return column


def _fmt(values: np.ndarray) -> np.ndarray:
    text = np.char.mod("%.4g", np.nan_to_num(values, nan=0.0))
    return np.where(np.isnan(values), "missing", text)


def reasons(
    booster: lgb.Booster, design: pd.DataFrame, typical: pd.Series, *, top: int = 3
) -> pd.Series:
    """The top positive contributions of each row as one ``; ``-separated string per row."""
    x = design.to_numpy(dtype=np.float64)
    contrib = np.asarray(booster.predict(x, pred_contrib=True))[:, :-1]  # last column is the bias
    order = np.argsort(-contrib, axis=1, kind="stable")[:, :top]
    rows = np.arange(len(x))[:, None]
    pushed = contrib[rows, order] > 0
    names = np.array([describe(c) for c in design.columns], dtype=object)
    typ = typical.reindex(design.columns).to_numpy(dtype=np.float64)
    # contributions are sorted, so the ones that pushed the score up form a prefix of each row
    text = pd.Series("", index=design.index, dtype=object)
    for k in range(order.shape[1]):  # over the top-k ranks, not over rows
        col = order[:, k]
        phrase = (
            names[col]
            + " "
            + _fmt(x[rows[:, 0], col]).astype(object)
            + " (normal median "
            + _fmt(typ[col]).astype(object)
            + ")"
        )
        sep = "" if k == 0 else "; "
        text = text + np.where(pushed[:, k], sep + phrase, "")
    return text.mask(text == "", NO_REASON).astype(str).rename("reasons")
