"""detect, prune and daily from the command line: windows, retention, locks, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import batch
from typer.testing import CliRunner

from fraudwall.cli import app
from fraudwall.ingest import ingest
from fraudwall.store import Workspace

runner = CliRunner()


@pytest.fixture(scope="module")
def ws(small_world: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ws") / "ws"
    for i in range(3):
        ingest(batch(small_world, i), Workspace(path))
    return path


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["detect", "--window", "7x"], "not a duration"),
        (["detect", "--engine", "postgres"], "unknown engine 'postgres'"),
        (["detect", "--as-of", "yesterday"], "not a date"),
        (["prune", "--keep", "forever"], "not a duration"),
    ],
)
def test_bad_options_are_one_line_errors(ws, tmp_path, args, message):
    cmd = (
        args[:1]
        + ["--workspace", str(ws)]
        + (["--out", str(tmp_path / "r")] if args[0] == "detect" else [])
        + args[1:]
    )
    if args[0] == "prune" and "--keep" not in args:
        cmd += ["--keep", "10d"]
    res = runner.invoke(app, cmd)
    assert res.exit_code == 2, res.output
    assert message in res.output and "Traceback" not in res.output


def test_run_with_unknown_engine_fails_before_any_work(small_world, tmp_path):
    res = runner.invoke(
        app,
        [
            "run",
            "--data",
            str(batch(small_world, 0)),
            "--out",
            str(tmp_path / "o"),
            "--engine",
            "postgres",
        ],
    )
    assert res.exit_code == 2 and "unknown engine" in res.output
    assert not (tmp_path / "o").exists()


def test_detect_on_a_missing_workspace(tmp_path):
    res = runner.invoke(
        app, ["detect", "--workspace", str(tmp_path / "none"), "--out", str(tmp_path / "r")]
    )
    assert res.exit_code == 2 and "not a workspace" in res.output


def test_detect_records_its_window_and_reads_only_it(ws, tmp_path):
    days = Workspace(ws).days("calls")
    out = tmp_path / "run"
    res = runner.invoke(
        app,
        [
            "detect",
            "--workspace",
            str(ws),
            "--out",
            str(out),
            "--window",
            "1d",
            "--no-report",
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    body = json.loads(res.output)
    assert body["window"]["days"] == days[-1:] and body["window"]["span"] == "1d"
    assert body["lead_key"] == ["entity_type", "entity_id", "scenario"]
    assert json.loads((out / "run.json").read_text())["window"] == body["window"]
    import pandas as pd

    leads = pd.read_parquet(out / "leads.parquet")
    seen = pd.to_datetime(leads["first_seen"]).dropna()
    # Activity leads fall in the window (registration leads may date from activation).
    assert len(seen) and (seen.dt.strftime("%Y-%m-%d") >= days[-1]).mean() > 0.9
    assert not list(tmp_path.glob(".run.*"))  # nothing staged left behind


def test_a_failing_detector_is_recorded_and_the_others_run(ws, tmp_path, monkeypatch):
    from fraudwall.detectors.library.wangiri import Wangiri

    def boom(self, ctx, p):
        raise RuntimeError("injected")

    monkeypatch.setattr(Wangiri, "find", boom)
    out = tmp_path / "run"
    res = runner.invoke(app, ["detect", "--workspace", str(ws), "--out", str(out), "--no-report"])
    assert res.exit_code == 3, res.output
    body = json.loads((out / "run.json").read_text())
    # Detectors building on wangiri's hits fail with it; the rest run.
    assert body["detectors_failed"]["wangiri"] == "RuntimeError: injected"
    assert body["status"] == "failed detectors"
    assert len(body["detectors_ran"]) > 10 and "wangiri" not in body["detectors_ran"]


def test_prune_deletes_old_days_and_their_quarantine(small_world, tmp_path):
    path = tmp_path / "ws"
    for i in range(3):
        ingest(batch(small_world, i), Workspace(path))
    days = Workspace(path).days("calls")
    # A quarantined row on the first day: its quarantine file must go with the day.
    qdir = path / "quarantine" / "calls"
    as_of = f"{days[-1]}T12:00"
    dry = runner.invoke(
        app,
        [
            "prune",
            "--workspace",
            str(path),
            "--keep",
            "1d",
            "--as-of",
            as_of,
            "--dry-run",
            "--json",
        ],
    )
    assert dry.exit_code == 0, dry.output
    plan = json.loads(dry.output)
    assert plan["partitions"]["calls"] == days[:1] and Workspace(path).days("calls") == days
    res = runner.invoke(
        app, ["prune", "--workspace", str(path), "--keep", "1d", "--as-of", as_of, "--json"]
    )
    assert res.exit_code == 0
    assert Workspace(path).days("calls") == days[1:]
    assert Workspace(path).has("subscribers")  # reference tables are not time-partitioned
    assert not qdir.exists() or all(
        f.stem not in json.loads(res.output)["quarantine_files"].get("calls", [])
        for f in qdir.iterdir()
    )


def test_daily_is_locked_idempotent_and_waits_for_the_manifest(small_world, tmp_path):
    inbox, path = tmp_path / "inbox", tmp_path / "ws"
    inbox.mkdir()
    import shutil

    shutil.copytree(batch(small_world, 0), inbox / "a")
    shutil.copytree(batch(small_world, 1), inbox / "b")
    (inbox / "b" / "manifest.json").unlink()  # still arriving
    args = ["daily", "--workspace", str(path), "--inbox", str(inbox), "--no-report", "--json"]
    first = json.loads(runner.invoke(app, args).output)
    assert first["ingested"] == ["a"] and first["waiting"] == ["b"] and first["run_dir"]
    again = json.loads(runner.invoke(app, args).output)
    assert again["ingested"] == [] and again["already_done"] == ["a"]
    assert again["run_dir"] == first["run_dir"]  # nothing new: no new run
    # Another process holds the workspace: the run stops at once with status 75.
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from fraudwall.store import Workspace\n"
            "with Workspace(sys.argv[1]).writing():\n print('held', flush=True); time.sleep(30)",
            str(path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        busy = runner.invoke(app, args)
        assert busy.exit_code == 75, busy.output
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
    time.sleep(0.1)
    res = runner.invoke(app, ["daily", "--workspace", str(path), "--inbox", str(tmp_path / "x")])
    assert res.exit_code == 2 and "inbox" in res.output


def test_a_change_that_fails_half_way_is_rolled_forward(tmp_path, monkeypatch):
    """An error (not a crash) between two renames: the next writer completes the change."""
    import os as _os

    import pyarrow as pa

    import fraudwall.store.workspace as wsmod

    ws = Workspace(tmp_path / "ws")
    ws.write_table("cells", pa.table({"cell_id": ["a"], "lat": [1.0], "lon": [2.0]}))
    real = _os.replace
    calls = {"n": 0}

    def flaky(src, dst):
        calls["n"] += 1
        if calls["n"] == 3:  # 1: the journal, 2: old version aside, 3: new version in
            raise OSError("disk went away")
        return real(src, dst)

    monkeypatch.setattr(wsmod.os, "replace", flaky)
    with pytest.raises(OSError):
        ws.write_table(
            "cells", pa.table({"cell_id": ["b", "c"], "lat": [1.0, 2.0], "lon": [3.0, 4.0]})
        )
    monkeypatch.setattr(wsmod.os, "replace", real)
    assert not ws.has("cells")  # between the renames: old moved aside, new not yet in
    with ws.writing():  # the next writer recovers
        pass
    import pyarrow.parquet as pq

    assert sorted(pq.read_table(ws.parquet_files("cells")).column("cell_id").to_pylist()) == [
        "b",
        "c",
    ]
