"""Load test of a running ``fraudwall serve`` over loopback: the registration check and the
case list, against ``/health`` at the same rate as the in-process baseline (the floor of the
HTTP stack itself).

It builds its own world in a temporary directory (SQLite database, a subscribers store with
card counts across operators, blacklist entries, cases), starts ``fraudwall serve`` as a
subprocess, drives it open-loop at a fixed rate with many concurrent clients (bounded in
flight and in time: it stops by itself), prints p50/p99/max latency and throughput per
phase, and exits 1 on any error or a missed target.

Latency is measured from the time each request was *scheduled*, so a server that falls
behind shows it (no coordinated omission).

    flock /tmp/fraudwall-heavy.lock .venv/bin/python benchmarks/service_load.py
    flock /tmp/fraudwall-heavy.lock .venv/bin/python benchmarks/service_load.py --duration 300

The data is synthetic (generated here, not tuned on): holders with 1-7 cards spread over
three operators, 5% of holders, 1% of devices and outlets listed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
FRAUDWALL = str(Path(sys.executable).with_name("fraudwall"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def build_world(root: Path, *, holders: int, cases: int, seed: int) -> dict[str, object]:
    """Subscribers, lists and cases; returns the request mix and a system token."""
    rng = np.random.default_rng(seed)
    cards = rng.integers(1, 8, holders)
    holder_ids = np.repeat(np.array([f"h{i:07d}" for i in range(holders)]), cards)
    n = len(holder_ids)
    ops = rng.choice(np.array(["own", "cq-unicom", "cq-mobile"]), n)
    store = root / "ws" / "store" / "subscribers"
    store.mkdir(parents=True)
    pq.write_table(
        pa.table(
            {
                "msisdn": [f"+86138{i:08d}" for i in range(n)],
                "holder_id_hash": holder_ids,
                "operator": ops,
                "status": np.where(rng.random(n) < 0.1, "closed", "active"),
                "outlet_id": [f"OUT-{i % 500}" for i in range(n)],
            }
        ),
        store / "part-0.parquet",
    )
    pq.write_table(
        pa.table(
            {
                "entity_type": ["outlet_id"] * 50,
                "entity_id": [f"OUT-{i}" for i in range(50)],
                "risk_score": [0.9] * 50,
                "risk_level": ["high"] * 50,
                "run_id": ["bench"] * 50,
            }
        ),
        root / "ws" / "risk.parquet",
    )
    env = {**os.environ, "FRAUDWALL_DATABASE_URL": f"sqlite:///{root / 'fw.db'}"}

    def cli(*args: str) -> str:
        return subprocess.run(
            [FRAUDWALL, *args], env=env, check=True, capture_output=True, text=True
        ).stdout

    cli("users", "add", "boss", "--role", "supervisor")
    cli("users", "add", "ann", "--role", "analyst", "--as", "boss")
    cli("users", "add", "pos", "--role", "system", "--as", "boss")
    system = cli("token", "create", "pos", "--as", "boss").strip().splitlines()[-1]
    analyst = cli("token", "create", "ann", "--as", "boss").strip().splitlines()[-1]
    # Lists and cases straight through the service functions, in one unit of work each.
    code = f"""
