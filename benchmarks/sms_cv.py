"""Cross-validate SMS classifier variants: macro-F1 and fraud-vs-normal F1, clean and obfuscated.

    flock /tmp/fraudwall-heavy.lock .venv/bin/python benchmarks/sms_cv.py \
        --texts ../shared/data/fraud_texts/train.csv [--variants a,b] [--folds 5]

Each variant is trained on the clean training part of every fold and tested twice: on the
clean test part and on an obfuscated copy of it (:func:`fraudwall.content.obfuscate`), so the
obfuscated figure is train-clean / test-obfuscated. Thresholds and calibration of fraudwall's
own variants are fitted inside each training part (nested), never on the test part.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.metrics import confusion_matrix, f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.naive_bayes import ComplementNB
from sklearn.svm import LinearSVC

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fraudwall.content.classifier import NORMAL, Settings, best_threshold, decide, fit
from fraudwall.content.ngrams import Vectoriser
from fraudwall.content.normalize import normalise
from fraudwall.content.obfuscate import obfuscate_all
from fraudwall.content.texts import read_texts

Predict = Callable[[list[str]], np.ndarray]


def fraudwall_variant(settings: Settings) -> Callable[[list[str], list[str]], Predict]:
    def train(texts: list[str], labels: list[str]) -> Predict:
        model, _ = fit(texts, labels, settings)
        return lambda t: model.classify(t, reasons=0)["label"].to_numpy()

    return train


def hashed_plain(
    estimator: Callable[[], object], channels: tuple[str, ...] = ("plain", "homophone")
) -> Callable[[list[str], list[str]], Predict]:
    def train(texts: list[str], labels: list[str]) -> Predict:
        v = Vectoriser(channels=channels)
        m = estimator().fit(v.fit(texts).transform(texts), labels)  # type: ignore[attr-defined]
        return lambda t: m.predict(v.transform(t))

    return train


def nested_c(
    cs: tuple[float, ...] = (0.5, 1.0, 2.0, 5.0),
) -> Callable[[list[str], list[str]], Predict]:
    """The default classifier with C chosen inside each training part (inner 3-fold CV,
    argmax macro-F1), so no figure reported comes from a C picked on its own test fold."""

    def train(texts: list[str], labels: list[str]) -> Predict:
        arr, y = np.asarray(texts, dtype=object), np.asarray(labels, dtype=object)
        inner = list(StratifiedKFold(3, shuffle=True, random_state=1).split(arr, y))
        mean_f1 = dict.fromkeys(cs, 0.0)
        for tr, te in inner:
            v = Vectoriser(channels=("plain",))
            xtr, xte = (
                v.fit(arr[tr].tolist()).transform(arr[tr].tolist()),
                v.transform(arr[te].tolist()),
            )
            for c in cs:
                pred = LinearSVC(C=c, random_state=0).fit(xtr, y[tr]).predict(xte)
                mean_f1[c] += float(f1_score(y[te], pred, average="macro")) / len(inner)
        best = max(cs, key=lambda c: mean_f1[c])
        print(f"  inner CV chose C={best}", flush=True)
        return fraudwall_variant(Settings(c=best))(texts, labels)

    return train


def calibrated_ensemble(*members: Settings) -> Callable[[list[str], list[str]], Predict]:
    """Mean of several calibrated classifiers' probabilities; per-class thresholds chosen on
    the mean of their out-of-fold probabilities (inside the training part)."""

    def train(texts: list[str], labels: list[str]) -> Predict:
        fitted = [fit(texts, labels, s) for s in members]
        models = [m for m, _ in fitted]
        oof = np.mean([figures["oof_proba"] for _, figures in fitted], axis=0)
        y = fitted[0][1]["y"]
        classes, fallback = models[0].classes, models[0].classes.index(models[0].fallback)
        th = np.array([best_threshold(oof[:, c], y == c) for c in range(len(classes))])
        th[fallback] = 0.0

        def predict(t: list[str]) -> np.ndarray:
            p = np.mean([m.proba(m.decision(m.vectoriser.transform(t))) for m in models], axis=0)
            return np.asarray(classes, dtype=object)[decide(p, th, fallback)]

        return predict

    return train


_SEGMENTED: dict[str, str] = {}


def _words(texts: list[str]) -> list[str]:
    """jieba word segmentation of the normalised text, words joined by spaces (memoised:
    every fold segments the same messages again)."""
    import jieba

    jieba.setLogLevel(60)
    for t in texts:
        if t not in _SEGMENTED:
            _SEGMENTED[t] = " ".join(jieba.lcut(normalise(t)))
    return [_SEGMENTED[t] for t in texts]


def chars_and_words(
    estimator: Callable[[], object], orders: tuple[int, ...] = (1, 2, 3, 4), words: bool = True
) -> Callable[[list[str], list[str]], Predict]:
    """Character n-grams of the normalised text (fraudwall's vectoriser) side by side with
    jieba word 1-2-gram TF-IDF, each block L2-normalised and weighted 1/sqrt(2); argmax."""

    def train(texts: list[str], labels: list[str]) -> Predict:
        cv = Vectoriser(orders=orders, channels=("plain",)).fit(texts)
        wv = TfidfVectorizer(
            tokenizer=str.split,
            token_pattern=None,
            lowercase=False,
            ngram_range=(1, 2),
            min_df=2,
            sublinear_tf=True,
        )
        wv.fit(_words(texts))

        def features(t: list[str]) -> sp.csr_matrix:
            blocks = [cv.transform(t)] + ([wv.transform(_words(t))] if words else [])
            return sp.hstack([b / np.sqrt(len(blocks)) for b in blocks]).tocsr()

        m = estimator().fit(features(texts), labels)  # type: ignore[attr-defined]
        return lambda t: m.predict(features(t))

    return train


def words_only(estimator: Callable[[], object]) -> Callable[[list[str], list[str]], Predict]:
    """jieba word 1-2-gram TF-IDF of the normalised text alone; argmax."""

    def train(texts: list[str], labels: list[str]) -> Predict:
        wv = TfidfVectorizer(
            tokenizer=str.split,
            token_pattern=None,
            lowercase=False,
            ngram_range=(1, 2),
            min_df=2,
            sublinear_tf=True,
        )
        m = estimator().fit(wv.fit_transform(_words(texts)), labels)  # type: ignore[attr-defined]
        return lambda t: m.predict(wv.transform(_words(t)))

    return train


def sklearn_baseline(estimator: Callable[[], object]) -> Callable[[list[str], list[str]], Predict]:
    """The issue's baseline: scikit-learn char 1-3-gram TF-IDF on the raw text."""

    def train(texts: list[str], labels: list[str]) -> Predict:
        v = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), min_df=2, sublinear_tf=True)
        m = estimator().fit(v.fit_transform(texts), labels)  # type: ignore[attr-defined]
        return lambda t: m.predict(v.transform(t))

    return train


