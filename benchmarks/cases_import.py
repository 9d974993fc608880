"""Benchmark: import 1,000,000 synthetic leads into the case database (SQLite and PostgreSQL).

Prints, per database, wall time and peak memory (RSS of a fresh process) of:
  fresh     the first import (every lead a new case, plus its history row)
  again     the same run again (the baseline: nothing changes, everything is compared)
  changed   a later run where 10% of the leads carry new evidence

    flock /tmp/fraudwall-heavy.lock .venv/bin/python benchmarks/cases_import.py --leads 1000000

PostgreSQL: ``--pg-url URL``, or a throw-away cluster is started on loopback (as the tests do).
Leads are synthetic (random numbers, scenarios and scores; a reason and an evidence object of
typical length per lead), not tuned on anything.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

SCENARIOS = np.array(["fraud_caller", "simbox_sim", "wangiri", "bulk_sms", "harassment"])
DETECTORS = np.array(["callee_fanout", "outbound_burst", "one_ring", "bulk_sms", "night_calls"])


def make_run(run_dir: Path, n: int, *, seed: int, changed_share: float = 0.0) -> None:
    """``n`` leads on ``n`` distinct (number, scenario) pairs; ``changed_share`` of them with a
    different score than seed 0 gives."""
    rng = np.random.default_rng(0)
    numbers = 13_000_000_000 + rng.choice(8_000_000_000, size=n, replace=False)
    k = rng.integers(0, len(SCENARIOS), n)
    score = np.round(rng.uniform(0.5, 1.0, n), 4)
    if changed_share:
        r2 = np.random.default_rng(seed)
        flip = r2.random(n) < changed_share
        score = np.where(flip, np.round(np.minimum(score + 0.01, 1.0), 4), score)
    ids = pa.array(numbers.astype(str))
    sc = pa.array(score)
    det = pa.array(DETECTORS[k])
    reasons = pa.compute.binary_join_element_wise(
        pa.array(np.full(n, "distinct numbers called: ")),
        pa.compute.cast(sc, pa.string()),
        pa.array(np.full(n, " x the median caller (threshold 10x), 3% called back")),
        "",
    )
    evidence = pa.compute.binary_join_element_wise(
        pa.array(np.full(n, '{"features": {"score": ')),
        pa.compute.cast(sc, pa.string()),
        pa.array(
            np.full(
                n,
                ', "callees": 412, "callback_share": 0.03}, "thresholds": '
                '{"min_callees_x_median": 10.0}}',
            )
        ),
        "",
    )
    ts = pa.array(np.full(n, np.datetime64("2026-03-02T09:00:00", "us")))
    t = pa.table(
        {
            "entity_type": pa.array(np.full(n, "msisdn")),
            "entity_id": ids,
            "scenario": pa.array(SCENARIOS[k]),
            "detector": det,
            "signal": det,
            "score": sc,
            "risk_level": pa.array(np.where(score >= 0.8, "high", "medium")),
            "reasons": reasons,
            "evidence": evidence,
            "first_seen": ts,
            "last_seen": ts,
            "run_id": pa.array(np.full(n, f"bench-{seed}")),
            "policy_version": pa.array(np.full(n, "default-1")),
        }
    )
    run_dir.mkdir(parents=True, exist_ok=True)
    pq.write_table(t, run_dir / "leads.parquet")


def one(url: str, run_dir: Path) -> None:
    """Import one run in this process; print seconds, counts and peak RSS as JSON."""
    from fraudwall.cases.importer import import_run
    from fraudwall.db import open_database

    db = open_database(url)
    t0 = time.perf_counter()
    with db.session(via="benchmark") as s:
        r = import_run(s, run_dir=run_dir, actor="bench")
    dt = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB
    print(
        json.dumps(
            {
                "seconds": round(dt, 1),
                "peak_mib": round(peak),
                "new": r.new,
                "updated": r.updated,
                "unchanged": r.unchanged,
            }
        )
    )


def _child(url: str, run_dir: Path) -> dict[str, float]:
    p = subprocess.run(
        [sys.executable, __file__, "--one", url, str(run_dir)],
        capture_output=True,
        text=True,
        check=False,
    )
    if p.returncode != 0:
        raise SystemExit(p.stderr)
    return json.loads(p.stdout.strip().splitlines()[-1])


def _setup(url: str) -> None:
    from fraudwall.auth import Role, UserCreate, add_user
    from fraudwall.db import upgrade
    from fraudwall.db.engine import Database

    upgrade(url)
    db = Database(url)
    with db.session() as s:
        add_user(s, data=UserCreate(name="bench", role=Role.system), actor=None)
    db.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--leads", type=int, default=1_000_000)
    ap.add_argument("--pg-url", default=None)
    ap.add_argument("--only", choices=["sqlite", "postgresql"], default=None)
    ap.add_argument("--one", nargs=2, metavar=("URL", "RUN_DIR"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one:
        one(a.one[0], Path(a.one[1]))
        return
    root = Path(tempfile.mkdtemp(prefix="fw-bench-"))
    t0 = time.perf_counter()
    make_run(root / "r1", a.leads, seed=1)
    make_run(root / "r2", a.leads, seed=2, changed_share=0.10)
    print(f"{a.leads:,} synthetic leads written in {time.perf_counter() - t0:.1f} s")
    cluster = None
    targets = []
    if a.only in (None, "sqlite"):
        targets.append(("sqlite", f"sqlite:///{root / 'bench.db'}"))
    if a.only in (None, "postgresql"):
        url = a.pg_url
        if url is None:
            sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
            from dbfixtures import start_cluster  # the tests' throw-away cluster

            cluster = start_cluster()
            cluster.sql("CREATE DATABASE bench")
            url = cluster.url("bench")
        targets.append(("postgresql", url))
    try:
        print(
            f"{'database':<11} {'step':<8} {'seconds':>8} {'peak MiB':>9} {'new':>9} "
            f"{'updated':>9} {'unchanged':>10}"
        )
        for name, url in targets:
            _setup(url)
            for step, run in (("fresh", "r1"), ("again", "r1"), ("changed", "r2")):
                r = _child(url, root / run)
                print(
                    f"{name:<11} {step:<8} {r['seconds']:>8} {r['peak_mib']:>9} {r['new']:>9,} "
                    f"{r['updated']:>9,} {r['unchanged']:>10,}",
                    flush=True,
                )
    finally:
        if cluster is not None:
            cluster.stop()
        import shutil

        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
