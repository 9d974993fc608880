"""Peak memory and speed of ``fraudwall ingest`` on a large calls CSV (target: < 3 GB RSS).

Writes a synthetic contract directory (``calls.csv`` with ``--rows`` rows, a small
``subscribers.csv``) to a temporary directory, vectorised and in chunks, then ingests it in a
child process while sampling the child's resident memory (with its children) with psutil.

    nice -n 10 python benchmarks/ingest_memory.py                 # 20 million rows
    nice -n 10 python benchmarks/ingest_memory.py --rows 2000000  # a quicker look
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import psutil
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

TARGET_BYTES = 3 * 10**9
CHUNK = 1_000_000
START = np.datetime64("2024-05-01T00:00:00", "s")


def _digits(rng: np.random.Generator, prefix: str, n: int, width: int, high: int) -> pa.Array:
    numbers = pa.array(rng.integers(0, high, n), pa.int64())
    padded = pc.utf8_lpad(pc.cast(numbers, pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, padded, "")


def calls_chunk(rng: np.random.Generator, first: int, n: int, days: int) -> pa.Table:
    """``n`` synthetic call records with ids ``first..first+n-1`` (a few dirty values included)."""
    ids = pc.cast(pa.array(np.arange(first, first + n), pa.int64()), pa.string())
    seconds = rng.integers(0, days * 86_400, n)
    started = pa.array(START + seconds.astype("timedelta64[s]"), pa.timestamp("s"))
    duration = rng.integers(0, 600, n)
    duration[rng.random(n) < 1e-4] = -1  # some negative durations to quarantine
    return pa.table(
        {
            "record_id": pc.binary_join_element_wise("c", ids, ""),
            "msisdn": _digits(rng, "13", n, 9, 2_000_000),
            "other_party": _digits(rng, "15", n, 9, 10**9),
            "direction": pc.take(pa.array(["MO", "MT", "FWD"]), pa.array(rng.integers(0, 3, n))),
            "started_at": pc.strftime(started, format="%Y-%m-%d %H:%M:%S"),
            "duration_s": pa.array(duration, pa.int64()),
            "imei": _digits(rng, "86", n, 13, 500_000),
            "cell_id": _digits(rng, "cell", n, 5, 20_000),
        }
    )


def write_data(root: Path, rows: int, seed: int = 7) -> int:
    """Write the contract directory; returns the size of ``calls.csv`` in bytes."""
    rng = np.random.default_rng(seed)
    root.mkdir(parents=True, exist_ok=True)
    with pacsv.CSVWriter(root / "calls.csv", calls_chunk(rng, 0, 1, 1).schema) as w:
        for first in range(0, rows, CHUNK):
            w.write_table(calls_chunk(rng, first, min(CHUNK, rows - first), days=30))
    n = 100_000
    subscribers = pa.table(
        {
            "msisdn": _digits(rng, "13", n, 9, 2_000_000),
            "holder_id_hash": _digits(rng, "h", n, 12, 10**12),
            "holder_type": pc.take(pa.array(["personal", "iot"]), pa.array(rng.integers(0, 2, n))),
            "activated_at": pa.array(["2023-01-01 00:00:00"] * n),
        }
    )
    pacsv.write_csv(subscribers, root / "subscribers.csv")
    return (root / "calls.csv").stat().st_size


_CHILD = """
import json, sys
from fraudwall.ingest import ingest
from fraudwall.store import Workspace
r = ingest(sys.argv[1], Workspace(sys.argv[2]))
print(json.dumps({k: v for k, v in r.to_dict()["tables"]["calls"].items() if k != "files"}))
"""


def measure(data: Path, workspace: Path, interval: float = 0.2) -> tuple[dict, float, int]:
    """Ingest in a child process; returns (calls counts, wall seconds, peak RSS bytes)."""
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(data), str(workspace)], stdout=subprocess.PIPE
    )
    proc = psutil.Process(child.pid)
    peak = 0
    while child.poll() is None:
        try:
            rss = proc.memory_info().rss + sum(
                c.memory_info().rss for c in proc.children(recursive=True)
            )
        except psutil.NoSuchProcess:
            break
        peak = max(peak, rss)
        time.sleep(interval)
    out, _ = child.communicate()
    wall = time.perf_counter() - started
    if child.returncode != 0:
        raise SystemExit(f"ingest failed with status {child.returncode}")
    return json.loads(out), wall, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000_000)
    parser.add_argument("--dir", type=Path, default=None, help="work here (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the data and workspace")
    args = parser.parse_args()
    root = args.dir or Path(tempfile.mkdtemp(prefix="fraudwall-ingest-bench-"))
    try:
        t0 = time.perf_counter()
        size = write_data(root / "data", args.rows)
        took = time.perf_counter() - t0
        print(f"wrote {args.rows:,} calls ({size / 1e9:.2f} GB CSV) in {took:.0f} s")
        counts, wall, peak = measure(root / "data", root / "ws")
        read = counts["rows_read"]
        print(
            f"rows read        {read:,} (accepted {counts['accepted']:,}, rejected "
            f"{counts['rejected']:,}, duplicates {counts['duplicates']:,})"
        )
        print(f"wall time        {wall:.1f} s (whole run incl. subscribers)")
        print(f"throughput       {read / wall:,.0f} rows/s, {size / wall / 1e6:.0f} MB/s")
        verdict = "OK" if peak < TARGET_BYTES else "OVER TARGET"
        target = f"target < {TARGET_BYTES / 1e9:.0f} GB"
        print(f"peak RSS         {peak / 1e9:.2f} GB ({target}): {verdict}")
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
