"""A small simulated world delivered day by day, and snapshots of a workspace's content."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from daystream import days_of, stream, write_batch

from fraudwall.simulate import generate

SEED = 15_0301  # used by no other test


@pytest.fixture(scope="session")
def small_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2,000 subscribers x 4 days, one batch per day under ``inbox/``."""
    root = tmp_path_factory.mktemp("ops-world")
    generate(root / "data", subscribers=2000, days=4, seed=SEED)
    stream(root / "data", root / "inbox")
    return root


def batch(world: Path, day_index: int) -> Path:
    return world / "inbox" / days_of(world / "data")[day_index]


def snapshot(ws: Path) -> dict[str, Any]:
    """The workspace's content, independent of file names and write times."""
    out: dict[str, Any] = {}
    for kind in ("store", "quarantine"):
        root = ws / kind
        if not root.is_dir():
            continue
        for tdir in sorted(p for p in root.iterdir() if p.is_dir()):
            files = sorted(tdir.rglob("*.parquet"))
            if not files:
                continue
            frames = [pq.read_table(f).to_pandas() for f in files]
            df = pd.concat(frames, ignore_index=True).astype(str)
            df = df.sort_values(list(df.columns), ignore_index=True)
            days = sorted({f.parent.name for f in files if f.parent != tdir})
            out[f"{kind}/{tdir.name}"] = (days, df.to_csv(index=False))
    log = ws / "ingest_log.json"
    if log.exists():
        entries = json.loads(log.read_text())["files"]
        out["log"] = sorted(
            json.dumps({k: v for k, v in e.items() if k not in {"ingested_at"}}, sort_keys=True)
            for e in entries
        )
    return out


__all__ = ["batch", "days_of", "snapshot", "write_batch"]
