"""The SMS classifier: TF-IDF character n-grams, a linear SVM, Platt calibration, thresholds.

Any label set is accepted (the operator's own taxonomy). Scores are per-class Platt-calibrated
probabilities; each class has a threshold chosen by cross-validation on the training labels
(the one that maximises that class's F1 on out-of-fold scores). A message takes the most
probable class whose score clears its threshold; when none does, it falls back to the
``fallback`` class (``normal``, or the label given as the normal one, when the labels have it;
else the most frequent class).
The ``reasons`` are the n-grams that pushed the chosen class's decision value up most.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.special import expit
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

from fraudwall.content.ngrams import Vectoriser
from fraudwall.errors import InputError

#: Label that means "not fraud" when the training labels contain it.
NORMAL = "normal"


@dataclass
class Settings:
    """What the classifier is made of (stored in the model card)."""

    orders: tuple[int, ...] = (1, 2, 3)
    # The homophone channel is measured but off: it added nothing beyond noise on the obfuscated
    # evaluation and halves throughput (docs/evaluation.md, "Fraud content").
    channels: tuple[str, ...] = ("plain",)
    min_df: int = 2
    c: float = 2.0
    #: ``"balanced"`` weighs each class by the inverse of its frequency; ``None``: all alike.
    class_weight: str | None = None
    #: ``"svm"``: LinearSVC with ``c``; ``"sgd"``: hinge-loss SGD with L2 ``alpha`` (50 epochs).
    learner: str = "svm"
    alpha: float = 2e-5
    calibration_folds: int = 3
    seed: int = 0
    #: The class that means "not fraud": the fallback when no class clears its threshold.
    normal_label: str = NORMAL


@dataclass
class SmsClassifier:
    """A fitted classifier: vectoriser, linear weights, calibration and thresholds."""

    vectoriser: Vectoriser
    classes: list[str]
    coef: np.ndarray  # classes x vocabulary, float32
    intercept: np.ndarray  # classes
    platt: np.ndarray  # classes x 2: a, b of 1 / (1 + exp(a * d + b))
    thresholds: np.ndarray  # classes
    fallback: str
    settings: Settings = field(default_factory=Settings)

    def decision(self, x: sp.csr_matrix) -> np.ndarray:
        return np.asarray(x @ self.coef.T) + self.intercept

    def proba(self, d: np.ndarray) -> np.ndarray:
        # expit(-z) = 1 / (1 + exp(z)) without overflow on large decision values.
        p = expit(-(self.platt[:, 0] * d + self.platt[:, 1]))
        if p.shape[1] == 1:
            return np.hstack([1 - p, p])
        s = p.sum(axis=1, keepdims=True)
        return p / np.where(s > 0, s, 1)

    def decide(self, p: np.ndarray) -> np.ndarray:
        """Class index per row under the per-class thresholds."""
        return decide(p, self.thresholds, self.classes.index(self.fallback))

    def classify(self, texts: list[str], *, reasons: int = 3) -> pd.DataFrame:
        """``label``, ``score`` (calibrated probability of that label) and ``reasons``."""
        x = self.vectoriser.transform(texts)
        d = self.decision(x)
        p = self.proba(d)
        k = self.decide(p)
        out = pd.DataFrame(
            {
                "label": np.asarray(self.classes, dtype=object)[k],
                "score": p[np.arange(len(k)), k].round(4),
            }
        )
        if reasons:
            out["reasons"] = self.explain(x, k, top=reasons)
        return out

    def explain(self, x: sp.csr_matrix, k: np.ndarray, *, top: int = 3) -> list[str]:
        """The ``top`` n-grams with the largest positive contribution to each row's class."""
        if len(self.classes) == 2 and self.coef.shape[0] == 1:
            sign = np.where(k == 1, 1.0, -1.0)
            w = self.coef[0][x.indices] * np.repeat(sign, np.diff(x.indptr))
        else:
            w = self.coef[np.repeat(k, np.diff(x.indptr)), x.indices]
        contrib = np.maximum(x.data * w, 0)
        n = x.shape[0]
        lengths = np.diff(x.indptr)
        row = np.repeat(np.arange(n), lengths)
        # Only n-grams within a quarter of the row's strongest can be among its top few:
        # pruning first keeps the sort small.
        row_max = np.zeros(n)
        filled = lengths > 0
        if contrib.size:
            row_max[filled] = np.maximum.reduceat(contrib, x.indptr[:-1][filled])
        keep = (contrib > 0) & (contrib >= 0.25 * row_max[row])
        row, col, contrib = row[keep], x.indices[keep], contrib[keep]
        order = np.argsort(row + 1.0 / (1.0 + contrib / row_max[row]), kind="stable")
        row, col = row[order], col[order]
        start = np.searchsorted(row, np.arange(n))
        rank = np.arange(row.size) - start[row]
        sel = rank < 3 * top  # spare candidates: a homophone twin of a shown n-gram is skipped
        out: list[list[str]] = [[] for _ in range(x.shape[0])]
        text = self.vectoriser.text
        for r, c in zip(row[sel].tolist(), col[sel].tolist(), strict=True):
            o, t = out[r], text[c]
            if len(o) < top and t not in o and t.lstrip("≈") not in o and "≈" + t not in o:
                o.append(t)
        return [" | ".join(o) for o in out]


