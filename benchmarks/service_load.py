"""Load test of a running ``fraudwall serve`` over loopback: the registration check and the
case list, against ``/health`` at the same rate as the in-process baseline (the floor of the
HTTP stack itself).

It builds its own world in a temporary directory (SQLite database, a subscribers store with
card counts across operators, blacklist entries, cases), starts ``fraudwall serve`` as a
subprocess, drives it open-loop at a fixed rate with many concurrent clients (bounded in
flight and in time: it stops by itself), prints p50/p99/max latency and throughput per
phase, and exits 1 on any error or a missed target.

Latency is measured from the time each request was *scheduled*, so a server that falls
behind shows it (no coordinated omission). The load generator shares the machine's cores
with the server, so by default it is a minimal HTTP/1.1 keep-alive client over asyncio
streams (about a fifth of httpx's CPU per request); ``--client httpx`` uses httpx instead.

``--soak S`` instead runs one mixed phase for S seconds at a steady rate (registration
checks, case lists, single cases, batch lists) and reports p50/p99 per call, the error
count and the server processes' resident memory at the start and the end.

    flock /tmp/fraudwall-heavy.lock .venv/bin/python benchmarks/service_load.py
    flock /tmp/fraudwall-heavy.lock .venv/bin/python benchmarks/service_load.py --soak 300

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
from typing import Any

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


def _raw_request(method: str, path: str, token: str | None, body: dict[str, str] | None) -> bytes:
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    if method == "POST":
        data = json.dumps(body).encode()
        head = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}"
            f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
        )
        return head.encode() + data
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}\r\n".encode()


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> tuple[int, bytes]:
    """One request on a keep-alive connection: (status, body)."""
    writer.write(request)
    status = await reader.readline()
    length = 0
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.partition(b":")
        if name.lower() == b"content-length":
            length = int(value)
    if not status:
        raise ConnectionError("server closed the connection")
    return int(status.split()[1]), await reader.readexactly(length)


Call = tuple[str, str, str, "dict[str, str] | None", "str | None"]


async def drive_raw(
    url: str,
    *,
    calls: list[Call],
    rate: float,
    duration: float,
    clients: int,
) -> dict[str, dict[str, float | int | str]]:
    """Open-loop load over ``clients`` keep-alive connections: request ``i`` is due at
    ``start + i / rate`` and is ``calls[i % len(calls)]`` (name, method, path, body, token); a
    connection takes the next due request when it is free, so at most ``clients`` are in
    flight. Latency from the scheduled start. Figures per call name."""
    host, port = url.removeprefix("http://").split(":")
    total = int(rate * duration)
    requests = [_raw_request(m, p, tok, b) for _n, m, p, b, tok in calls]
    latencies = np.zeros(total)
    errors: dict[str, list[str]] = {c[0]: [] for c in calls}
    next_i = 0
    start = time.perf_counter() + 0.2

    async def connection() -> None:
        nonlocal next_i
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            while next_i < total:
                i, next_i = next_i, next_i + 1
                due = start + i / rate
                if (delay := due - time.perf_counter()) > 0:
                    await asyncio.sleep(delay)
                name = calls[i % len(calls)][0]
                try:
                    status, body = await _exchange(reader, writer, requests[i % len(calls)])
                    if status != 200:
                        errors[name].append(f"{status} {body[:200]!r}")
                except (OSError, ConnectionError, asyncio.IncompleteReadError, ValueError) as e:
                    errors[name].append(repr(e))
                    writer.close()
                    reader, writer = await asyncio.open_connection(host, int(port))
                latencies[i] = time.perf_counter() - due
        finally:
            writer.close()

    await asyncio.gather(*(connection() for _ in range(clients)))
    elapsed = time.perf_counter() - start
    out: dict[str, dict[str, float | int | str]] = {}
    names = np.array([calls[i % len(calls)][0] for i in range(total)])
    for name in errors:
        ms = latencies[names == name] * 1000
        out[name] = {
            "requests": len(ms),
            "errors": len(errors[name]),
            "first_error": errors[name][0] if errors[name] else "",
            "throughput_rps": len(ms) / elapsed,
            "p50_ms": float(np.percentile(ms, 50)),
            "p99_ms": float(np.percentile(ms, 99)),
            "max_ms": float(ms.max()),
        }
    return out


def server_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its children (the uvicorn workers), in MB."""
    out = subprocess.run(["ps", "-A", "-o", "pid=,ppid=,rss="], capture_output=True, text=True)
    rows = [tuple(map(int, line.split())) for line in out.stdout.splitlines() if line.strip()]
    tree, grew = {pid}, True
    while grew:
        grew = False
        for p, parent, _rss in rows:
            if parent in tree and p not in tree:
                tree.add(p)
                grew = True
    return sum(rss for p, _parent, rss in rows if p in tree) / 1024


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
    ap.add_argument("--client", choices=["raw", "httpx"], default="raw", help="load generator")
    ap.add_argument(
        "--soak", type=float, default=0, help="one mixed phase of this many seconds instead"
    )
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
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None:
                raise RuntimeError(f"server exited: {proc.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            if time.monotonic() > deadline:
                raise RuntimeError("server did not answer /health within 120 s")
            time.sleep(0.2)
        bodies = request_mix(args.holders, 10_000, args.seed)
        system, analyst = str(world["system"]), str(world["analyst"])
        checks: list[Call] = [
            ("registration check", "POST", "/v1/check/registration", b, system) for b in bodies
        ]

        def phase(calls: list[Call], rate: float, duration: float) -> dict[str, dict[str, Any]]:
            if args.client == "raw":
                return asyncio.run(
                    drive_raw(url, calls=calls, rate=rate, duration=duration, clients=args.clients)
                )
            name, method, path, _b, token = calls[0]
            body_list = [c[3] for c in calls if c[3] is not None] or None
            return {
                name: asyncio.run(
                    drive(
                        url,
                        token or system,
                        method=method,
                        path=path,
                        bodies=body_list,  # type: ignore[arg-type]
                        rate=rate,
                        duration=duration,
                        clients=args.clients,
                    )
                )
            }

        # Warm up every worker's snapshot (built on first use, then refreshed in background).
        phase(checks, 100, 3)
        rss_start = server_rss_mb(proc.pid)
        if args.soak:
            mix: list[Call] = []
            for i, c in enumerate(checks[:2000]):
                mix.append(c)
                if i % 10 == 0:
                    mix.append(("case list", "GET", "/v1/cases?limit=50&level=high", None, analyst))
                if i % 20 == 5:
                    mix.append(("one case", "GET", f"/v1/cases/{1 + i % 100}", None, analyst))
                if i % 40 == 7:
                    mix.append(("batch list", "GET", "/v1/batches", None, analyst))
            assert args.client == "raw", "the soak mixes calls: --client raw"
            phases = phase(mix, args.rate, args.soak)
        else:
            phases = {
                "baseline /health": phase(
                    [("baseline /health", "GET", "/health", None, None)], args.rate, args.duration
                )["baseline /health"],
                "registration check": phase(checks, args.rate, args.duration)["registration check"],
                "case list (50 per page)": phase(
                    [("case list", "GET", "/v1/cases?limit=50&level=high", None, analyst)],
                    args.case_rate,
                    args.duration,
                )["case list"],
            }
        rss_end = server_rss_mb(proc.pid)
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
        "machine": {"cpus": os.cpu_count(), "loadavg": os.getloadavg()},
        "args": vars(args),
        "setup_s": setup_s,
        "phases": phases,
        "server_rss_mb": {"start": rss_start, "end": rss_end},
        "target_met": ok,
    }
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(
            f"world: {args.holders:,} holders, {args.cases:,} cases (setup {setup_s:.1f} s); "
            f"{args.workers} workers, {args.clients} clients in flight ({args.client}), "
            + (f"soak {args.soak:g} s" if args.soak else f"{args.duration:g} s/phase")
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
            f"server RSS {rss_start:.0f} MB after warm-up, {rss_end:.0f} MB at the end; "
            f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
        )
        print(
            f"registration check p99 < {args.target_p99_ms:g} ms at {args.rate:g} req/s: "
            f"{'yes' if ok else 'NO'}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
