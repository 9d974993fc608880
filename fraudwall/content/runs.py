"""Reading a run's output directory (leads, store) for content exports and reports."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from fraudwall.errors import InputError, WorkspaceError

LEVELS = ("low", "medium", "high")


def run_leads(run: Path) -> pd.DataFrame:
    """``leads.parquet`` of a run directory (``fraudwall run --out RUN``)."""
    path = Path(run) / "leads.parquet"
    if not Path(run).is_dir():
        raise WorkspaceError(f"no run directory at {run}")
    if not path.is_file():
        raise WorkspaceError(f"{run} is not a run directory (no leads.parquet)")
    return pd.read_parquet(path)


def blocked_domains(run: Path, *, min_level: str = "medium") -> list[str]:
    """Domains of the run's ``fraud_domain`` leads at or above a risk level."""
    if min_level not in LEVELS:
        raise InputError(f"unknown risk level {min_level!r} (one of {', '.join(LEVELS)})")
    leads = run_leads(run)
    ok = LEVELS[LEVELS.index(min_level) :]
    d = leads[(leads["entity_type"] == "domain") & leads["risk_level"].isin(ok)]
    return sorted(set(d["entity_id"].astype(str)))
