"""The evaluation section: precision and recall against known outcomes, when measured.

``fraudwall evaluate --run OUT --labels FILE`` writes ``OUT/evaluation.json`` (see
:meth:`fraudwall.evaluate.Evaluation.to_dict`); the section shows it when present.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from fraudwall.report import svg
from fraudwall.report.model import Section, Tab, pct

RATES = ("precision", "recall", "f1")


def build(out_dir: Path) -> Section:
    """Per-scenario and per-detector precision/recall and false positives by kind."""
    s = Section("evaluation", "Evaluation against known outcomes")
    path = out_dir / "evaluation.json"
    if not path.exists():
        s.note(
            "Not evaluated: run `fraudwall evaluate --run OUT --labels LABELS` to add "
            "precision and recall to this report."
        )
        return s
    try:
        ev = json.loads(path.read_text("utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        s.note(f"evaluation.json could not be read: {e}")
        return s
    if not isinstance(ev, dict):
        s.note("evaluation.json does not hold an evaluation.")
        return s
    fmt = dict.fromkeys(RATES, pct)
    by_scenario = _frame(ev, "by_scenario")
    if not by_scenario.empty and "scenario" in by_scenario:
        s.tables["by_scenario"] = Tab.from_frame(by_scenario, formats=fmt)
        rates = [r for r in ("precision", "recall") if r in by_scenario]
        if rates:
            s.charts["by_scenario"] = svg.hbar(
                by_scenario["scenario"].astype(str).tolist(),
                {r: by_scenario[r].astype("float64").tolist() for r in rates},
                title="precision and recall per scenario",
                stacked=False,
                x_max=1.0,
                fmt=lambda v: f"{v:.0%}",
                colours={"precision": svg.PALETTE[0], "recall": svg.PALETTE[1]},
            )
    else:
        s.note("The evaluation has no per-scenario figures.")
    by_detector = _frame(ev, "by_detector")
    if not by_detector.empty:
        s.tables["by_detector"] = Tab.from_frame(by_detector, formats=fmt)
    fps = _frame(ev, "false_positives")
    if not fps.empty:
        s.tables["false_positives"] = Tab.from_frame(
            fps, caption="What the labels say of the entities flagged wrongly."
        )
    s.note(
        "Only leads at risk level medium or high count, unless the evaluation was run with "
        "--min-level low."
    )
    return s


def _frame(ev: dict[str, object], key: str) -> pd.DataFrame:
    rows = ev.get(key)
    return pd.DataFrame(rows) if isinstance(rows, list) and rows else pd.DataFrame()