VARIANTS: dict[str, Callable[[list[str], list[str]], Predict]] = {
    "sklearn_tfidf13_raw_logreg": sklearn_baseline(lambda: LogisticRegression(C=10, max_iter=2000)),
    "sklearn_tfidf13_raw_linearsvc": sklearn_baseline(lambda: LinearSVC(C=0.5)),
    "hashed13_plain_svc_C2_calibrated": fraudwall_variant(Settings(channels=("plain",))),
    "hashed13_plain+homophone_svc_C0.5_calibrated": fraudwall_variant(Settings(c=0.5)),
    "hashed14_plain+homophone_svc_C2_calibrated": fraudwall_variant(Settings(orders=(1, 2, 3, 4))),
    # The shipped default (fraudwall.content.classifier.Settings()).
    "hashed13_plain+homophone_svc_C2_calibrated": fraudwall_variant(Settings()),
    "hashed13_plain+homophone_complementnb": hashed_plain(lambda: ComplementNB(alpha=0.1)),
    "hashed13_plain+homophone_sgd_modhuber": hashed_plain(
        lambda: SGDClassifier(loss="modified_huber", alpha=1e-5, random_state=0)
    ),
    "hashed13_plain+homophone_logreg": hashed_plain(
        lambda: LogisticRegression(C=20, max_iter=2000)
    ),
    # Second round (issue 12 step 2): argmax rows have no calibration and no thresholds.
    "hashed13_plain_svc_C2_argmax": hashed_plain(lambda: LinearSVC(C=2), channels=("plain",)),
    "hashed14_plain_svc_C2_argmax": chars_and_words(lambda: LinearSVC(C=2), words=False),
    "jieba12_svc_C2_argmax": words_only(lambda: LinearSVC(C=2)),
    "hashed14+jieba12_svc_C2_argmax": chars_and_words(lambda: LinearSVC(C=2)),
    "hashed14+jieba12_svc_C2_balanced_argmax": chars_and_words(
        lambda: LinearSVC(C=2, class_weight="balanced")
    ),
    "hashed14+jieba12_svc_C5_argmax": chars_and_words(lambda: LinearSVC(C=5)),
    "hashed14+jieba12_sgd_hinge_argmax": chars_and_words(
        lambda: SGDClassifier(alpha=2e-5, max_iter=50, tol=None, random_state=0)
    ),
    "hashed14+jieba12_logreg_C30_argmax": chars_and_words(
        lambda: LogisticRegression(C=30, max_iter=3000)
    ),
    "hashed13_plain_sgd_hinge_argmax": hashed_plain(
        lambda: SGDClassifier(alpha=2e-5, max_iter=50, tol=None, random_state=0),
        channels=("plain",),
    ),
    "hashed14_plain_sgd_hinge_argmax": chars_and_words(
        lambda: SGDClassifier(alpha=2e-5, max_iter=50, tol=None, random_state=0), words=False
    ),
    "hashed14+jieba12_complementnb_argmax": chars_and_words(lambda: ComplementNB(alpha=0.03)),
    "hashed13_plain_sgd_hinge_calibrated": fraudwall_variant(Settings(learner="sgd")),
    "hashed13_plain_svc_nestedC_calibrated": nested_c(),
    "hashed13_plain_svc_C2_balanced_calibrated": fraudwall_variant(
        Settings(class_weight="balanced")
    ),
    "ensemble_plain13+plain_homophone14_calibrated": calibrated_ensemble(
        Settings(), Settings(orders=(1, 2, 3, 4), channels=("plain", "homophone"))
    ),
}


