"""Evaluation figures of a scored fold: the ones docs/evaluation.md and the model card report."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import (
    average_precision_score,
    f1_score,
    precision_score,
    recall_score,
    roc_auc_score,
)

#: ``f1`` is the fraud class's; ``weighted_f1`` (classes weighted by their size) is there because
#: published results on fraud data often report it without saying so.
METRICS = (
    "f1",
    "macro_f1",
    "weighted_f1",
    "roc_auc",
    "pr_auc",
    "precision",
    "recall",
    "threshold",
)


def fold_metrics(y: np.ndarray, p: np.ndarray, threshold: float) -> dict[str, float]:
    """Fraud-class, macro and weighted F1, ROC-AUC, PR-AUC; precision, recall at ``threshold``."""
    decision = (p >= threshold).astype(int)
    return {
        "f1": float(f1_score(y, decision, zero_division=0)),
        "macro_f1": float(f1_score(y, decision, average="macro", zero_division=0)),
        "weighted_f1": float(f1_score(y, decision, average="weighted", zero_division=0)),
        "roc_auc": float(roc_auc_score(y, p)),
        "pr_auc": float(average_precision_score(y, p)),
        "precision": float(precision_score(y, decision, zero_division=0)),
        "recall": float(recall_score(y, decision, zero_division=0)),
        "threshold": float(threshold),
    }


def summarise(folds: list[dict[str, float]]) -> dict[str, dict[str, float]]:
    """Mean and standard deviation over folds of each metric."""
    table = np.array([[f[m] for m in METRICS] for f in folds])
    return {
        m: {"mean": float(table[:, i].mean()), "sd": float(table[:, i].std(ddof=1))}
        for i, m in enumerate(METRICS)
    }
