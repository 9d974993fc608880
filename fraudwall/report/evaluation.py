"""The evaluation section: precision and recall against known outcomes, when measured.

``fraudwall evaluate --run OUT --labels FILE`` writes ``OUT/evaluation.json`` (see
:meth:`fraudwall.evaluate.Evaluation.to_dict`) and rewrites the report; the section shows the
evaluation only when it was made for this run (its ``run_id``): an evaluation of an earlier run
into the same folder is stale and is not shown.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from fraudwall.report import svg
from fraudwall.report.model import Section, Tab, pct

RATES = ("precision", "recall", "f1")


def build(out_dir: Path, run_id: str | None = None) -> Section:
    """Per-scenario and per-detector precision/recall, false positives by kind and hard
    negatives flagged, for the evaluation of run ``run_id`` (a stale one is not shown)."""
    s = Section("evaluation", "Evaluation against known outcomes")
    path = out_dir / "evaluation.json"
    advice = (
        "run `fraudwall evaluate --run OUT --labels LABELS` to add precision and recall to "
        "this report (it rewrites report.html)."
    )
    if not path.exists():
        s.note(f"Not evaluated: {advice}")
        return s
    try:
        ev = json.loads(path.read_text("utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        s.note(f"evaluation.json could not be read: {e}")
        return s
    if not isinstance(ev, dict):
        s.note("evaluation.json does not hold an evaluation.")
        return s
    measured = ev.get("run_id")
    if run_id is not None and measured != run_id:
        s.note(
            f"Not evaluated: evaluation.json belongs to run {measured or 'unknown'}, not to "
            f"this run ({run_id}); {advice}"
        )
        return s
    s.facts = {"evaluated run": str(measured), "counted levels": f"{ev.get('min_level')} and up"}
    if ev.get("given_entities"):
        s.facts["entities given as labels"] = f"{int(str(ev['given_entities'])):,}"
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
    hard = _frame(ev, "hard_negatives")
    if not hard.empty:
        s.tables["hard_negatives"] = Tab.from_frame(
            hard,
            formats={"share_flagged": pct},
            caption="Hard negatives (legitimate look-alikes) flagged at any level, by the "
            "highest level each reached, and by which detectors.",
        )
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
