"""Wall time, throughput and peak memory of ``fraudwall simulate``.

Runs the generator in a child process, samples its resident memory with psutil and prints wall
time, rows per second per table and the peak RSS. The target (docs/simulator.md): 1,000,000
subscribers x 7 days under 4 GB peak RSS.

    nice -n 10 python benchmarks/simulate_memory.py --subscribers 1000000 --days 7
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

CHILD = """
import json, sys
from fraudwall.simulate import generate
s = generate(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
print(json.dumps({"rows": s.rows, "planted": s.planted, "seconds": s.seconds}))
"""


def rss_tree(proc: psutil.Process) -> int:
    """Resident memory of a process and its children, in bytes."""
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += p.memory_info().rss
    return total


def run(subscribers: int, days: int, seed: int, out: Path, interval: float) -> dict:
    """Generate in a child process; return its summary plus wall time and peak RSS."""
    t0 = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(out), str(subscribers), str(days), str(seed)],
        stdout=subprocess.PIPE,
        text=True,
    )
    proc = psutil.Process(child.pid)
    peak = 0
    while child.poll() is None:
        try:
            peak = max(peak, rss_tree(proc))
        except psutil.NoSuchProcess:
            break
        time.sleep(interval)
    stdout, _ = child.communicate()
    wall = time.perf_counter() - t0
    if child.returncode != 0:
        raise SystemExit(f"generator failed with exit status {child.returncode}")
    result = json.loads(stdout.strip().splitlines()[-1])
    result.update(wall_s=wall, peak_rss=peak)
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--subscribers", type=int, default=1_000_000)
    ap.add_argument("--days", type=int, default=7)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, help="where to write (default: a temporary directory)")
    ap.add_argument("--keep", action="store_true", help="keep the generated data")
    ap.add_argument("--interval", type=float, default=0.2, help="RSS sampling interval (s)")
    ap.add_argument("--limit-gb", type=float, default=4.0, help="peak RSS budget")
    args = ap.parse_args()

    out = args.out or Path(tempfile.mkdtemp(prefix="fraudwall-sim-"))
    try:
        r = run(args.subscribers, args.days, args.seed, out, args.interval)
        size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    finally:
        if not args.keep and args.out is None:
            shutil.rmtree(out, ignore_errors=True)
    wall = r["wall_s"]
    print(f"simulate {args.subscribers:,} subscribers x {args.days} days (seed {args.seed})")
    print(f"wall time      {wall:8.1f} s   (generator {r['seconds']:.1f} s)")
    print(f"output size    {size / 2**30:8.2f} GiB")
    total = 0
    for name, n in r["rows"].items():
        total += n
        print(f"  {name:<14} {n:>13,} rows  {n / wall:>12,.0f} rows/s")
    print(f"  {'all tables':<14} {total:>13,} rows  {total / wall:>12,.0f} rows/s")
    calls_per_sub_day = r["rows"]["calls"] / (args.subscribers * args.days)
    print(f"call legs per subscriber per day  {calls_per_sub_day:.2f}")
    peak_gb = r["peak_rss"] / 2**30
    verdict = "within" if peak_gb < args.limit_gb else "OVER"
    print(f"peak RSS       {peak_gb:8.2f} GiB  ({verdict} the {args.limit_gb:g} GiB budget)")


if __name__ == "__main__":
    main()