def scores(y: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    return {
        "macro_f1": float(f1_score(y, pred, average="macro")),
        "fraud_vs_normal_f1": float(f1_score(y != NORMAL, pred != NORMAL)),
    }


def write_errors(path: Path, texts: np.ndarray, y: np.ndarray, pred: np.ndarray) -> None:
    """Print the pooled out-of-fold confusion matrix; write the misclassified messages."""
    labels = sorted(set(y.tolist()))
    print(pd.DataFrame(confusion_matrix(y, pred, labels=labels), index=labels, columns=labels))
    bad = pred != y
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"label": y[bad], "predicted": pred[bad], "content": texts[bad]}).to_csv(
        path, index=False
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--texts", type=Path, required=True)
    ap.add_argument("--variants", default=",".join(VARIANTS))
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", type=Path, help="also write the figures here")
    ap.add_argument(
        "--errors",
        type=Path,
        help="write each variant's misclassified clean test messages here (a directory outside "
        "the repository: the texts are research data) and print its pooled confusion matrix",
    )
    a = ap.parse_args()
    df = read_texts(a.texts, labelled=True)
    texts = np.asarray(df["content"].tolist(), dtype=object)
    y = df["label"].to_numpy(dtype=object)
    skf = StratifiedKFold(a.folds, shuffle=True, random_state=a.seed)
    splits = list(skf.split(texts, y))
    obf = np.asarray(obfuscate_all(texts.tolist(), seed=a.seed), dtype=object)
    classes = dict(zip(*np.unique(y, return_counts=True), strict=True))
    print(f"{len(texts)} messages, classes: {classes}")
    results: dict[str, dict[str, object]] = {}
    for name in a.variants.split(","):
        train = VARIANTS[name]
        per: dict[str, list[float]] = {}
        t0 = time.perf_counter()
        pooled = np.empty(len(y), dtype=object)
        for tr, te in splits:
            predict = train(texts[tr].tolist(), y[tr].tolist())
            for tag, x in (("clean", texts[te]), ("obfuscated", obf[te])):
                pred = predict(x.tolist())
                if tag == "clean":
                    pooled[te] = pred
                for k, v in scores(y[te], pred).items():
                    per.setdefault(f"{tag}_{k}", []).append(v)
        if a.errors:
            write_errors(a.errors / f"{name}.csv", texts, y, pooled)
        summary = {k: (float(np.mean(v)), float(np.std(v))) for k, v in per.items()}
        results[name] = {"summary": summary, "folds": per, "seconds": time.perf_counter() - t0}
        cells = "  ".join(f"{k}={m:.4f}±{s:.4f}" for k, (m, s) in summary.items())
        print(f"{name}: {cells}  ({results[name]['seconds']:.0f} s)", flush=True)
    if a.json:
        a.json.write_text(json.dumps(results, indent=2) + "\n", "utf-8")


if __name__ == "__main__":
    main()
