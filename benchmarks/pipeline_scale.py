"""Benchmark: the whole detector library on a large world, wall time per stage and peak RSS.

    python benchmarks/pipeline_scale.py --subscribers 1000000 --days 7 --work /tmp/fw-scale

Simulates the world into ``--work/data`` on first use (reused afterwards), then runs
``fraudwall.pipeline.run`` into a fresh ``--work/run`` and prints the stage timings recorded in
run.json, the peak RSS of the process (sampled every 50 ms), and the targets of the detector
library issue: whole run under 15 minutes and peak RSS under 8 GB on 2 cores. With
``--labels`` it also prints precision and recall per scenario against the simulator's truth.
"""

from __future__ import annotations

import argparse
import os
import shutil
import threading
import time
from pathlib import Path

import psutil


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--subscribers", type=int, default=1_000_000)
    ap.add_argument("--days", type=int, default=7)
    ap.add_argument("--seed", type=int, default=20261124)
    ap.add_argument("--work", type=Path, default=Path("/tmp/fraudwall-scale"))
    ap.add_argument("--labels", action="store_true", help="evaluate against the truth")
    args = ap.parse_args()

    from fraudwall.pipeline import run
    from fraudwall.simulate import generate

    data, out = args.work / "data", args.work / "run"
    if not (data / "manifest.json").exists():
        t0 = time.perf_counter()
        generate(data, subscribers=args.subscribers, days=args.days, seed=args.seed)
        print(
            f"simulated {args.subscribers:,} x {args.days} days in {time.perf_counter() - t0:.0f} s"
        )
    shutil.rmtree(out, ignore_errors=True)

    proc, peak, stop = psutil.Process(), [0], threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], proc.memory_info().rss)
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t0 = time.perf_counter()
    result = run(data, out)
    wall = time.perf_counter() - t0
    stop.set()
    sampler.join()

    rows = sum(t.get("accepted", 0) for t in result.ingest.get("tables", {}).values())
    print(f"cores {os.cpu_count()}; rows ingested {rows:,}")
    for stage, s in result.timings_s.items():
        print(f"  {stage:8s} {s:8.1f} s")
    print(f"whole run {wall:8.1f} s (target < 900 s): {'PASS' if wall < 900 else 'FAIL'}")
    print(
        f"peak RSS  {peak[0] / 1e9:8.2f} GB (target < 8 GB): {'PASS' if peak[0] < 8e9 else 'FAIL'}"
    )
    print(
        f"leads {len(result.leads):,} on {len(result.risk):,} entities; "
        f"detectors ran {len(result.detectors_ran)}, skipped {len(result.detectors_skipped)}"
    )
    if args.labels:
        from fraudwall.evaluate import evaluate, read_labels

        truth = data / "truth" / "labels.parquet"
        ev = evaluate(result.leads, read_labels(truth))
        print(ev.by_scenario.to_string(index=False))


if __name__ == "__main__":
    main()
