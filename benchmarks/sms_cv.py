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
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.naive_bayes import ComplementNB
from sklearn.svm import LinearSVC

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fraudwall.content.classifier import NORMAL, Settings, fit
from fraudwall.content.ngrams import Vectoriser
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
}


def scores(y: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    return {
        "macro_f1": float(f1_score(y, pred, average="macro")),
        "fraud_vs_normal_f1": float(f1_score(y != NORMAL, pred != NORMAL)),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--texts", type=Path, required=True)
    ap.add_argument("--variants", default=",".join(VARIANTS))
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", type=Path, help="also write the figures here")
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
        for tr, te in splits:
            predict = train(texts[tr].tolist(), y[tr].tolist())
            for tag, x in (("clean", texts[te]), ("obfuscated", obf[te])):
                for k, v in scores(y[te], predict(x.tolist())).items():
                    per.setdefault(f"{tag}_{k}", []).append(v)
        summary = {k: (float(np.mean(v)), float(np.std(v))) for k, v in per.items()}
        results[name] = {"summary": summary, "folds": per, "seconds": time.perf_counter() - t0}
        cells = "  ".join(f"{k}={m:.4f}±{s:.4f}" for k, (m, s) in summary.items())
        print(f"{name}: {cells}  ({results[name]['seconds']:.0f} s)", flush=True)
    if a.json:
        a.json.write_text(json.dumps(results, indent=2) + "\n", "utf-8")


if __name__ == "__main__":
    main()
