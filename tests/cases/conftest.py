"""Fixtures of the case tests: tiny inline runs written as `fraudwall run` writes them, and
the people of an anti-fraud team in a fresh database (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from fraudwall.auth import Role, UserCreate, add_user
from fraudwall.db import Database

TEAM = {
    "ana": (Role.analyst, None),
    "abe": (Role.analyst, None),
    "sam": (Role.supervisor, None),
    "sue": (Role.supervisor, None),
    "lin": (Role.liaison, "市反诈中心"),
    "aud": (Role.auditor, None),
    "pipe": (Role.system, None),
}


def lead(
    entity_id: str,
    scenario: str = "fraud_caller",
    detector: str = "callee_fanout",
    score: float = 0.9,
    run_id: str = "run-1",
    **evidence: Any,
) -> dict[str, Any]:
    level = "high" if score >= 0.8 else "medium" if score >= 0.6 else "low"
    return {
        "entity_type": "msisdn",
        "entity_id": entity_id,
        "scenario": scenario,
        "detector": detector,
        "signal": detector,
        "score": score,
        "risk_level": level,
        "reasons": f"{detector} flagged {entity_id} ({score})",
        "evidence": json.dumps({"features": evidence or {"score": score}}),
        "first_seen": pd.Timestamp("2026-03-02 09:00"),
        "last_seen": pd.Timestamp("2026-03-02 18:00"),
        "run_id": run_id,
        "policy_version": "default-1",
    }


def write_run(run_dir: Path, leads: list[dict[str, Any]]) -> Path:
    """A run directory holding ``leads.parquet`` (and a manifest with the time zone)."""
    run_dir.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(leads).to_parquet(run_dir / "leads.parquet", index=False)
    (run_dir / "manifest.json").write_text(json.dumps({"timezone": "Asia/Shanghai"}))
    return run_dir


#: Three fraud callers (one also hit by a second detector), one SIM-box SIM, one victim.
RUN1 = [
    lead("13800000001", score=0.95),
    lead("13800000001", detector="fraud_complaints", score=0.85),
    lead("13800000002", score=0.82),
    lead("13800000003", score=0.65),
    lead("13900000009", scenario="simbox_sim", detector="simbox_rotation", score=0.99),
    lead("13700000007", scenario="victim", detector="victim_contact", score=0.9),
]


@pytest.fixture
def run1(tmp_path: Path) -> Path:
    return write_run(tmp_path / "run1", RUN1)


@pytest.fixture
def make_run(tmp_path: Path) -> Callable[[str, list[dict[str, Any]]], Path]:
    return lambda name, leads: write_run(tmp_path / name, leads)


@pytest.fixture
def team(db: Database) -> Database:
    """The database with the team added (sam bootstraps, then adds everyone)."""
    with db.session() as s:
        add_user(s, data=UserCreate(name="sam", role=Role.supervisor), actor=None)
        for name, (role, unit) in TEAM.items():
            if name != "sam":
                add_user(s, data=UserCreate(name=name, role=role, unit=unit), actor="sam")
    return db
