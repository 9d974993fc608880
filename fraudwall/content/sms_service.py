"""Train and apply the SMS classifier on files: what ``fraudwall sms`` and the API call."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import f1_score

from fraudwall.content import model_dir
from fraudwall.content.classifier import Settings, SmsClassifier, fit
from fraudwall.content.texts import read_texts
from fraudwall.errors import InputError
from fraudwall.models.card import fingerprint

CLASSIFY_COLUMNS = ["content", "label", "score", "reasons"]


def train_sms(
    *, texts: Path, out: Path, seed: int = 0, normal_label: str = "normal"
) -> dict[str, Any]:
    """Train on a ``content,label`` CSV and write the model directory; returns the card."""
    df = read_texts(texts, labelled=True)
    model, oof = fit(
        df["content"].tolist(), df["label"].tolist(), Settings(seed=seed, normal_label=normal_label)
    )
    y = oof["y"]
    pred = model.decide(oof["oof_proba"])  # type: ignore[arg-type]
    per = f1_score(y, pred, average=None, labels=range(len(model.classes)))
    card = {
        "training": {
            "file": Path(texts).name,
            "rows": len(df),
            "per_class": {k: int(v) for k, v in df["label"].value_counts().sort_index().items()},
            "fingerprint": fingerprint(df[["content", "label"]].reset_index(drop=True)),
            "vocabulary": int(model.vectoriser.vocab.size),
        },
        "cv": {
            "folds": model.settings.calibration_folds,
            "macro_f1": round(float(np.mean(per)), 4),
            "per_class_f1": dict(zip(model.classes, np.round(per, 4).tolist(), strict=True)),
            "note": "out-of-fold scores of the calibration folds, thresholds fitted on them",
        },
    }
    model_dir.save(model, out, card)
    return model_dir.json_card(out)


def classify_sms(*, model: Path, texts: Path, out: Path, reasons: int = 3) -> dict[str, Any]:
    """Classify a ``content`` CSV into ``content,label,score,reasons`` (written atomically)."""
    clf = model_dir.load(model)
    df = read_texts(texts, labelled=False)
    res = clf.classify(df["content"].tolist(), reasons=reasons)
    table = pd.DataFrame({"content": df["content"], **{c: res[c] for c in res.columns}})
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    table[CLASSIFY_COLUMNS].to_csv(tmp, index=False, encoding="utf-8")
    os.replace(tmp, out)
    counts = table["label"].value_counts().sort_index()
    return {"messages": len(table), "per_label": {k: int(v) for k, v in counts.items()}}


def load_classifier(path: Path) -> SmsClassifier:
    """The classifier in ``path`` (see :func:`fraudwall.content.model_dir.load`)."""
    if not str(path):
        raise InputError("no model directory given")
    return model_dir.load(path)
