"""Benchmark: the cost of ingesting one more day into a growing standing workspace.

    python benchmarks/ingest_curve.py --subscribers 200000 --days 90 --work /tmp/fw-curve

Simulates the world into ``--work/data`` (reused), splits it into daily deliveries, ingests
them one by one into ``--work/ws`` and prints the seconds and rows/s of every day, then the
ratio of the last days to the first (target of the daily-operation issue: day 90 costs no more
than 1.2x day 1). Deduplication reads only the store days a new file covers, so the ratio
should stay near 1 however long the store grows.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "operations"))

from daystream import stream

from fraudwall.ingest import ingest
from fraudwall.simulate import generate
from fraudwall.store import Workspace


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--subscribers", type=int, default=200_000)
    ap.add_argument("--days", type=int, default=90)
    ap.add_argument("--seed", type=int, default=20261202)
    ap.add_argument("--work", type=Path, default=Path("/tmp/fraudwall-curve"))
    args = ap.parse_args()

    data, inbox, ws = args.work / "data", args.work / "inbox", args.work / "ws"
    if not (data / "manifest.json").exists():
        t0 = time.perf_counter()
        generate(data, subscribers=args.subscribers, days=args.days, seed=args.seed)
        print(
            f"simulated {args.subscribers:,} x {args.days} days in {time.perf_counter() - t0:.0f} s"
        )
    shutil.rmtree(inbox, ignore_errors=True)
    shutil.rmtree(ws, ignore_errors=True)
    batches = stream(data, inbox)
    secs, rates = [], []
    print(f"{'day':>4} {'date':>10} {'rows':>10} {'seconds':>8} {'rows/s':>10} {'stored days':>11}")
    for i, b in enumerate(batches, 1):
        t0 = time.perf_counter()
        rep = ingest(b, Workspace(ws))
        s = time.perf_counter() - t0
        rows = rep.rows_read
        secs.append(s)
        rates.append(rows / s if s else 0.0)
        days = len(Workspace(ws).days("calls"))
        print(f"{i:4d} {b.name:>10} {rows:10,} {s:8.2f} {rates[-1]:10,.0f} {days:11d}")
    k = max(1, min(5, len(secs) // 4))
    # Day 1 also ingests the reference tables; compare the median of days 2..k+1 with the last k.
    first = statistics.median(secs[1 : k + 1]) if len(secs) > k else secs[0]
    last = statistics.median(secs[-k:])
    ratio = last / first if first else float("nan")
    print(f"median seconds: days 2-{k + 1} {first:.2f}, last {k} days {last:.2f}")
    print(f"ratio last/first {ratio:.2f} (target <= 1.2): {'PASS' if ratio <= 1.2 else 'FAIL'}")


if __name__ == "__main__":
    main()
