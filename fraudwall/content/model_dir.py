"""Saving and loading an SMS classifier directory: card, weights, vocabulary; no pickle.

A directory holds ``card.json`` / ``card.md`` (the model card, as for the fraud-number model:
training fingerprint, cross-validated thresholds, library versions), ``weights.npz`` (arrays
only, loaded with ``allow_pickle=False``) and ``ngrams.json`` (the readable vocabulary, for
reasons). A directory written by another format version, or by another kind of model, is
refused with an error that says so.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from fraudwall.content.classifier import Settings, SmsClassifier
from fraudwall.content.ngrams import Vectoriser
from fraudwall.errors import InputError
from fraudwall.models.card import library_versions

KIND = "fraudwall-sms-classifier"
#: Bumped whenever the files or the feature hashing change; older directories must be retrained.
FORMAT = 1


def save(model: SmsClassifier, directory: Path, card: dict[str, Any]) -> None:
    """Write the model directory atomically (a temporary sibling renamed into place)."""
    directory = Path(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    try:
        v = model.vectoriser
        np.savez_compressed(
            tmp / "weights.npz",
            coef=model.coef,
            intercept=model.intercept,
            platt=model.platt,
            thresholds=model.thresholds,
            vocab=v.vocab,
            idf=v.idf,
        )
        (tmp / "ngrams.json").write_text(json.dumps(v.text, ensure_ascii=False), "utf-8")
        full = {
            "kind": KIND,
            "format": FORMAT,
            "classes": model.classes,
            "fallback": model.fallback,
            "thresholds": dict(zip(model.classes, model.thresholds.round(6).tolist(), strict=True)),
            "vectoriser": v.config(),
            "settings": asdict(model.settings),
            "versions": library_versions(),
            **card,
        }
        (tmp / "card.json").write_text(
            json.dumps(full, indent=2, sort_keys=True, ensure_ascii=False) + "\n", "utf-8"
        )
        (tmp / "card.md").write_text(render_card(full), "utf-8")
        if directory.exists():
            old = directory.with_name(f".{directory.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(directory, old)
            os.replace(tmp, directory)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, directory)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def load(directory: Path) -> SmsClassifier:
    """Load a model directory written by :func:`save`."""
    directory = Path(directory)
    card_path = directory / "card.json"
    if not card_path.is_file():
        raise InputError("not an SMS model directory (no card.json)", file=str(directory))
    try:
        card = json.loads(card_path.read_text("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InputError(f"unreadable model card: {e}", file=str(card_path)) from None
    if card.get("kind") != KIND:
        raise InputError(
            f"this is not an SMS classifier (kind {card.get('kind', 'unknown')!r}); "
            "train one with `fraudwall sms train`",
            file=str(card_path),
        )
    if card.get("format") != FORMAT:
        raise InputError(
            f"model format {card.get('format')!r} was written by another fraudwall version "
            f"(fraudwall {card.get('versions', {}).get('fraudwall', '?')}); this version reads "
            f"format {FORMAT}: retrain it with `fraudwall sms train`",
            file=str(card_path),
        )
    try:
        with np.load(directory / "weights.npz", allow_pickle=False) as w:
            arrays = {k: w[k] for k in w.files}
        text = json.loads((directory / "ngrams.json").read_text("utf-8"))
    except (OSError, ValueError, KeyError) as e:
        raise InputError(f"damaged model directory: {e}", file=str(directory)) from None
    vec = Vectoriser.restore(
        card["vectoriser"], {"vocab": arrays["vocab"], "idf": arrays["idf"], "text": text}
    )
    s = card["settings"]
    settings = Settings(**{**s, "orders": tuple(s["orders"]), "channels": tuple(s["channels"])})
    return SmsClassifier(
        vectoriser=vec,
        classes=list(card["classes"]),
        coef=arrays["coef"],
        intercept=arrays["intercept"],
        platt=arrays["platt"],
        thresholds=arrays["thresholds"],
        fallback=card["fallback"],
        settings=settings,
    )


def render_card(card: dict[str, Any]) -> str:
    """The card as Markdown for people."""
    t = card["training"]
    cv = card.get("cv", {})
    lines = [
        "# fraudwall SMS classifier card",
        "",
        f"Character {'/'.join(map(str, card['vectoriser']['orders']))}-gram TF-IDF over "
        f"{' and '.join(card['vectoriser']['channels'])} normalised text, linear SVM, "
        "Platt-calibrated per class; per-class thresholds chosen by cross-validation.",
        "",
        f"- classes: {', '.join(card['classes'])} (fallback: {card['fallback']})",
        f"- training rows: {t['rows']} from `{t['file']}`",
        f"- per class: {', '.join(f'{k} {v}' for k, v in t['per_class'].items())}",
        f"- training data fingerprint (SHA-256): `{t['fingerprint']}`",
        f"- vocabulary: {t['vocabulary']} n-grams",
        "",
        "## Thresholds (calibrated probability; cross-validated per-class F1 maximum)",
        "",
        "| class | threshold | out-of-fold F1 |",
        "|---|---|---|",
        *[
            f"| {c} | {card['thresholds'][c]:.4f} | {cv.get('per_class_f1', {}).get(c, 0):.4f} |"
            for c in card["classes"]
        ],
        "",
        f"Out-of-fold macro-F1 {cv.get('macro_f1', 0):.4f} ({cv.get('folds', '?')}-fold, "
        "thresholds applied).",
        "",
        "## Libraries",
        "",
        *[f"- {k} {v}" for k, v in card["versions"].items()],
        "",
    ]
    return "\n".join(lines)


def json_card(directory: Path) -> dict[str, Any]:
    """``card.json`` of a model directory."""
    return json.loads((Path(directory) / "card.json").read_text("utf-8"))
