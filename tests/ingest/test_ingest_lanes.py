"""Tables ingested in parallel lanes, Parquet written on a background thread: the same store,
quarantine and report as one file after the other, and failures still stop and roll back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import fraudwall.ingest.orchestrate as orchestrate
from fraudwall.ingest import ingest
from fraudwall.store import Workspace

NOW = datetime(2024, 6, 1, 12, 0, 0)


def stored(ws: Workspace, table: str) -> pa.Table:
    """Committed rows of ``table``, sorted by record (file layout aside)."""
    files = ws.parquet_files(table)
    if not files:
        return pa.table({"record_id": pa.array([], pa.string())})
    rows = pa.concat_tables([pq.read_table(f) for f in files])
    return rows.sort_by([(rows.schema.names[0], "ascending")])


def quarantined(ws: Workspace, table: str) -> list[dict[str, Any]]:
    d = ws.quarantine_dir / table
    rows = [r for f in sorted(d.glob("*.parquet")) for r in pq.read_table(f).to_pylist()]
    return sorted(rows, key=lambda r: (r["file"], r["row"]))


def _world(inputs: Any) -> None:
    """Two tables, calls in three files with rejected rows and duplicates across files."""
    s, c = inputs.subscriber, inputs.call
    inputs.csv("subscribers.csv", [s(1), s(2), s(2), s(3, msisdn="not a number")])
    inputs.csv("calls/1.csv", [c(i) for i in range(300)] + [c(900, duration_s="x")])
    inputs.csv("calls/2.csv", [c(i) for i in range(250, 600)] + [c(901, direction="?")])
    inputs.csv("calls/3.csv", [c(i) for i in range(550, 800)] + [c(10)])


def _state(ws: Workspace) -> dict[str, object]:
    return {t: (stored(ws, t).to_pylist(), quarantined(ws, t)) for t in ("subscribers", "calls")}


def test_parallel_lanes_give_what_one_lane_gives(inputs, tmp_path, monkeypatch) -> None:
    _world(inputs)
    reports, states = [], []
    for lanes in (1, 2):
        monkeypatch.setattr(orchestrate, "LANES", lanes)
        ws = Workspace(tmp_path / f"ws{lanes}")
        reports.append(ingest(inputs.root, ws, now=NOW).to_dict())
        states.append(_state(ws))
    assert states[0] == states[1]
    calls = stored(Workspace(tmp_path / "ws2"), "calls")
    assert calls.num_rows == 800  # r0..r799 once each, the bad rows and duplicates set aside
    for r in reports:
        r.pop("seconds"), r.pop("workspace")
        for t in r["tables"].values():
            for f in t["files"]:
                f.pop("seconds")
    assert reports[0] == reports[1]  # files and tables in the plan's order, same counts
    assert [f["file"] for f in reports[1]["tables"]["calls"]["files"]] == [
        "calls/1.csv",
        "calls/2.csv",
        "calls/3.csv",
    ]


def test_a_failing_file_stops_its_lane_and_commits_only_completed_files(
    inputs, ws, run, monkeypatch
) -> None:
    _world(inputs)
    monkeypatch.setattr(orchestrate, "LANES", 2)
    real = orchestrate.deduplicate

    def broken(*args, **kwargs):
        if kwargs["file"] == "calls/2.csv":
            raise OSError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(orchestrate, "deduplicate", broken)
    with pytest.raises(OSError, match="disk full"):
        ingest(inputs.root, ws, now=NOW)
    ids = set(stored(ws, "calls").column("record_id").to_pylist())
    assert ids == {f"r{i}" for i in range(300)}  # file 1 only: 2 failed, 3 never started
    assert {q["file"] for q in quarantined(ws, "calls")} == {"calls/1.csv"}
    assert not any((ws.path / ".staging").iterdir())

    monkeypatch.setattr(orchestrate, "deduplicate", real)
    again = run()  # the re-run takes up where the failed one stopped, nothing twice
    assert [f.file for f in again.tables["calls"].files if not f.skipped] == [
        "calls/2.csv",
        "calls/3.csv",
    ]
    assert stored(ws, "calls").num_rows == 800


def test_a_failed_background_write_fails_the_file_and_leaves_the_store(
    inputs, ws, run, monkeypatch
) -> None:
    inputs.minimal()
    run()
    before = sorted(p for p in ws.path.rglob("*.parquet") if ".staging" not in p.parts)
    inputs.csv("calls.csv", [inputs.call(i) for i in range(10)])
    real = pq.ParquetWriter.write_table

    def full_disk(self, *args, **kwargs):
        raise OSError("no space left on device")

    monkeypatch.setattr(pq.ParquetWriter, "write_table", full_disk)
    with pytest.raises(OSError, match="no space left"):
        ingest(inputs.root, ws, now=NOW)
    after = sorted(p for p in ws.path.rglob("*.parquet") if ".staging" not in p.parts)
    assert after == before
    assert stored(ws, "calls").num_rows == 4
    monkeypatch.setattr(pq.ParquetWriter, "write_table", real)
    assert run().tables["calls"].accepted == 6
