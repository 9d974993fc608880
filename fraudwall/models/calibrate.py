"""Turning raw model margins into calibrated probabilities and a 0/1 decision.

Both are fitted on out-of-fold predictions of the training rows only (never on the rows being
evaluated): Platt scaling maps a LightGBM margin ``m`` to ``1 / (1 + exp(-(a * m + b)))``, a
monotone map, so ranking metrics are unchanged; the threshold on the calibrated probability
maximises the fraud-class F1, or is the lowest one that meets a policy precision target.

>>> import numpy as np
>>> cal = Platt.fit(np.array([-2.0, -1.0, 1.0, 2.0]), np.array([0, 0, 1, 1]))
>>> bool(cal.apply(np.array([3.0]))[0] > 0.5)
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import precision_recall_curve


@dataclass(frozen=True)
class Platt:
    """Logistic calibration of a margin: ``p = sigmoid(a * margin + b)``."""

    a: float
    b: float

    @classmethod
    def fit(cls, margin: np.ndarray, y: np.ndarray) -> Platt:
        """Fit on out-of-fold margins and their labels."""
        lr = LogisticRegression(C=1e6, max_iter=1000).fit(margin.reshape(-1, 1), y)
        return cls(a=float(lr.coef_[0, 0]), b=float(lr.intercept_[0]))

    def apply(self, margin: np.ndarray) -> np.ndarray:
        """Calibrated probability of fraud."""
        return 1.0 / (1.0 + np.exp(-(self.a * margin + self.b)))


def choose_threshold(
    y: np.ndarray,
    p: np.ndarray,
    *,
    precision_target: float | None = None,
    bootstrap: int = 0,
    seed: int = 0,
) -> float:
    """Decision threshold on probability ``p``: best F1, or the lowest meeting the precision target.

    When no threshold reaches the precision target, the one with the highest precision is used.
    With ``bootstrap`` > 0 the best-F1 threshold is the median of the best-F1 thresholds of that
    many resamples of ``(y, p)``: the F1 curve is flat near its top, so the arg-max of one sample
    moves with a handful of rows, and the median of resamples does not.

    >>> y = np.array([0, 0, 0, 1, 1, 1]); p = np.array([.1, .2, .6, .4, .8, .9])
    >>> choose_threshold(y, p), choose_threshold(y, p, bootstrap=50) > 0
    (0.4, True)
    """
    if bootstrap > 0 and precision_target is None:
        rng = np.random.default_rng(seed)
        picks = []
        for _ in range(bootstrap):  # a few hundred resamples of a few thousand rows
            idx = rng.integers(0, len(y), len(y))
            if 0 < y[idx].sum() < len(idx):
                picks.append(choose_threshold(y[idx], p[idx]))
        if picks:
            return float(np.median(picks))
    precision, recall, thresholds = precision_recall_curve(y, p)
    precision, recall = precision[:-1], recall[:-1]  # the last point has no threshold
    if precision_target is not None:
        ok = np.flatnonzero(precision >= precision_target)
        return float(thresholds[ok[0]] if len(ok) else thresholds[np.argmax(precision)])
    f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
    return float(thresholds[np.argmax(f1)])
