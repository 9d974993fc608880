"""Benchmark: ingestion throughput (daily-operation issue: >= 1,000,000 rows/s on 2 cores).

    python benchmarks/ingest_throughput.py --data /tmp/world/data --rounds 2

Ingests the contract data directory ``--data`` into a fresh workspace under ``--work``, once
with one table at a time (``LANES = 1``, the baseline: the files one after the other, Parquet
still written on the background thread) and once with the default lanes, alternating for
``--rounds`` rounds, and prints wall time, rows/s and CPU seconds per million rows of the best
round of each. CPU per million rows is what the code costs whatever else runs on the machine;
rows/s on two cores is bounded by 2 / (CPU seconds per row).
"""

from __future__ import annotations

import argparse
import os
import shutil
import time
from pathlib import Path

import psutil

import fraudwall.ingest.orchestrate as orchestrate
from fraudwall.ingest import ingest
from fraudwall.store import Workspace

TARGET = 1_000_000


def once(data: Path, ws: Path, lanes: int) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (all threads) and rows read of one ingestion."""
    shutil.rmtree(ws, ignore_errors=True)
    orchestrate.LANES = lanes
    proc = psutil.Process()
    cpu0, t0 = proc.cpu_times(), time.perf_counter()
    report = ingest(data, Workspace(ws))
    wall, cpu1 = time.perf_counter() - t0, proc.cpu_times()
    cpu = (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)
    return wall, cpu, report.rows_read


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--work", type=Path, default=Path("/tmp/fraudwall-ingest-throughput"))
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()

    default = orchestrate.LANES
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    print(f"data {args.data}; cores {os.cpu_count()}; load average {load}")
    best: dict[int, tuple[float, float, int]] = {}
    for r in range(args.rounds):
        for lanes in (1, default):
            wall, cpu, rows = once(args.data, args.work / "ws", lanes)
            print(
                f"round {r + 1} lanes {lanes}: {rows:,} rows in {wall:.1f} s "
                f"({rows / wall:,.0f} rows/s), "
                f"CPU {cpu:.1f} s ({cpu / rows * 1e6:.2f} s per M rows)"
            )
            if lanes not in best or wall < best[lanes][0]:
                best[lanes] = (wall, cpu, rows)
    shutil.rmtree(args.work / "ws", ignore_errors=True)
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    print(f"load average after {load}")
    for lanes, (wall, cpu, rows) in best.items():
        rate = rows / wall
        verdict = "PASS" if rate >= TARGET else "FAIL"
        print(
            f"best, lanes {lanes}: {rate:,.0f} rows/s (target >= {TARGET:,}): {verdict}; "
            f"CPU {cpu / rows * 1e6:.2f} s per M rows"
        )
    if default in best and 1 in best and default != 1:
        print(f"lanes {default} / lanes 1 wall: {best[default][0] / best[1][0]:.2f}")


if __name__ == "__main__":
    main()
