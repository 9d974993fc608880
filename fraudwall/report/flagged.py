"""Sections on what was flagged: leads by scenario and risk level, score distributions, and the
riskiest entities (masked).

Leads and risk are the run's own frames, one row per (entity, detector) hit and per flagged
entity: small next to the data, so they are summarised with pandas.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fraudwall.contract import SCENARIOS
from fraudwall.privacy import mask_entities, scrub_text
from fraudwall.report import svg
from fraudwall.report.model import Section, Tab, columns_present

LEVELS = ("high", "medium", "low")
TOP_ENTITIES = 50
SCORE_BINS = np.linspace(0.0, 1.0, 21)


def leads_by_scenario(leads: pd.DataFrame | None) -> Section:
    """Lead counts per scenario and risk level, as a table and a stacked bar chart."""
    s = Section("leads", "Leads by scenario and risk level")
    if not columns_present(leads, ["scenario", "risk_level"]):
        s.note("No leads: no detector flagged anything in this run.")
        return s
    assert leads is not None
    counts = (
        leads.groupby(["scenario", "risk_level"])
        .size()
        .unstack(fill_value=0)
        .reindex(columns=list(LEVELS), fill_value=0)
    )
    counts["total"] = counts.sum(axis=1)
    counts = counts.sort_values("total", ascending=False)
    entities = leads.groupby("scenario")["entity_id"].nunique() if "entity_id" in leads else None
    table = counts.reset_index()
    table.insert(
        1,
        "entity",
        [SCENARIOS[x].entity_type if x in SCENARIOS else "—" for x in table["scenario"]],
    )
    if entities is not None:
        table["entities"] = table["scenario"].map(entities).astype("int64")
    s.tables["by_scenario"] = Tab.from_frame(table)
    s.charts["by_scenario"] = svg.hbar(
        list(counts.index),
        {lvl: counts[lvl].tolist() for lvl in LEVELS},
        title="leads by scenario and risk level",
        colours=svg.LEVEL_COLOURS,
    )
    s.facts = {lvl: f"{int(counts[lvl].sum()):,}" for lvl in LEVELS}
    silent = [x for x in SCENARIOS if x not in counts.index]
    if silent:
        s.note(f"No leads for: {', '.join(silent)}.")
    return s


def score_distributions(leads: pd.DataFrame | None) -> Section:
    """A histogram of lead scores per scenario, bars coloured by the risk level they got."""
    s = Section("scores", "Score distribution per scenario")
    if not columns_present(leads, ["scenario", "score"]):
        s.note("No leads, so no scores to show.")
        return s
    assert leads is not None
    level = leads["risk_level"] if "risk_level" in leads else pd.Series("low", index=leads.index)
    order = leads["scenario"].value_counts().index
    for scenario in order:  # one small chart per scenario (at most the 18 scenarios)
        sel = leads["scenario"] == scenario
        score = leads.loc[sel, "score"].astype("float64").clip(0, 1).to_numpy()
        lv = level[sel].to_numpy()
        series = {
            lvl: np.histogram(score[lv == lvl], bins=SCORE_BINS)[0].tolist() for lvl in LEVELS
        }
        s.charts[str(scenario)] = svg.histogram(
            series,
            SCORE_BINS.tolist(),
            title=f"{scenario} (n={int(sel.sum()):,})",
            colours=svg.LEVEL_COLOURS,
        )
    return s


def top_entities(risk: pd.DataFrame | None) -> Section:
    """The riskiest entities with masked ids, their scenarios, level, action and top reasons."""
    s = Section("entities", f"Top {TOP_ENTITIES} flagged entities")
    if not columns_present(risk, ["entity_type", "entity_id"]):
        s.note("No flagged entities.")
        return s
    assert risk is not None
    top = (
        risk.sort_values("risk_score", ascending=False).head(TOP_ENTITIES)
        if "risk_score" in risk
        else risk.head(TOP_ENTITIES)
    )
    shown = pd.DataFrame(
        {
            "entity": top["entity_type"].astype("object"),
            "id (masked)": mask_entities(top["entity_type"], top["entity_id"].astype("object")),
        }
    )
    for col in ("risk_score", "risk_level", "action", "scenarios", "n_signals"):
        if col in top:
            shown[col.replace("_", " ")] = top[col].to_numpy()
    if "scenarios" in shown:  # room to wrap
        shown["scenarios"] = shown["scenarios"].astype("object").str.replace(",", ", ")
    if "top_reasons" in top:
        shown["top reasons"] = scrub_text(
            "• " + top["top_reasons"].astype("object").str.replace(" | ", "\n• ", regex=False)
        ).to_numpy()
    s.tables["top"] = Tab.from_frame(
        shown.reset_index(drop=True), formats={"risk score": lambda v: f"{v:.3f}"}
    )
    if "risk_level" in risk:
        n = risk["risk_level"].value_counts()
        s.facts = {lvl: f"{int(n.get(lvl, 0)):,}" for lvl in LEVELS}
    if "entity_type" in risk:
        s.facts |= {
            f"{t} entities": f"{c:,}" for t, c in risk["entity_type"].value_counts().items()
        }
    s.note("Phone numbers, IMEIs and holder ids are masked; reasons carry counts, not numbers.")
    return s
