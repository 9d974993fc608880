"""Call-screening latency, throughput and state memory.

    L=/tmp/fraudwall-heavy.lock; B="nice .venv/bin/python benchmarks/screening_latency.py"
    flock $L $B inproc
    flock $L $B memory --callers 10000000
    flock $L $B app
    flock $L $B store
    flock $L $B http --rate 2000
    flock $L $B http --rate 2000 --workers 2 --redis
    flock $L $B kamailio --rate 100 --calls 2000

- ``inproc``: one engine, in-process state, a traffic mix of ordinary callers and fraud-like
  callers; per-decision time (perf_counter_ns). Baseline in the same process: one dict get and
  set per call (the least any state store does). Target: p99 < 200 us.
- ``memory``: RSS added by the in-process store holding N distinct callers (one call each),
  and the time to write its snapshot.
- ``app``: CPU per decision through the worker's ASGI app without sockets (token check,
  validation, engine, serialisation). Baseline: the engine alone on the same calls.
- ``store``: CPU per state update with Redis state, one at a time (``RedisStore.aupdate_pair``).
  Baseline in the same process: the same ``MGET`` and compare-and-set on redis-py's asyncio
  client, each reply awaited.
- ``http``: ``fraudwall screen serve`` worker(s) on loopback, an open-loop load generator at
  ``--rate`` decisions/s per worker over ``--conns`` keep-alive connections each; latency from
  each request's scheduled send time (no coordinated omission), so it includes how late the
  generator's timer woke (``send_lag_ms``: up to ~1 ms on uvloop, whose timers are whole
  milliseconds; ``--gen-loop select`` wakes to ~0.1 ms at about twice the generator's CPU).
  The generator shares the cores with what it measures; ``cpu_us_per_decision`` says what each
  process cost. Baseline: the same decisions at a tenth of the rate. Target: p99 < 5 ms.
- ``kamailio``: post-dial delay (INVITE -> 180) through Kamailio with SIPp, with the screening
  route and with it switched off; the difference is what screening adds.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import random
import re
import selectors
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import psutil
import uvloop

from fraudwall.screening import Engine, MemoryStore, ScreeningPolicy
from fraudwall.screening.state import CallerState

ROOT = Path(__file__).resolve().parents[1]
FRAUDWALL = str(Path(sys.executable).parent / "fraudwall")
T0 = 29_000_000 * 60


def q(values: list[float] | np.ndarray, p: float) -> float:
    return float(np.percentile(np.asarray(values), p))


def traffic(n: int, callers: int, seed: int = 1) -> list[tuple[str, str, int]]:
    """n call set-ups over one busy hour: ordinary callers to their few contacts, 1% of callers
    dialling strangers."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        c = rng.randrange(callers)
        if c % 100 == 0:
            callee = f"+86137{rng.randrange(10**8):08d}"
        else:
            callee = f"+86139{(c * 31 + rng.randrange(8)) % 10**8:08d}"
        out.append((f"+86138{c:08d}", callee, T0 + i * 3600 // n))
    return out


def bench_inproc(args: argparse.Namespace) -> dict[str, object]:
    calls = traffic(args.calls, args.callers)
    eng = Engine(policy=ScreeningPolicy(), state=MemoryStore())
    base: dict[str, int] = {}
    tb = []
    pc = time.perf_counter_ns
    for caller, _callee, _t in calls:  # baseline: one dict get and set per call
        s = pc()
        base[caller] = base.get(caller, 0) + 1
        tb.append(pc() - s)
    gc.collect()
    gc.disable()
    te = []
    screen, ended = eng.screen, eng.call_ended
    t_all = time.perf_counter()
    for i, (caller, callee, t) in enumerate(calls):
        s = pc()
        d = screen(caller, callee, t)
        te.append(pc() - s)
        if d.action.value != "block" and i % 2:
            ended(caller, callee, t + 20, 15)
    wall = time.perf_counter() - t_all
    gc.enable()
    us = np.asarray(te) / 1000
    return {
        "mode": "inproc",
        "decisions": len(calls),
        "callers": args.callers,
        "p50_us": q(us, 50),
        "p99_us": q(us, 99),
        "p999_us": q(us, 99.9),
        "throughput_per_s_incl_call_ends": len(calls) / wall,
        "baseline_dict_p99_us": q(np.asarray(tb) / 1000, 99),
    }


def bench_memory(args: argparse.Namespace) -> dict[str, object]:
    proc = psutil.Process()
    gc.collect()
    before = proc.memory_info().rss
    store = MemoryStore(max_callers=args.callers + 1)
    t = time.perf_counter()
    template = CallerState()
    template.record_attempt(T0 // 60, "+8613900000000")
    raw = bytes(template.data)
    for i in range(args.callers):
        store.put(f"+86138{i:08d}", CallerState(raw))
    seconds = time.perf_counter() - t
    gc.collect()
    after = proc.memory_info().rss
    per = (after - before) / args.callers
    with tempfile.TemporaryDirectory(prefix="fw-snap-") as d:
        t = time.perf_counter()
        store.snapshot(Path(d) / "snap.bin")
        snap_s = time.perf_counter() - t
        snap_bytes = (Path(d) / "snap.bin").stat().st_size
    return {
        "mode": "memory",
        "callers": args.callers,
        "rss_added_bytes": after - before,
        "rss_added_gib": (after - before) / 2**30,
        "bytes_per_caller": per,
        "record_bytes": len(raw),
        "fill_seconds": seconds,
        "snapshot_seconds": snap_s,
        "snapshot_bytes": snap_bytes,
    }


# -- the app without sockets ---------------------------------------------------------------------
def bench_app(args: argparse.Namespace) -> dict[str, object]:
    """CPU per decision through the worker's ASGI app (auth, validation, engine, serialisation;
    no sockets, no HTTP parsing), against the engine alone on the same calls in the same process.
    CPU time, not wall time, so other jobs on the machine move it little."""
    from fraudwall.screening.app import create_worker_app
    from fraudwall.screening.service import ScreenConfig

    tmp = Path(tempfile.mkdtemp(prefix="fw-app-"))
    try:
        url, token = make_db(tmp)
        app = create_worker_app(ScreenConfig(database_url=url))
        calls = traffic(args.calls, 200_000, seed=7)
        bodies = [json.dumps({"caller": c, "callee": e}).encode() for c, e, _t in calls]
        headers = [(b"host", b"x"), (b"authorization", f"Bearer {token}".encode()),
                   (b"content-type", b"application/json")]  # fmt: skip
        statuses: list[int] = []

        async def one(body: bytes) -> None:
            scope = {
                "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
                "method": "POST", "scheme": "http", "path": "/v1/screen",
                "raw_path": b"/v1/screen", "query_string": b"", "root_path": "",
                "headers": [*headers, (b"content-length", str(len(body)).encode())],
                "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 2), "state": {},
            }  # fmt: skip

            async def receive() -> dict[str, object]:
                return {"type": "http.request", "body": body, "more_body": False}

            async def send(message: dict[str, object]) -> None:
                if message["type"] == "http.response.start":
                    statuses.append(int(message["status"]))  # type: ignore[call-overload]

            await app(scope, receive, send)

        async def run() -> float:
            for body in bodies[:1000]:  # warm up (token cache, imports)
                await one(body)
            t = time.process_time()
            for body in bodies[1000:]:
                await one(body)
            return time.process_time() - t

        app_s = uvloop.run(run())
        eng = Engine(policy=ScreeningPolicy(), state=MemoryStore())
        t = time.process_time()
        for caller, callee, at in calls[1000:]:
            eng.screen(caller, callee, at)
        engine_s = time.process_time() - t
        n = len(calls) - 1000
        return {
            "mode": "app",
            "decisions": n,
            "non_200": sum(1 for s in statuses if s != 200),
            "app_cpu_us_per_decision": app_s / n * 1e6,
            "baseline_engine_cpu_us_per_decision": engine_s / n * 1e6,
            "loadavg_1m": Path("/proc/loadavg").read_text().split()[0],
        }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# -- HTTP ----------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(port: int, deadline_s: float = 30) -> None:
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


def make_db(tmp: Path) -> tuple[str, str]:
    from fraudwall.auth import Role, UserCreate, add_user
    from fraudwall.auth.tokens import create_token
    from fraudwall.db import open_database, upgrade

    url = f"sqlite:///{tmp / 'fw.db'}"
    upgrade(url)
    db = open_database(url)
    with db.session() as s:
        add_user(s, data=UserCreate(name="boss", role=Role.supervisor), actor=None)
        add_user(s, data=UserCreate(name="bench", role=Role.system), actor="boss")
        token = create_token(s, user="bench", actor="boss").token
    db.dispose()
    return url, token


def _requests(ports: list[int], token: str, n: int, path: str) -> list[bytes]:
    """Every request, built before the clock starts (the generator then only sends and reads:
    its own CPU is what it costs to measure, reported next to the figures)."""
    if path == "/health":
        return [b"GET /health HTTP/1.1\r\nhost: x\r\n\r\n"] * n * len(ports)
    out = []
    for caller, callee, _t in traffic(n * len(ports), 200_000, seed=7):
        body = json.dumps({"caller": caller, "callee": callee}).encode()
        out.append(
            (
                f"POST {path} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {token}\r\n"
                f"content-type: application/json\r\ncontent-length: {len(body)}\r\n\r\n"
            ).encode()
            + body
        )
    return out


class _Conn(asyncio.Protocol):
    """One keep-alive connection of the load generator: one request in flight at a time (no
    pipelining), the rest wait here in order; each latency from its request's scheduled time.
    A protocol, not a stream: no task, queue or reader per request, so measuring costs the
    shared cores as little as it can."""

    def __init__(
        self, lat: np.ndarray, done: Callable[[], None], fail: Callable[[Exception], None]
    ) -> None:
        self.lat, self.done, self.fail = lat, done, fail
        self.waiting: deque[tuple[int, float, bytes]] = deque()
        self.flight: tuple[int, float] | None = None
        self.buf = b""
        self.errors = 0
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def submit(self, k: int, due: float, req: bytes) -> None:
        if self.flight is None:
            self.flight = (k, due)
            self.transport.write(req)  # type: ignore[union-attr]
        else:
            self.waiting.append((k, due, req))

    def data_received(self, data: bytes) -> None:
        buf = self.buf + data if self.buf else data
        head_end = buf.find(b"\r\n\r\n")
        if head_end < 0:
            self.buf = buf
            return
        head = buf[:head_end].lower()
        at = head.find(b"content-length:")
        eol = head.find(b"\r", at)  # -1: the head's last line
        size = int(head[at + 15 : eol if eol > 0 else None]) if at >= 0 else 0
        if len(buf) < head_end + 4 + size:
            self.buf = buf
            return
        self.buf = buf[head_end + 4 + size :]
        k, due = self.flight  # type: ignore[misc]
        self.lat[k] = time.perf_counter() - due
        if not head.startswith(b"http/1.1 200"):
            self.errors += 1
        self.flight = None
        if self.waiting:
            k, due, req = self.waiting.popleft()
            self.flight = (k, due)
            self.transport.write(req)  # type: ignore[union-attr]
        self.done()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.flight is not None or self.waiting:
            self.fail(
                RuntimeError(f"the worker closed a connection with requests in flight: {exc}")
            )


async def _load(
    ports: list[int], token: str, rate: float, seconds: float, conns: int, path: str
) -> tuple[np.ndarray, int, np.ndarray]:
    """Open-loop load: every 1/rate s per port a request is due; latency from that time.

    Returns the latencies, the non-200 count and the send lag (how late after its scheduled
    time each request that found its connection free was written: the generator's own timer
    and scheduling, included in the latency). Nothing is sent before its time; the timer
    wakes about every millisecond (libuv's resolution) and sends every request then due."""
    per_port = int(rate * seconds)
    reqs = _requests(ports, token, per_port, path)
    total = len(reqs)
    lat = np.full(total, np.nan)
    lag = np.full(total, np.nan)
    loop = asyncio.get_running_loop()
    finished = loop.create_future()
    answered = 0

    def done() -> None:
        nonlocal answered
        answered += 1
        if answered == total and not finished.done():
            finished.set_result(None)

    def fail(exc: Exception) -> None:
        if not finished.done():
            finished.set_exception(exc)

    links: list[_Conn] = []
    for port in ports:
        for _ in range(conns):
            _t, proto = await loop.create_connection(
                lambda: _Conn(lat, done, fail), "127.0.0.1", port
            )
            links.append(proto)
    per = len(ports)
    # uvloop rounds a timer to whole milliseconds: a shorter one would spin (see _loop_runner)
    floor = 0.0006 if isinstance(loop, uvloop.Loop) else 0.0
    k = 0

    def tick() -> None:
        nonlocal k
        now = time.perf_counter()
        while k < per_port and start + k / rate <= now:
            due = start + k / rate
            for j in range(per):
                i = k * per + j
                link = links[j * conns + k % conns]
                if link.flight is None:
                    lag[i] = now - due
                link.submit(i, due, reqs[i])
            k += 1
        if k < per_port:
            loop.call_later(max(start + k / rate - now, floor), tick)

    gc.collect()
    gc.disable()  # the requests are built: a collection now would only add to the latencies
    start = time.perf_counter() + 0.1
    try:
        loop.call_soon(tick)
        await finished
    finally:
        gc.enable()
    for link in links:
        link.transport.close()  # type: ignore[union-attr]
    return lat, sum(link.errors for link in links), lag[~np.isnan(lag)]


def _loop_runner(kind: str) -> Callable[[Any], Any]:
    """How the generator's event loop runs: uvloop (cheapest per event; its timers have a
    resolution of 1 ms) or asyncio's loop on select() (timers to ~0.1 ms, more CPU per event)."""
    if kind == "uvloop":
        return uvloop.run

    def run(coro: Any) -> Any:
        with asyncio.Runner(loop_factory=lambda: asyncio.SelectorEventLoop(select())) as r:
            return r.run(coro)

    select = selectors.SelectSelector
    return run


def _cpu_s(proc: psutil.Process) -> float:
    t = proc.cpu_times()
    return float(t.user + t.system)


def start_redis(tmp: Path) -> tuple[subprocess.Popen[bytes], int]:
    """A throw-away redis-server on loopback (no persistence) and its port."""
    port = free_port()
    proc = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--dir",
            str(tmp),
        ],
        stdout=subprocess.DEVNULL,
    )
    wait_http(port)
    return proc, port


def bench_store(args: argparse.Namespace) -> dict[str, object]:
    """CPU per call-path state update with Redis state, one update at a time, in this process:
    ``RedisStore.aupdate_pair`` (pipelined hiredis connection, write-behind) against the
    baseline of the same two commands on a redis-py asyncio client, each reply awaited (what
    the store did before), alternating, best of ``--rounds``."""
    from redis import asyncio as aioredis

    from fraudwall.screening.stores import CAS_SCRIPT, RedisStore

    tmp = Path(tempfile.mkdtemp(prefix="fw-bench-"))
    proc, port = start_redis(tmp)
    url = f"redis://127.0.0.1:{port}/0"
    minute = 29_000_000

    def step(a: CallerState | None, b: CallerState | None) -> Any:
        a = a or CallerState()
        a.record_attempt(minute, "+8613900000000")
        b = b or CallerState()
        b.advance(minute)
        return a, b, None

    def pairs(n: int) -> list[tuple[str, str]]:
        return [(f"+8613{k % 5000:09d}", f"+8614{k % 5000:09d}") for k in range(n)]

    async def fraudwall_store(n: int) -> float:
        store = RedisStore(url, prefix="s:")
        cpu0 = time.process_time()
        for a, b in pairs(n):
            await store.aupdate_pair(a, b, step)
        await store.flush()
        cpu = time.process_time() - cpu0
        await store.aclose()
        return cpu

    async def redis_py(n: int) -> float:
        client = aioredis.Redis.from_url(url)
        cas = client.register_script(CAS_SCRIPT)
        cpu0 = time.process_time()
        for a, b in pairs(n):
            ka, kb = "b:" + a, "b:" + b
            ra, rb = await client.mget(ka, kb)
            sa, sb, _ = step(
                None if ra is None else CallerState(ra), None if rb is None else CallerState(rb)
            )
            await cas(
                keys=[ka, kb], args=[60_000, ra or b"", bytes(sa.data), rb or b"", bytes(sb.data)]
            )
        cpu = time.process_time() - cpu0
        await client.aclose()
        return cpu

    try:
        best: dict[str, float] = {}
        for _ in range(args.rounds):
            for name, fn in (("redis_py_asyncio", redis_py), ("fraudwall", fraudwall_store)):
                uvloop.run(fn(500))  # connect, cache the script
                us = uvloop.run(fn(args.updates)) / args.updates * 1e6
                best[name] = min(best.get(name, us), us)
        return {
            "mode": "store",
            "updates": args.updates,
            "cpu_us_per_update": {k: round(v, 1) for k, v in best.items()},
            "ratio_fraudwall_to_baseline": round(best["fraudwall"] / best["redis_py_asyncio"], 2),
        }
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        shutil.rmtree(tmp, ignore_errors=True)


def bench_http(args: argparse.Namespace) -> dict[str, object]:
    tmp = Path(tempfile.mkdtemp(prefix="fw-bench-"))
    procs: list[subprocess.Popen[bytes]] = []
    try:
        url, token = make_db(tmp)
        env = {**os.environ, "FRAUDWALL_DATABASE_URL": url}
        state = []
        if args.redis:
            rproc, rport = start_redis(tmp)
            procs.append(rproc)
            state = ["--state", f"redis://127.0.0.1:{rport}/0"]
        ports = [free_port() for _ in range(args.workers)]
        for port in ports:
            procs.append(
                subprocess.Popen(
                    [FRAUDWALL, "screen", "serve", "--port", str(port), *state],
                    env=env,
                    stdout=subprocess.DEVNULL,
                )
            )
        for port in ports:
            wait_http(port)
        time.sleep(1.0)
        run = _loop_runner(args.gen_loop)
        run(_load(ports, token, 200, 2, args.conns, "/v1/screen"))  # warm up
        # baseline: the same decisions at a tenth of the rate (what load itself adds)
        base, _, _ = run(
            _load(ports, token, args.rate / 10, args.seconds, args.conns, "/v1/screen")
        )
        watched = {"workers": [psutil.Process(p.pid) for p in procs[-len(ports) :]]}
        if args.redis:
            watched["redis"] = [psutil.Process(procs[0].pid)]
        watched["load_generator"] = [psutil.Process()]
        before = {k: [_cpu_s(p) for p in ps] for k, ps in watched.items()}
        load_before = Path("/proc/loadavg").read_text().split()[0]
        lat, errors, lag = run(
            _load(ports, token, args.rate, args.seconds, args.conns, "/v1/screen")
        )
        n = max(len(lat), 1)
        # a worker per decision it answered (each answered n / workers), Redis and the
        # generator per decision of the run (they served all n)
        served = {k: n / len(ports) if k == "workers" else n for k in watched}
        cpu_us = {
            k: [
                round((_cpu_s(p) - b) / served[k] * 1e6, 1)
                for p, b in zip(ps, before[k], strict=True)
            ]
            for k, ps in watched.items()
        }
        ms = np.asarray(lat) * 1000
        return {
            "mode": "http",
            "workers": args.workers,
            "state": "redis" if args.redis else "memory",
            "rate_per_worker": args.rate,
            "decisions": len(lat),
            "errors": errors,
            "p50_ms": q(ms, 50),
            "p99_ms": q(ms, 99),
            "p999_ms": q(ms, 99.9),
            "max_ms": float(ms.max()),
            "baseline_tenth_rate_p99_ms": q(np.asarray(base) * 1000, 99),
            # how late the generator wrote the requests that found their connection free
            # (its timer's resolution and scheduling; part of every latency above)
            "send_lag_ms": {"p50": q(lag * 1000, 50), "p99": q(lag * 1000, 99)},
            # CPU each process spent: a worker per decision it answered, the rest per decision
            "cpu_us_per_decision": cpu_us,
            # the same as a share of one core over the run: what the 2 cores were busy with
            "cores_busy": {
                k: [round(v * served[k] / args.seconds / 1e6, 2) for v in vs]
                for k, vs in cpu_us.items()
            },
            "loadavg_1m_before_after": [load_before, Path("/proc/loadavg").read_text().split()[0]],
        }
    finally:
        for p in procs:
            p.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                p.wait(timeout=20)
        shutil.rmtree(tmp, ignore_errors=True)


# -- Kamailio + SIPp -----------------------------------------------------------------------------
def _sipp_rtd(tmp: Path, kam_port: int, uas_port: int, rate: int, calls: int) -> list[float]:
    sc = ROOT / "deploy" / "kamailio" / "sipp"
    uas = subprocess.Popen(
        ["sipp", "-sf", str(sc / "uas.xml"), "-i", "127.0.0.1", "-p", str(uas_port), "-nostdin"],
        cwd=tmp,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(0.5)
    before = set(tmp.glob("*_rtt.csv"))
    subprocess.run(
        [
            "sipp",
            "-sf",
            str(sc / "uac_call.xml"),
            f"127.0.0.1:{kam_port}",
            "-s",
            "13900000000",
            "-key",
            "caller",
            "13500000000",
            "-i",
            "127.0.0.1",
            "-p",
            str(free_port()),
            "-r",
            str(rate),
            "-m",
            str(calls),
            "-trace_rtt",
            "-rtt_freq",
            "1",
            "-nostdin",
            "-timeout",
            "120s",
        ],
        cwd=tmp,
        stdout=subprocess.DEVNULL,
        check=False,
    )
    uas.terminate()
    uas.wait(timeout=20)
    files = sorted(set(tmp.glob("*_rtt.csv")) - before)
    rtd = []
    for f in files:
        for line in f.read_text().splitlines()[1:]:
            parts = line.split(";")
            if len(parts) >= 3:
                with contextlib.suppress(ValueError):
                    rtd.append(float(parts[1]))
        f.unlink()
    return rtd


def bench_kamailio(args: argparse.Namespace) -> dict[str, object]:
    tmp = Path(tempfile.mkdtemp(prefix="fw-kam-"))
    procs: list[subprocess.Popen[bytes]] = []
    try:
        url, token = make_db(tmp)
        fw_port, kam_port, uas_port = free_port(), free_port(), free_port()
        procs.append(
            subprocess.Popen(
                [FRAUDWALL, "screen", "serve", "--port", str(fw_port)],
                env={**os.environ, "FRAUDWALL_DATABASE_URL": url},
                stdout=subprocess.DEVNULL,
            )
        )
        wait_http(fw_port)
        out = {}
        for screening in (False, True):
            cfg = (ROOT / "deploy" / "kamailio" / "kamailio.cfg").read_text("utf-8")
            values = {
                "FW_LISTEN": f"udp:127.0.0.1:{kam_port}",
                "FW_NEXT_HOP": f"sip:127.0.0.1:{uas_port}",
                "FW_SCREEN_URL": f"http://127.0.0.1:{fw_port}/v1/screen",
                "FW_TOKEN": token,
            }
            for k, v in values.items():
                cfg = re.sub(rf'#!substdef "!{k}![^!]*!g"', f'#!substdef "!{k}!{v}!g"', cfg)
            if not screening:
                cfg = cfg.replace("\t\troute(SCREEN);", "\t\t$var(unscreened) = 1;")
            (tmp / "k.cfg").write_text(cfg, "utf-8")
            kam = subprocess.Popen(
                [
                    "kamailio",
                    "-DD",
                    "-E",
                    "-f",
                    str(tmp / "k.cfg"),
                    "-Y",
                    str(tmp),
                    "-w",
                    str(tmp),
                    "-P",
                    str(tmp / "k.pid"),
                ],
                stderr=subprocess.DEVNULL,
            )
            time.sleep(2.0)
            rtd = _sipp_rtd(tmp, kam_port, uas_port, args.rate, args.calls)
            kam.terminate()
            kam.wait(timeout=20)
            key = "with_screening" if screening else "without"
            out[key] = {
                "calls": len(rtd),
                "mean_ms": statistics.fmean(rtd) if rtd else None,
                "p50_ms": q(rtd, 50) if rtd else None,
                "p99_ms": q(rtd, 99) if rtd else None,
            }
        w, wo = out["with_screening"], out["without"]
        added = None
        if w["p50_ms"] is not None and wo["p50_ms"] is not None:
            added = {"p50_ms": w["p50_ms"] - wo["p50_ms"], "p99_ms": w["p99_ms"] - wo["p99_ms"]}
        return {"mode": "kamailio", "rate": args.rate, **out, "added": added}
    finally:
        for p in procs:
            p.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                p.wait(timeout=20)
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = ap.add_subparsers(dest="mode", required=True)
    a = sub.add_parser("inproc")
    a.add_argument("--calls", type=int, default=200_000)
    a.add_argument("--callers", type=int, default=50_000)
    m = sub.add_parser("memory")
    m.add_argument("--callers", type=int, default=1_000_000)
    ap_ = sub.add_parser("app")
    ap_.add_argument("--calls", type=int, default=20_000)
    st = sub.add_parser("store")
    st.add_argument("--updates", type=int, default=20_000)
    st.add_argument("--rounds", type=int, default=3)
    h = sub.add_parser("http")
    h.add_argument("--rate", type=float, default=2000)
    h.add_argument("--seconds", type=float, default=20)
    h.add_argument("--workers", type=int, default=1)
    h.add_argument("--conns", type=int, default=16, help="keep-alive connections per worker")
    h.add_argument("--redis", action="store_true", help="workers share a redis-server")
    h.add_argument(
        "--gen-loop",
        choices=["uvloop", "select"],
        default="uvloop",
        help="the load generator's event loop (see _loop_runner)",
    )
    k = sub.add_parser("kamailio")
    k.add_argument("--rate", type=int, default=50)
    k.add_argument("--calls", type=int, default=1000)
    args = ap.parse_args()
    fn = {
        "inproc": bench_inproc,
        "memory": bench_memory,
        "app": bench_app,
        "store": bench_store,
        "http": bench_http,
        "kamailio": bench_kamailio,
    }[args.mode]
    print(json.dumps(fn(args), indent=2))


if __name__ == "__main__":
    main()
