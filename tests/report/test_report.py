"""The HTML report: complete, self-contained, masked, and robust to missing pieces."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from fraudwall.contract import SCENARIOS
from fraudwall.pipeline import RunResult
from fraudwall.privacy import mask_ids, mask_number, mask_numbers
from fraudwall.report import activity, ingestion, write_report
from fraudwall.store import Tables, Workspace, connect

from .conftest import BAD_NUMBER, FRAUDSTER, IMEI, TinyRun

SECTIONS = ("run", "ingestion", "leads", "scores", "hourly", "entities", "evaluation")


def _render(result: RunResult, tmp_path: Path) -> str:
    path = write_report(result, tmp_path / "out" / "report.html")
    assert path.exists()
    return path.read_text("utf-8")


def test_report_has_every_section_and_no_section_failed(tiny_run: TinyRun, tmp_path: Path):
    html = _render(tiny_run.result, tmp_path)
    for sid in SECTIONS:
        assert f'<section id="{sid}">' in html
    assert "could not be built" not in html
    assert tiny_run.result.run_id in html
    assert "bulk_sms_sender" in html and "input tables absent: sms" in html
    for scenario in tiny_run.result.leads["scenario"].unique():
        assert scenario in html
    assert html.count("<svg") >= 5  # timings, reasons, leads, score histograms, hourly, eval


def test_report_is_self_contained(tiny_run: TinyRun, tmp_path: Path):
    html = _render(tiny_run.result, tmp_path)
    assert "<script" not in html.lower()
    assert "<link" not in html.lower()
    assert not re.search(r"\bsrc\s*=", html)
    urls = set(re.findall(r"https?://[^\s\"'<>]+", html))
    assert urls <= {"http://www.w3.org/2000/svg"}


def test_no_raw_identifier_from_the_input_appears(tiny_run: TinyRun, tmp_path: Path):
    html = _render(tiny_run.result, tmp_path)
    leaked = [p for p in tiny_run.personal if p in html]
    assert leaked == []
    # ...while their masked forms do, so the entities are still there to be read.
    assert mask_numbers(pd.Series([FRAUDSTER])).iloc[0] in html
    assert mask_ids(pd.Series([IMEI])).iloc[0] in html


def test_quarantine_examples_are_masked_by_field_kind(tiny_run: TinyRun):
    ws = Workspace(tiny_run.result.out_dir)
    con = connect("duckdb", threads=1)
    s = ingestion.build(tiny_run.result.ingest, ws, con)
    ex = s.tables["examples"]
    rows = [dict(zip(ex.columns, r, strict=True)) for r in ex.rows]
    assert len(rows) == 5
    by_field = {r["field"]: r["value"] for r in rows if r["table"] == "calls"}
    assert by_field["msisdn"] == mask_number(BAD_NUMBER) != BAD_NUMBER
    assert by_field["duration_s"] == "-5"
    assert "*" in by_field["other_party"]
    assert all("raw" not in c for c in ex.columns)
    counts = s.tables["counts"]
    assert counts.columns == ["table", "read", "accepted", "rejected", "duplicates", "in store"]
    calls_row = next(r for r in counts.rows if r[0] == "calls")
    assert calls_row[2] == f"{len(tiny_run.calls):,}"
    assert calls_row[5] == f"{len(tiny_run.calls):,}"  # what the store holds, from its footers


def test_hourly_profile_counts_flagged_calls_on_the_stored_numbers(tiny_run: TinyRun):
    ws = Workspace(tiny_run.result.out_dir)
    tables = Tables(ws, connect("duckdb", threads=1))
    s = activity.build(tiny_run.result.leads, tables)
    groups = {r[0]: r for r in s.tables["groups"].rows}
    mo = tiny_run.calls[tiny_run.calls["direction"] == "MO"]
    flagged = mo[mo["msisdn"] == FRAUDSTER]
    # Leads show the number as written; the store keeps +86…: the two must still meet.
    assert groups["flagged numbers"][1:3] == ["1", f"{len(flagged):,}"]
    assert groups["other numbers"][2] == f"{len(mo) - len(flagged):,}"
    night = (flagged["started_at"].dt.hour < 6).mean()
    assert groups["flagged numbers"][3] == f"{night:.1%}"
    assert "<polyline" in s.charts["hourly"]


def test_victims_are_not_counted_as_flagged_callers(tiny_run: TinyRun):
    leads = tiny_run.result.leads
    victims_only = leads[leads["scenario"] == "victim"]
    tables = Tables(Workspace(tiny_run.result.out_dir), connect("duckdb", threads=1))
    s = activity.build(victims_only, tables)
    groups = {r[0] for r in s.tables["groups"].rows}
    assert groups == {"other numbers"}


def test_many_ingestion_notices_are_listed_apart(tiny_run: TinyRun):
    notices = [
        f"calls/2026-03-{d:02d}.parquet: already ingested (same content), skipped"
        for d in range(1, 11)
    ]
    ingest = {**tiny_run.result.ingest, "notices": notices}
    con = connect("duckdb", threads=1)
    s = ingestion.build(ingest, Workspace(tiny_run.result.out_dir), con)
    assert [r[0] for r in s.tables["notices"].rows] == notices
    assert not any("already ingested" in n for n in s.notes)


def test_empty_run_degrades_with_notes(tmp_path: Path):
    empty = RunResult(
        run_id="r0",
        out_dir=tmp_path / "nothing",
        policy_version="p",
        engine="duckdb",
        started_at="",
    )
    html = _render(empty, tmp_path)
    assert "could not be built" not in html
    for sid in SECTIONS:
        assert f'<section id="{sid}">' in html
    assert "No leads" in html
    assert "no calls table" in html
    assert "Not evaluated" in html


def test_missing_ingest_fields_and_optional_tables_degrade(tiny_run: TinyRun, tmp_path: Path):
    partial = replace(
        tiny_run.result,
        ingest={"tables": {"calls": {"accepted": 3}}},
        timings_s={},
        detectors_skipped={},
    )
    html = _render(partial, tmp_path)
    assert "could not be built" not in html
    assert "lacks" in html  # the note naming the missing ingest fields
    no_report = replace(tiny_run.result, ingest={})
    html = _render(no_report, tmp_path)
    assert "no ingestion report" in html
    assert "could not be built" not in html


def test_leads_without_optional_columns_still_render(tiny_run: TinyRun, tmp_path: Path):
    bare = tiny_run.result.leads[["entity_type", "entity_id", "scenario", "score"]]
    risk = tiny_run.result.risk[["entity_type", "entity_id"]]
    html = _render(replace(tiny_run.result, leads=bare, risk=risk), tmp_path)
    assert "could not be built" not in html
    assert mask_numbers(pd.Series([FRAUDSTER])).iloc[0] in html


def test_a_failing_section_shows_its_error_and_the_rest_renders(
    tiny_run: TinyRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    def broken(*args: object) -> None:
        raise RuntimeError(f"engine said no about {FRAUDSTER}")

    monkeypatch.setattr(activity, "build", broken)
    html = _render(tiny_run.result, tmp_path)
    assert html.count("could not be built") == 1
    assert FRAUDSTER not in html
    assert '<section id="entities">' in html


def test_every_scenario_without_leads_is_named(tiny_run: TinyRun, tmp_path: Path):
    html = _render(tiny_run.result, tmp_path)
    silent = set(SCENARIOS) - set(tiny_run.result.leads["scenario"])
    note = re.search(r"No leads for: ([^<]*)\.", html)
    assert note is not None
    assert set(note.group(1).split(", ")) == silent