def decide(p: np.ndarray, thresholds: np.ndarray, fallback: int) -> np.ndarray:
    """Most probable class among those at or above their threshold, else ``fallback``.

    >>> decide(np.array([[0.6, 0.4], [0.2, 0.8]]), np.array([0.0, 0.9]), 0).tolist()
    [0, 0]
    """
    passing = np.where(p >= thresholds, p, -1.0)
    passing[:, fallback] = -1.0
    best = passing.argmax(axis=1)
    return np.where(passing[np.arange(len(p)), best] >= 0, best, fallback)


def _svm(settings: Settings) -> LinearSVC | SGDClassifier:
    if settings.learner == "sgd":
        return SGDClassifier(
            alpha=settings.alpha,
            max_iter=50,
            tol=None,
            class_weight=settings.class_weight,
            random_state=settings.seed,
        )
    if settings.learner != "svm":
        raise InputError(f"unknown learner {settings.learner!r}; expected svm or sgd")
    return LinearSVC(C=settings.c, class_weight=settings.class_weight, random_state=settings.seed)


def _platt(d: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Platt scaling of one class's decision values (a, b of 1 / (1 + exp(a d + b)))."""
    if y.min() == y.max():
        return -1.0, 0.0
    lr = LogisticRegression(C=1e6, max_iter=1000).fit(d.reshape(-1, 1), y)
    return float(-lr.coef_[0, 0]), float(-lr.intercept_[0])


def best_threshold(score: np.ndarray, y: np.ndarray) -> float:
    """The threshold with the highest F1 for one class.

    The best cut keeps the scores down to some ``s[i]``; the threshold is set half-way to the
    next lower score, so a new message scoring a little below the lowest positive seen in
    training still passes (ties between cuts: the stricter one).

    >>> best_threshold(np.array([0.1, 0.4, 0.6, 0.9]), np.array([0, 0, 1, 1]))
    0.5
    """
    order = np.argsort(-score, kind="stable")
    s, t = score[order], y[order].astype(np.int64)
    tp = np.cumsum(t)
    fp = np.cumsum(1 - t)
    f1 = 2 * tp / (tp + fp + t.sum())
    # Only cut between distinct scores.
    last = np.r_[s[1:] != s[:-1], True]
    i = int(np.argmax(np.where(last, f1, -1)))
    return float((s[i] + s[i + 1]) / 2) if i + 1 < s.size else float(s[i])


def fit(
    texts: list[str], labels: list[str], settings: Settings | None = None
) -> tuple[SmsClassifier, dict[str, object]]:
    """Fit the classifier; returns it and the out-of-fold figures used to calibrate it."""
    settings = settings or Settings()
    y_str = np.asarray(labels, dtype=object)
    classes = sorted(set(y_str.tolist()))
    if len(classes) < 2:
        raise InputError(
            f"the label column has one class only ({classes[0] if classes else 'none'}); "
            "training needs at least two",
            field="label",
        )
    counts = pd.Series(y_str).value_counts()
    folds = min(settings.calibration_folds, int(counts.min()))
    if folds < 2:
        rare = counts.idxmin()
        raise InputError(
            f"label {rare!r} has {int(counts.min())} message(s); each class needs at least 2",
            field="label",
        )
    y = np.searchsorted(classes, y_str)
    vec = Vectoriser(orders=settings.orders, channels=settings.channels, min_df=settings.min_df)
    # Out-of-fold decision values calibrate the scores and choose the thresholds; the
    # vectoriser of each fold is fitted on that fold's training part only.
    oof = np.zeros((len(texts), len(classes) if len(classes) > 2 else 1))
    skf = StratifiedKFold(folds, shuffle=True, random_state=settings.seed)
    arr = np.asarray(texts, dtype=object)
    for tr, te in skf.split(arr, y):
        v = Vectoriser(orders=settings.orders, channels=settings.channels, min_df=settings.min_df)
        xt = v.fit(arr[tr].tolist()).transform(arr[tr].tolist())
        m = _svm(settings).fit(xt, y[tr])
        oof[te] = m.decision_function(v.transform(arr[te].tolist())).reshape(len(te), -1)
    if len(classes) == 2:
        platt = np.array([_platt(oof[:, 0], y == 1)])
    else:
        platt = np.array([_platt(oof[:, c], y == c) for c in range(len(classes))])
    x = vec.fit(arr.tolist()).transform(arr.tolist())
    m = _svm(settings).fit(x, y)
    model = SmsClassifier(
        vectoriser=vec,
        classes=classes,
        coef=m.coef_.astype(np.float32),
        intercept=m.intercept_.astype(np.float64),
        platt=platt,
        thresholds=np.zeros(len(classes)),
        fallback=settings.normal_label
        if settings.normal_label in classes
        else classes[int(np.argmax(counts[classes]))],
        settings=settings,
    )
    p = model.proba(oof)
    model.thresholds = np.array(
        [best_threshold(p[:, c], y == c) for c in range(len(classes))], dtype=np.float64
    )
    model.thresholds[classes.index(model.fallback)] = 0.0
    return model, {"oof_proba": p, "y": y}
