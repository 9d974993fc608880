"""Turn a simulated data directory into a stream of daily deliveries (one batch per day).

Each batch is a contract data directory: the day's file of every day-partitioned table, the
complaints of that day, and the reference tables (subscribers, cells, labels) as delivered
every day (identical bytes: the ingest log skips them after the first day). ``window`` writes
one data directory holding a run of days, for the one-shot comparison.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

DAY_TABLES = ("calls", "sms", "data_sessions", "device_events")
STATIC = ("subscribers.parquet", "cells.parquet", "labels.parquet")


def days_of(data: Path) -> list[str]:
    return sorted(p.stem for p in (data / "calls").glob("*.parquet"))


def write_batch(data: Path, out: Path, days: Sequence[str]) -> Path:
    """A data directory under ``out`` holding ``days`` of ``data``; manifest written last."""
    out.mkdir(parents=True, exist_ok=True)
    for name in DAY_TABLES:
        for d in days:
            src = data / name / f"{d}.parquet"
            if src.exists():
                (out / name).mkdir(exist_ok=True)
                _link(src, out / name / src.name)
    for name in STATIC:
        if (data / name).exists():
            _link(data / name, out / name)
    complaints = data / "complaints.parquet"
    if complaints.exists():
        t = pq.read_table(complaints)
        wanted = pa.array([date.fromisoformat(d) for d in days], pa.date32())
        keep = pc.is_in(pc.cast(t["at"], pa.date32()), value_set=wanted)
        pq.write_table(t.filter(keep), out / "complaints.parquet")
    manifest = json.loads((data / "manifest.json").read_text())
    (out / "manifest.json").write_text(json.dumps(manifest))
    return out


def stream(data: Path, inbox: Path) -> list[Path]:
    """One batch per day under ``inbox`` (named by date)."""
    return [write_batch(data, inbox / d, [d]) for d in days_of(data)]


def _link(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)
