"""Tiny inline inputs for the ingestion tests, built in tmp_path."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from fraudwall.ingest import IngestReport, ingest
from fraudwall.store import Workspace

#: Ingestion time of the tests: time stamps after NOW + 1 day are "in the future".
NOW = datetime(2024, 6, 1, 12, 0, 0)

SUBSCRIBERS_HEADER = ["msisdn", "holder_id_hash", "holder_type", "activated_at", "home_city"]
CALLS_HEADER = ["record_id", "msisdn", "other_party", "direction", "started_at", "duration_s"]


def subscriber(i: int, **change: str) -> dict[str, str]:
    """A valid subscribers row."""
    row = {
        "msisdn": f"138{i:08d}",
        "holder_id_hash": f"h{i:04d}",
        "holder_type": "personal",
        "activated_at": "2023-01-01 00:00:00",
        "home_city": "杭州",
    }
    return {**row, **change}


def call(i: int, **change: str) -> dict[str, str]:
    """A valid calls row on 2024-05-01 or 2024-05-02 (odd i)."""
    row = {
        "record_id": f"r{i}",
        "msisdn": f"138{i % 7:08d}",
        "other_party": f"139{i:08d}",
        "direction": "MO",
        "started_at": f"2024-05-0{1 + i % 2} 10:{i % 60:02d}:00",
        "duration_s": str(i * 3),
    }
    return {**row, **change}


class Inputs:
    """Writes input files into a data directory."""

    now = NOW
    call = staticmethod(call)
    subscriber = staticmethod(subscriber)

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def csv(
        self,
        name: str,
        rows: list[dict[str, str]],
        *,
        header: list[str] | None = None,
        encoding: str = "utf-8",
        tail: str = "",
    ) -> Path:
        """A CSV file; ``tail`` is appended verbatim (e.g. a truncated last line)."""
        header = header or list(rows[0])
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(header)
        writer.writerows([[r.get(h, "") for h in header] for r in rows])
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes((buf.getvalue() + tail).encode(encoding))
        return path

    def parquet(self, name: str, table: pa.Table) -> Path:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, path)
        return path

    def manifest(self, **values: Any) -> None:
        (self.root / "manifest.json").write_text(json.dumps(values), "utf-8")

    def minimal(self, calls: int = 4, subscribers: int = 3) -> None:
        """Valid subscribers.csv and calls.csv."""
        self.csv("subscribers.csv", [subscriber(i) for i in range(subscribers)])
        self.csv("calls.csv", [call(i) for i in range(calls)])


@pytest.fixture
def inputs(tmp_path: Path) -> Inputs:
    return Inputs(tmp_path / "data")


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace(tmp_path / "ws")


@pytest.fixture
def run(inputs: Inputs, ws: Workspace) -> Callable[..., IngestReport]:
    """Ingest the test's data directory into its workspace at :data:`NOW`."""

    def go(**kw: Any) -> IngestReport:
        report = ingest(inputs.root, ws, now=NOW, **kw)
        for f in report.files:
            assert f.balanced, f  # nothing is dropped silently, in every test
        return report

    return go


def stored(ws: Workspace, table: str) -> pa.Table:
    """Every committed row of a table (no hive ``day`` column), sorted by the first column."""
    files = ws.parquet_files(table)
    if not files:
        return pa.table({})
    t = pa.concat_tables([pq.read_table(f) for f in files])
    return t.sort_by(t.column_names[0])


def quarantined(ws: Workspace, table: str) -> list[dict[str, Any]]:
    """Quarantine entries of a table, sorted by file and row."""
    d = ws.quarantine_dir / table
    files = sorted(d.glob("*.parquet")) if d.is_dir() else []
    rows = [r for f in files for r in pq.read_table(f).to_pylist()]
    return sorted(rows, key=lambda r: (r["file"], r["row"]))


@pytest.fixture
def store_of(ws: Workspace) -> Callable[[str], pa.Table]:
    return lambda table: stored(ws, table)


@pytest.fixture
def quarantine_of(ws: Workspace) -> Callable[[str], list[dict[str, Any]]]:
    return lambda table: quarantined(ws, table)
