"""Benchmark: detection (every feature family and detector) on DuckDB and on Spark, one world.

    flock /tmp/fraudwall-heavy.lock python benchmarks/spark_vs_duckdb.py \\
        --subscribers 200000 --days 7 --work /tmp/fw-spark-bench --spark-master 'local[2]'

Simulates the world into ``--work/data`` and ingests it into ``--work/ws`` on first use
(reused afterwards: ingestion writes the same Parquet store whichever engine detects), then
runs :func:`fraudwall.pipeline.detect` on each engine in this process, DuckDB first as the
baseline. Prints per engine: wall time, stored rows read per second, peak RSS of this process
and its children (the Spark JVM is a child), the leads found, and Spark's time as a multiple
of DuckDB's. Both engines must find the same leads; the script says so when they do not.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import threading
import time
from pathlib import Path
from typing import Any

import psutil


def _rss_tree(proc: psutil.Process) -> int:
    total = proc.memory_info().rss
    for child in proc.children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):
            total += child.memory_info().rss
    return total


def measure(fn: Any) -> tuple[Any, float, int]:
    """``fn()``'s result, wall seconds and peak RSS (this process + children, 100 ms samples)."""
    proc, peak, stop = psutil.Process(), [0], threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], _rss_tree(proc))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t0 = time.perf_counter()
    try:
        out = fn()
    finally:
        stop.set()
        sampler.join()
    return out, time.perf_counter() - t0, peak[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--subscribers", type=int, default=200_000)
    ap.add_argument("--days", type=int, default=7)
    ap.add_argument("--seed", type=int, default=20261202)
    ap.add_argument("--work", type=Path, default=Path("/tmp/fw-spark-bench"))
    ap.add_argument("--spark-master", default="local[2]")
    ap.add_argument("--spark-conf", action="append", default=[], help="key=value (repeatable)")
    ap.add_argument("--engines", default="duckdb,spark")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args()

    from fraudwall.ingest import ingest
    from fraudwall.pipeline import detect
    from fraudwall.policy import load_policy
    from fraudwall.simulate import generate
    from fraudwall.store import Workspace
    from fraudwall.store.engine_spark import parse_conf, spark_session

    data, ws = args.work / "data", Workspace(args.work / "ws")
    if not (data / "manifest.json").exists():
        t0 = time.perf_counter()
        generate(data, subscribers=args.subscribers, days=args.days, seed=args.seed)
        print(f"simulated {args.subscribers:,} x {args.days} in {time.perf_counter() - t0:.0f} s")
    if not ws.tables():
        t0 = time.perf_counter()
        with ws.writing():
            ingest(data, ws)
        print(f"ingested in {time.perf_counter() - t0:.0f} s")
    import pyarrow.parquet as pq

    rows = sum(
        pq.ParquetFile(f).metadata.num_rows for t in ws.tables() for f in ws.parquet_files(t)
    )
    policy = load_policy()
    print(f"world {args.subscribers:,} x {args.days} days: {rows:,} stored rows")
    print(f"load average before: {Path('/proc/loadavg').read_text().strip()}")

    figures: dict[str, dict[str, Any]] = {}
    leads: dict[str, set[tuple[str, ...]]] = {}
    for engine in args.engines.split(","):
        if engine == "spark":
            conf = {"spark.driver.memory": "6g", **parse_conf(args.spark_conf)}
            _, start_s, _ = measure(lambda c=conf: spark_session(args.spark_master, c))
            print(f"spark session started in {start_s:.1f} s (not counted below)")
        res, secs, peak = measure(lambda e=engine: detect(ws, policy, engine=e))
        key = ["entity_type", "entity_id", "detector"]
        leads[engine] = set(map(tuple, res.leads[key].astype(str).values))
        figures[engine] = {
            "seconds": round(secs, 1),
            "rows_per_s": round(rows / secs),
            "peak_rss_gib": round(peak / 2**30, 2),
            "leads": len(res.leads),
            "failed": res.failed,
            "feature_seconds": res.feature_seconds,
            "detector_seconds": res.seconds,
        }
        f = figures[engine]
        print(
            f"{engine:>6}: {f['seconds']:8.1f} s  {f['rows_per_s']:>10,} rows/s  "
            f"peak RSS {f['peak_rss_gib']:.2f} GiB  {f['leads']:,} leads  failed {res.failed}"
        )
    if "duckdb" in figures and "spark" in figures:
        ratio = figures["spark"]["seconds"] / figures["duckdb"]["seconds"]
        same = leads["duckdb"] == leads["spark"]
        print(f"spark / duckdb time: {ratio:.1f}x; same leads: {same}")
        if not same:
            print(
                f"  only duckdb: {len(leads['duckdb'] - leads['spark'])}, "
                f"only spark: {len(leads['spark'] - leads['duckdb'])}"
            )
    print(f"load average after: {Path('/proc/loadavg').read_text().strip()}")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, **figures}, indent=2, default=str))


if __name__ == "__main__":
    main()