import random
from fraudwall.db import open_database
from fraudwall.lists import service
from fraudwall.lists.models import EntryCreate
from fraudwall.cases.models import Case
rng = random.Random({seed})
db = open_database(None)
with db.session() as s:
    for i in rng.sample(range({holders}), {holders} // 20):
        service.add_entry(s, list_name="holders", data=EntryCreate(value=f"h{{i:07d}}",
                          reason_code="id_many_cards"), actor="ann")
    for i in range(2000):
        service.add_entry(s, list_name="imeis", data=EntryCreate(value=f"35{{i:013d}}"),
                          actor="ann")
    for i in range(400, 405):
        service.add_entry(s, list_name="outlets", data=EntryCreate(value=f"OUT-{{i}}"),
                          actor="ann")
with db.session() as s:
    s.add_all(Case(entity_type="msisdn", entity_id=f"+86139{{i:08d}}", scenario="fraud_caller",
                   score=rng.random(), risk_level="high", detectors="outbound_burst",
                   reasons="many calls", evidence="{{}}", evidence_hash=str(i), run_id="bench")
              for i in range({cases}))
"""
    subprocess.run([sys.executable, "-c", code], env=env, check=True)
    return {"env": env, "system": system, "analyst": analyst}


def request_mix(holders: int, count: int, seed: int) -> list[dict[str, str]]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        body = {"holder_id_hash": f"h{rng.randrange(holders):07d}"}
        if rng.random() < 0.8:
            body["imei"] = f"35{rng.randrange(4000):013d}"
        if rng.random() < 0.8:
            body["outlet_id"] = f"OUT-{rng.randrange(500)}"
        out.append(body)
    return out


async def drive(
    url: str,
    token: str,
    *,
    method: str,
    path: str,
    bodies: list[dict[str, str]] | None,
    rate: float,
    duration: float,
    clients: int,
) -> dict[str, float]:
    """Open-loop load: one request every 1/rate s for ``duration`` s, at most ``clients`` in
    flight. Latency from the scheduled start."""
    total = int(rate * duration)
    latencies = np.zeros(total)
    errors: list[str] = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    headers = {"Authorization": f"Bearer {token}"}
    sem = asyncio.Semaphore(clients)
    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=10) as c:
        start = time.perf_counter() + 0.2

        async def one(i: int) -> None:
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            async with sem:
                try:
                    if method == "POST":
                        r = await c.post(path, json=bodies[i % len(bodies)] if bodies else None)
                    else:
                        r = await c.get(path)
                    if r.status_code != 200:
                        errors.append(f"{r.status_code} {r.text[:200]}")
                except httpx.HTTPError as e:
                    errors.append(repr(e))
            latencies[i] = time.perf_counter() - due

        await asyncio.gather(*(one(i) for i in range(total)))
        elapsed = time.perf_counter() - start
    ms = latencies * 1000
    return {
        "requests": total,
        "errors": len(errors),
        "first_error": errors[0] if errors else "",
        "throughput_rps": total / elapsed,
        "p50_ms": float(np.percentile(ms, 50)),
        "p99_ms": float(np.percentile(ms, 99)),
        "max_ms": float(ms.max()),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--duration", type=float, default=30, help="seconds per phase")
    ap.add_argument("--rate", type=float, default=500, help="registration checks per second")
    ap.add_argument("--case-rate", type=float, default=50, help="case list calls per second")
    ap.add_argument("--clients", type=int, default=64, help="requests in flight at most")
    ap.add_argument("--workers", type=int, default=2, help="server worker processes")
    ap.add_argument("--holders", type=int, default=200_000)
    ap.add_argument("--cases", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--target-p99-ms", type=float, default=20.0)
    ap.add_argument("--json", action="store_true", help="print JSON only")
    args = ap.parse_args()

    root = Path(tempfile.mkdtemp(prefix="fw-load-"))
    proc = None
    try:
        t0 = time.perf_counter()
        world = build_world(root, holders=args.holders, cases=args.cases, seed=args.seed)
        setup_s = time.perf_counter() - t0
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        env = {**world["env"], "FRAUDWALL_WORKSPACE": str(root / "ws")}  # type: ignore[dict-item]
        proc = subprocess.Popen(
            [FRAUDWALL, "serve", "--port", str(port), "--workers", str(args.workers)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("server did not start")
            time.sleep(0.2)
        bodies = request_mix(args.holders, 10_000, args.seed)
        system, analyst = str(world["system"]), str(world["analyst"])
        # Warm up every worker's snapshot (built on first use, then refreshed in background).
        asyncio.run(
            drive(
                url,
                system,
                method="POST",
                path="/v1/check/registration",
                bodies=bodies,
                rate=100,
                duration=3,
                clients=8,
            )
        )
        phases = {
            "baseline /health": asyncio.run(
                drive(
                    url,
                    system,
                    method="GET",
                    path="/health",
                    bodies=None,
                    rate=args.rate,
                    duration=args.duration,
                    clients=args.clients,
                )
            ),
            "registration check": asyncio.run(
                drive(
                    url,
                    system,
                    method="POST",
                    path="/v1/check/registration",
                    bodies=bodies,
                    rate=args.rate,
                    duration=args.duration,
                    clients=args.clients,
                )
            ),
            "case list (50 per page)": asyncio.run(
                drive(
                    url,
                    analyst,
                    method="GET",
                    path="/v1/cases?limit=50&level=high",
                    bodies=None,
                    rate=args.case_rate,
                    duration=args.duration,
                    clients=args.clients,
                )
            ),
        }
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(root, ignore_errors=True)
    check = phases["registration check"]
    ok = all(p["errors"] == 0 for p in phases.values()) and check["p99_ms"] < args.target_p99_ms
    report = {
        "machine": {"cpus": os.cpu_count()},
        "args": vars(args),
        "setup_s": setup_s,
        "phases": phases,
        "target_met": ok,
    }
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(
            f"world: {args.holders:,} holders, {args.cases:,} cases (setup {setup_s:.1f} s); "
            f"{args.workers} workers, {args.clients} clients in flight, {args.duration:g} s/phase"
        )
        print(
            f"{'phase':28} {'req':>7} {'err':>4} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
            f"{'max ms':>8}"
        )
        for name, p in phases.items():
            print(
                f"{name:28} {p['requests']:>7} {p['errors']:>4} {p['throughput_rps']:>8.1f} "
                f"{p['p50_ms']:>8.2f} {p['p99_ms']:>8.2f} {p['max_ms']:>8.1f}"
            )
            if p["errors"]:
                print(f"  first error: {p['first_error']}")
        print(
            f"registration check p99 < {args.target_p99_ms:g} ms at {args.rate:g} req/s: "
            f"{'yes' if ok else 'NO'}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
