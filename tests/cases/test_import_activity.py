"""The activity behind a lead: from the run's own store (`fraudwall run`), or, for a
`fraudwall detect` run directory (daily operation, no store of its own), from the days of its
window in the workspace its run.json names."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select

from fraudwall.cases.importer import import_run
from fraudwall.cases.models import Case
from fraudwall.errors import InputError

from .conftest import lead, write_run


def _calls(ws: Path, day: str, caller: str, callees: list[str]) -> None:
    d = ws / "store" / "calls" / f"day={day}"
    d.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(
        {
            "msisdn": ["+86" + caller] * len(callees),
            "other_party": ["+86" + c for c in callees],
            "direction": ["MO"] * len(callees),
            "started_at": pd.to_datetime([f"{day} 10:00:{i:02d}" for i in range(len(callees))]),
            "duration_s": [30] * len(callees),
        }
    ).to_parquet(d / "part-0.parquet", index=False)


def _activity(db, number: str) -> dict | None:  # type: ignore[type-arg]
    with db.session(readonly=True) as s:
        return s.scalars(select(Case.activity).where(Case.entity_id == "+86" + number)).one()


def test_a_detect_run_reads_its_windows_days_in_the_named_workspace(team, tmp_path) -> None:
    ws = tmp_path / "workspace"
    _calls(ws, "2026-03-01", "13800000001", ["13900000001"] * 9)  # before the window
    _calls(ws, "2026-03-02", "13800000001", ["13900000002", "13900000003", "13900000002"])
    run = write_run(tmp_path / "runs" / "d1", [lead("13800000001", score=0.95)])
    (run / "run.json").write_text(
        json.dumps({"workspace": str(ws), "window": {"span": "1d", "days": ["2026-03-02"]}})
    )
    assert not (run / "store").exists()
    with team.session() as s:
        import_run(s, run_dir=run, actor="pipe")
    activity = _activity(team, "13800000001")
    assert activity is not None
    assert activity["calls_out"] == 3 and activity["distinct_callees"] == 2
    with team.session(readonly=True) as s:
        related = s.scalars(select(Case.related)).one()
    assert related["top_counterparties"][0] == {"number": "+8613900000002", "calls": 2}


def test_a_one_shot_run_reads_its_own_store(team, tmp_path) -> None:
    run = write_run(tmp_path / "run", [lead("13800000001", score=0.95)])
    _calls(run, "2026-03-02", "13800000001", ["13900000002"])
    (run / "run.json").write_text(json.dumps({"workspace": str(run), "window": {}}))
    with team.session() as s:
        import_run(s, run_dir=run, actor="pipe")
    assert _activity(team, "13800000001")["calls_out"] == 1  # type: ignore[index]


def test_a_run_json_that_does_not_parse_is_named(team, tmp_path) -> None:
    run = write_run(tmp_path / "run", [lead("13800000001", score=0.95)])
    _calls(run, "2026-03-02", "13800000001", ["13900000002"])
    (run / "run.json").write_text("{truncated")
    with pytest.raises(InputError, match=r"run\.json"), team.session() as s:
        import_run(s, run_dir=run, actor="pipe")
    with team.session(readonly=True) as s:
        assert s.scalars(select(Case)).all() == []
