"""The command line end to end: simulate, run (with bad input mixed in), evaluate, run again."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from fraudwall.cli import app
from fraudwall.scoring.leads import LEAD_COLUMNS
from fraudwall.scoring.risk import RISK_COLUMNS

#: Used by no other test and for no tuning.
SEED = 9917

pytestmark = pytest.mark.slow


def _ok(args: list[str]) -> str:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("e2e")
    data, out = root / "data", root / "run"
    _ok(
        [
            "simulate",
            "--subscribers",
            "6000",
            "--days",
            "2",
            "--seed",
            str(SEED),
            "--out",
            str(data),
        ]
    )
    # An extra day of calls from another export, with three bad rows among good ones.
    calls = pq.read_table(next((data / "calls").glob("*.parquet"))).to_pandas().head(5)
    calls["record_id"] = [f"late-{i}" for i in range(5)]
    calls["started_at"] = calls["started_at"].astype(str)
    calls.loc[1, "direction"] = "XX"
    calls.loc[2, "duration_s"] = -4
    calls.loc[3, "started_at"] = "1999-01-01 00:00:00"
    calls.to_csv(data / "calls" / "late-export.csv", index=False)
    _ok(["run", "--data", str(data), "--out", str(out)])
    _ok(["evaluate", "--run", str(out), "--labels", str(data / "truth" / "labels.parquet")])
    return data, out


def test_run_writes_the_contract_outputs(world):
    _, out = world
    leads = pd.read_parquet(out / "leads.parquet")
    assert list(leads.columns) == LEAD_COLUMNS
    assert list(pd.read_csv(out / "leads.csv").columns) == LEAD_COLUMNS
    assert list(pd.read_parquet(out / "risk.parquet").columns) == RISK_COLUMNS
    assert leads["score"].between(0, 1).all()
    assert set(leads["risk_level"]) <= {"high", "medium", "low"}
    assert leads["reasons"].str.len().gt(0).all()
    assert all(json.loads(e)["features"] for e in leads["evidence"].head(50))
    run = json.loads((out / "run.json").read_text())
    assert run["detectors_ran"] and set(run["timings_s"]) >= {"ingest", "detect", "report"}


def test_bad_rows_are_quarantined_with_file_row_field_and_reason(world):
    _, out = world
    q = pq.read_table(out / "quarantine").to_pandas()
    late = q[q["file"].str.endswith("late-export.csv")].sort_values("row")
    assert late["row"].tolist() == [2, 3, 4]
    assert late["field"].tolist() == ["direction", "duration_s", "started_at"]
    assert late["reason"].str.len().gt(0).all()


def test_report_masks_the_numbers_it_shows(world):
    _, out = world
    html = (out / "report.html").read_text("utf-8")
    top = pd.read_parquet(out / "risk.parquet").query("entity_type == 'msisdn'").head(20)
    assert len(top) > 0
    for number in top["entity_id"]:
        assert number not in html


@pytest.mark.parametrize("scenario", ["fraud_caller", "simbox", "simbox_sim"])
def test_foundation_detectors_recover_planted_cases(world, scenario):
    _, out = world
    ev = json.loads((out / "evaluation.json").read_text())
    row = {r["scenario"]: r for r in ev["by_scenario"]}[scenario]
    assert row["truth"] >= 10
    assert row["precision"] >= 0.9, row
    assert row["recall"] >= 0.9, row


def test_hard_legitimate_cases_are_not_pushed_as_fraud(world):
    data, out = world
    truth = pd.read_parquet(data / "truth" / "labels.parquet")
    benign = set(truth.loc[truth["label"] == "benign", "entity_id"])
    leads = pd.read_parquet(out / "leads.parquet")
    acted = leads[leads["risk_level"] != "low"]
    wrongly = acted[acted["entity_id"].isin(benign)]
    assert len(wrongly) <= 0.02 * len(benign), wrongly[["entity_id", "detector"]]


def test_running_again_on_the_same_input_adds_nothing(world):
    data, out = world
    before = pd.read_parquet(out / "leads.parquet")
    stored = sum(f.stat().st_size for f in (out / "store").rglob("*.parquet"))
    _ok(["run", "--data", str(data), "--out", str(out)])
    after = pd.read_parquet(out / "leads.parquet")
    assert sum(f.stat().st_size for f in (out / "store").rglob("*.parquet")) == stored
    key = ["entity_id", "detector", "score"]
    pd.testing.assert_frame_equal(
        before[key].sort_values(key, ignore_index=True),
        after[key].sort_values(key, ignore_index=True),
    )
