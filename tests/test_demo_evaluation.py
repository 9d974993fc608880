"""The demo evaluates its run and the report shows that evaluation; a second demo of another
size regenerates the world instead of reusing the first one; re-running evaluate updates it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fraudwall.cli import app

pytestmark = pytest.mark.slow


def _demo(out: Path, subscribers: int, days: int) -> None:
    args = ["demo", "--out", str(out), "--subscribers", str(subscribers), "--days", str(days)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output


def test_demo_report_shows_its_own_evaluation_and_regenerates_the_world(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    _demo(out, 3_000, 1)
    run_id = json.loads((out / "run" / "run.json").read_text("utf-8"))["run_id"]
    ev = json.loads((out / "run" / "evaluation.json").read_text("utf-8"))
    assert ev["run_id"] == run_id
    html = (out / "run" / "report.html").read_text("utf-8")
    assert "Not evaluated" not in html and run_id in html

    _demo(out, 2_500, 2)  # another size: a new world, not the old one
    manifest = json.loads((out / "data" / "manifest.json").read_text("utf-8"))
    assert (manifest["subscribers"], manifest["days"]) == (2_500, 2)
    second = json.loads((out / "run" / "run.json").read_text("utf-8"))["run_id"]
    assert second != run_id
    assert json.loads((out / "run" / "evaluation.json").read_text("utf-8"))["run_id"] == second


def test_report_does_not_show_a_stale_evaluation_and_evaluate_updates_it(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    _demo(out, 2_500, 1)
    run_dir = out / "run"
    ev_path = run_dir / "evaluation.json"
    body = json.loads(ev_path.read_text("utf-8"))
    body["run_id"] = "an-older-run"
    ev_path.write_text(json.dumps(body), "utf-8")
    from fraudwall.report.rerender import rewrite_report

    rewrite_report(run_dir)
    assert "belongs to run an-older-run" in (run_dir / "report.html").read_text("utf-8")
    truth = out / "data" / "truth" / "labels.parquet"
    result = CliRunner().invoke(app, ["evaluate", "--run", str(run_dir), "--labels", str(truth)])
    assert result.exit_code == 0, result.output
    html = (run_dir / "report.html").read_text("utf-8")
    assert "belongs to run" not in html and "hard negatives" in html.lower()


def test_evaluate_names_the_missing_leads_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["evaluate", "--run", str(tmp_path), "--labels", str(tmp_path / "x.parquet")]
    )
    assert result.exit_code == 2
    assert "leads.parquet" in result.output
