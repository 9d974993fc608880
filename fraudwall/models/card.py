"""The model card: what a trained model is, what it was trained on and how well it did.

``card.json`` (read back by :func:`fraudwall.models.load_model`) and ``card.md`` (for people)
hold the feature columns, graph blocks, calibration, threshold, a fingerprint of the training
data, the cross-validated figures and the library versions. No timestamp: the same data and seed
give byte-identical files.
"""

from __future__ import annotations

import hashlib
import json
import platform
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import pandas as pd

from fraudwall.models.metrics import METRICS

CARD_FORMAT = 1
LIBRARIES = ("fraudwall", "lightgbm", "scikit-learn", "numpy", "pandas", "scipy", "igraph")


def fingerprint(*frames: pd.DataFrame | pd.Series | None) -> str:
    """SHA-256 over the content (index and values) of the training inputs, in a stable order."""
    h = hashlib.sha256()
    for frame in frames:
        if frame is None:
            h.update(b"<none>")
            continue
        obj = frame.sort_index()
        names = obj.columns if isinstance(obj, pd.DataFrame) else [obj.name]
        h.update(",".join(map(str, names)).encode())
        h.update(pd.util.hash_pandas_object(obj, index=True).to_numpy().tobytes())
    return h.hexdigest()


def library_versions() -> dict[str, str]:
    """Versions of Python and of the libraries that shape the model."""
    out = {"python": platform.python_version()}
    for lib in LIBRARIES:
        try:
            out[lib] = version(lib)
        except PackageNotFoundError:
            out[lib] = "absent"
    return out


def write_card(directory: Path, card: dict[str, Any]) -> None:
    """Write ``card.json`` and ``card.md``."""
    (directory / "card.json").write_text(
        json.dumps(card, indent=2, sort_keys=True, ensure_ascii=False) + "\n", "utf-8"
    )
    (directory / "card.md").write_text(render_card(card), "utf-8")


def read_card(directory: Path) -> dict[str, Any]:
    """Read ``card.json``."""
    return json.loads((directory / "card.json").read_text("utf-8"))


def provenance(directory: Path) -> dict[str, Any]:
    """What a model directory was trained on, for the record of a run that used it.

    Reads the ``training`` block of either model's card (the fraud-number model's or the SMS
    classifier's): rows, fingerprint and, where the card has them, the training file's name and
    the rows per class.
    """
    card = read_card(directory)
    training = card.get("training", {})
    keep = ("file", "rows", "fraud", "per_class", "fingerprint")
    return {
        "model_dir": str(directory),
        "kind": card.get("kind", "fraudwall-number-model"),
        **{k: training[k] for k in keep if k in training},
    }


def _cv_table(cv: dict[str, Any]) -> list[str]:
    lines = ["| variant | " + " | ".join(METRICS) + " |", "|---" * (len(METRICS) + 1) + "|"]
    for name, result in cv.items():
        s = result["summary"]
        cells = [f"{s[m]['mean']:.4f} ± {s[m]['sd']:.4f}" for m in METRICS]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def render_card(card: dict[str, Any]) -> str:
    """The card as Markdown for people."""
    t = card["training"]
    lines = [
        "# fraudwall model card",
        "",
        "Supervised fraud-number model: LightGBM on a per-number feature table"
        + (
            f" plus call-graph features ({', '.join(card['graph_blocks'])})"
            if card["graph_blocks"]
            else ""
        )
        + ". Scores are Platt-calibrated probabilities of fraud.",
        "",
        f"- decision threshold: {card['threshold']:.4f} ({card['threshold_rule']})",
        f"- training rows: {t['rows']} ({t['fraud']} fraud, {t['rows'] - t['fraud']} normal)",
        f"- training data fingerprint (SHA-256): `{t['fingerprint']}`",
        f"- seed: {card['seed']}",
        f"- graph choice: {card['graph_choice']}",
        f"- input features ({len(card['features'])}): {', '.join(card['features'])}",
        "",
        f"## Cross-validation ({card['cv_folds']}-fold stratified, training labels only)",
        "",
        "Threshold and calibration were fitted inside each fold; mean ± sd over folds.",
        "",
        *_cv_table(card["cv"]),
        "",
        "## Libraries",
        "",
        *[f"- {k} {v}" for k, v in card["versions"].items()],
        "",
    ]
    return "\n".join(lines)
