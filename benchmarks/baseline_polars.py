"""Benchmark: the whole ``fraudwall run`` and a daily ``fraudwall detect`` against a one-pass
Polars baseline on the same files (daily-operation issue: run within 10x, detect within 3x).

    python benchmarks/baseline_polars.py --subscribers 50000 --days 14 --work /tmp/fw-baseline

Simulates the world into ``--work/data`` on first use (reused afterwards). Then, back to back:

1. the baseline: a plain Polars lazy query a data engineer would write in an afternoon. It
   scans the calls once, counts per number its MO calls, active days and distinct callees,
   computes the share of its callees who also called it (a join of the number's MO pairs with
   its MT pairs), flags the numbers above a threshold and writes them to Parquet;
2. ``fraudwall run --data DATA --out RUN`` (ingest, every detector, fusion, outputs, report),
   as a child process with its peak RSS;
3. ``fraudwall detect --workspace RUN --window 7d`` over the store the run left (what an
   hourly ``fraudwall daily`` pays when nothing new was ingested);
4. the baseline again, so that a change of machine load during the run shows.

It prints each wall time, the ratios to the faster baseline, and where fraudwall's time went
(``run.json``: stage timings, the slowest feature families and detectors).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import polars as pl
import psutil

#: The baseline's rule: a number that calls many distinct people, few of whom ever call back.
MIN_MO_CALLS = 30
MIN_CALLEES = 20
MAX_CALLED_BACK = 0.1


def baseline(data: Path, out: Path) -> int:
    """The one-pass Polars fraud-caller rule over ``data/calls``; returns the flagged count."""
    calls = pl.scan_parquet(sorted((data / "calls").glob("*.parquet"))).select(
        "msisdn", "other_party", "direction", "started_at"
    )
    mo = calls.filter(pl.col("direction") == "MO")
    per_number = mo.group_by("msisdn").agg(
        pl.len().alias("mo_calls"),
        pl.col("started_at").dt.date().n_unique().alias("active_days"),
        pl.col("other_party").n_unique().alias("callees"),
    )
    mo_pairs = mo.select("msisdn", "other_party").unique()
    mt_pairs = calls.filter(pl.col("direction") == "MT").select("msisdn", "other_party").unique()
    called_back = (
        mo_pairs.join(mt_pairs, on=["msisdn", "other_party"], how="semi")
        .group_by("msisdn")
        .agg(pl.len().alias("called_back"))
    )
    flagged = (
        per_number.join(called_back, on="msisdn", how="left")
        .with_columns(
            (pl.col("called_back").fill_null(0) / pl.col("callees")).alias("called_back_share")
        )
        .filter(
            (pl.col("mo_calls") >= MIN_MO_CALLS)
            & (pl.col("callees") >= MIN_CALLEES)
            & (pl.col("called_back_share") <= MAX_CALLED_BACK)
        )
        .sort("mo_calls", descending=True)
    )
    flagged.sink_parquet(out)
    return pl.scan_parquet(out).select(pl.len()).collect().item()


def timed_baseline(data: Path, out: Path) -> tuple[float, int]:
    t0 = time.perf_counter()
    n = baseline(data, out)
    return time.perf_counter() - t0, n


def timed_child(cmd: list[str]) -> tuple[float, float, int]:
    """Wall seconds, peak RSS (GB, the child and its children, sampled every 50 ms), status."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    ps, peak = psutil.Process(proc.pid), [0]

    def sample() -> None:
        while proc.poll() is None:
            try:
                rss = ps.memory_info().rss + sum(
                    c.memory_info().rss for c in ps.children(recursive=True)
                )
            except psutil.Error:
                break
            peak[0] = max(peak[0], rss)
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    status = proc.wait()
    sampler.join()
    return time.perf_counter() - t0, peak[0] / 1e9, status


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--subscribers", type=int, default=50_000)
    ap.add_argument("--days", type=int, default=14)
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--work", type=Path, default=Path("/tmp/fraudwall-baseline"))
    ap.add_argument("--data", type=Path, help="use this data directory instead of simulating")
    ap.add_argument("--window", default="7d", help="window of the daily detect")
    args = ap.parse_args()

    data = args.data or args.work / "data"
    run_dir, detect_dir = args.work / "run", args.work / "detect"
    args.work.mkdir(parents=True, exist_ok=True)
    if not (data / "manifest.json").exists():
        from fraudwall.simulate import generate

        t0 = time.perf_counter()
        generate(data, subscribers=args.subscribers, days=args.days, seed=args.seed)
        print(
            f"simulated {args.subscribers:,} x {args.days} days in {time.perf_counter() - t0:.0f} s"
        )
    manifest = json.loads((data / "manifest.json").read_text())
    print(
        f"data {data} ({manifest.get('generator')}, seed {manifest.get('seed')}, "
        f"{manifest.get('subscribers')} x {manifest.get('days')} days); cores {os.cpu_count()}; "
        f"load average {_load()}"
    )
    exe = str(Path(sys.executable).with_name("fraudwall"))
    flagged_out = args.work / "baseline_flagged.parquet"

    base1, flagged = timed_baseline(data, flagged_out)
    print(f"baseline (Polars, one pass over calls) {base1:8.1f} s, {flagged:,} numbers flagged")
    shutil.rmtree(run_dir, ignore_errors=True)
    run_s, run_gb, run_rc = timed_child([exe, "run", "--data", str(data), "--out", str(run_dir)])
    print(
        f"fraudwall run                          {run_s:8.1f} s, "
        f"peak RSS {run_gb:.2f} GB, exit {run_rc}"
    )
    shutil.rmtree(detect_dir, ignore_errors=True)
    det_s, det_gb, det_rc = timed_child(
        [exe, "detect", "--workspace", str(run_dir), "--out", str(detect_dir),
         "--window", args.window]
    )  # fmt: skip
    print(
        f"fraudwall detect --window {args.window:<12} {det_s:8.1f} s, "
        f"peak RSS {det_gb:.2f} GB, exit {det_rc}"
    )
    base2, _ = timed_baseline(data, flagged_out)
    print(f"baseline again                         {base2:8.1f} s")
    print(f"load average after {_load()}")

    base = min(base1, base2)
    for label, secs, target in (("run", run_s, 10.0), ("detect", det_s, 3.0)):
        ratio = secs / base
        verdict = "PASS" if ratio <= target else "FAIL"
        print(f"ratio {label:6s} / baseline = {ratio:6.1f} (target <= {target:g}): {verdict}")

    for name, folder in (("run", run_dir), ("detect", detect_dir)):
        path = folder / "run.json"
        if not path.exists():
            continue
        rj = json.loads(path.read_text())
        stages = ", ".join(f"{k} {v:.1f}" for k, v in rj.get("timings_s", {}).items())
        print(f"{name}: stages (s): {stages}")
        for key in ("feature_seconds", "detector_seconds"):
            top = sorted(rj.get(key, {}).items(), key=lambda kv: -kv[1])[:6]
            total = sum(rj.get(key, {}).values())
            print(f"  {key} total {total:.1f}: " + ", ".join(f"{k} {v:.1f}" for k, v in top))
        failed = rj.get("detectors_failed") or {}
        if failed:
            print(f"  detectors failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
