"""How the worker is served: httptools and uvloop by name, one write per response, kept-alive
connections; and the call path's answer bytes are the API model's."""

import asyncio
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import uvloop
from conftest import auth
from tests_screening_serve import serving
from typer.testing import CliRunner
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from fraudwall.api.routes.screen import ScreenAnswer, ScreenRequest
from fraudwall.api.routes.screen import decide as route_decide
from fraudwall.cli import app as cli
from fraudwall.screening import Engine, MemoryStore, ScreeningPolicy
from fraudwall.screening.app import create_worker_app
from fraudwall.screening.callpath import decide
from fraudwall.screening.decision import ALLOW, Action, Decision
from fraudwall.screening.lookups import SetLists
from fraudwall.screening.server import (
    KEEP_ALIVE_S,
    OneWriteTransport,
    WorkerHttpProtocol,
    worker_config,
)
from fraudwall.screening.service import ScreenConfig


class Recorder(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closed = self.aborted = False

    def write(self, data: Any) -> None:
        self.writes.append(bytes(data))

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.aborted = True

    def is_closing(self) -> bool:
        return self.closed or self.aborted

    def get_write_buffer_size(self) -> int:
        return 0


def test_the_writes_of_one_loop_pass_go_out_as_one() -> None:
    async def run() -> Recorder:
        real = Recorder()
        t = OneWriteTransport(real, asyncio.get_running_loop())
        t.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
        t.write(b"")
        t.write(b"{}")
        assert real.writes == [] and t.get_write_buffer_size() == 40
        await asyncio.sleep(0)
        assert real.writes == [b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}"]
        t.write(b"next")  # a later pass: a write of its own
        await asyncio.sleep(0)
        t.write(b"last")
        t.close()  # closing sends what is held first
        return real

    real = uvloop.run(run())
    assert real.writes[1:] == [b"next", b"last"] and real.closed


def test_abort_drops_what_is_held_and_a_closed_peer_gets_nothing() -> None:
    async def run() -> tuple[Recorder, Recorder]:
        loop = asyncio.get_running_loop()
        a, b = Recorder(), Recorder()
        ta, tb = OneWriteTransport(a, loop), OneWriteTransport(b, loop)
        ta.write(b"x")
        ta.abort()
        tb.write(b"y")
        b.closed = True  # the peer went away before the flush
        await asyncio.sleep(0)
        return a, b

    a, b = uvloop.run(run())
    assert a.writes == [] and a.aborted and b.writes == []


def test_the_worker_config_names_httptools_and_uvloop() -> None:
    config = worker_config(object(), port=1)
    config.load()
    assert config.http_protocol_class is WorkerHttpProtocol
    assert issubclass(WorkerHttpProtocol, HttpToolsProtocol)
    factory = config.get_loop_factory()
    assert factory is not None
    loop = factory()
    try:
        assert isinstance(loop, uvloop.Loop)
    finally:
        loop.close()
    assert config.ws_protocol_class is None and not config.access_log
    assert config.timeout_keep_alive == KEEP_ALIVE_S


def _read_response(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    size = next(
        int(line.split(b":")[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < size:
        body += sock.recv(65536)
    return head + b"\r\n\r\n" + body


def test_one_kept_alive_connection_carries_many_answers(db, tokens, tmp_path: Path) -> None:
    lists = tmp_path / "lists.csv"
    lists.write_text("kind,value,list\nmsisdn,+8613800000000,police\n", "utf-8")
    app = create_worker_app(ScreenConfig(database_url=db.url, lists=lists))
    with serving(app, worker=True) as client:
        port = client.base_url.port
        body = b'{"caller":"13800000000","callee":"13900000000"}'
        token = auth(tokens["pos"])["Authorization"]
        req = (
            f"POST /v1/screen HTTP/1.1\r\nhost: x\r\nauthorization: {token}\r\n"
            f"content-type: application/json\r\ncontent-length: {len(body)}\r\n\r\n"
        ).encode() + body
        with socket.create_connection(("127.0.0.1", port)) as s:
            answers = []
            for _ in range(5):
                s.sendall(req)
                answers.append(_read_response(s))
            s.sendall(b"HEAD /health HTTP/1.1\r\nhost: x\r\n\r\n")  # a head, no body written
            head = b""
            while b"\r\n\r\n" not in head:
                head += s.recv(65536)
            s.sendall(b"GET /health HTTP/1.1\r\nhost: x\r\n\r\n")
            health = _read_response(s)
    assert app.answered == 4  # the first verified the token through the app
    heads, bodies = zip(*(a.partition(b"\r\n\r\n")[::2] for a in answers), strict=True)
    assert all(h.startswith(b"HTTP/1.1 200 ") and b"server:" not in h.lower() for h in heads)
    assert bodies == (bodies[0],) * 5  # the app's answer and the call path's
    answer = ScreenAnswer.model_validate_json(bodies[0])
    assert (answer.action, answer.sip_code, answer.rule) == ("block", 603, "blacklist")
    # a HEAD answer has no body to write: its head still goes out, and the connection goes on
    assert head.startswith(b"HTTP/1.1 ") and health.startswith(b"HTTP/1.1 200 ")


DECISIONS = [
    ALLOW,
    Decision(Action.BLOCK, "blacklist", 603, "疑似诈骗", ("caller on blacklist police",)),
    Decision(Action.BLOCK, "personal_block", 607, reasons=("on the callee's block list",)),
    Decision(Action.LABEL, "repeat_callee", label="骚扰电话", reasons=('a "quoted" \\ reason',)),
    Decision(Action.ALLOW, "contact", reasons=("tab\there", "nul\x00 and \u2028 and 😀")),
]


@pytest.mark.parametrize("decision", DECISIONS)
@pytest.mark.parametrize("call_id", [None, "c-1", 'quote" back\\slash', "呼叫-😀", ""])
def test_the_answer_bytes_are_the_api_models(decision: Decision, call_id: str | None) -> None:
    want = ScreenAnswer(**decision.to_dict(), call_id=call_id).model_dump_json().encode()
    assert decision.to_json(call_id) == want


def test_the_call_paths_answers_are_the_routes_on_real_traffic() -> None:
    """Two engines fed the same set-ups (listed, ordinary, a burst of new callees, a repeat
    caller): the call path and the route give the same bytes for every one."""

    def engine() -> Engine:
        return Engine(
            policy=ScreeningPolicy(),
            state=MemoryStore(),
            lists=SetLists({"msisdn": {"+8613800000000": "police"}}),
        )

    calls = [("+8613800000000", "+8613900000000")]
    calls += [("+8613700000001", f"+86139{k * 7919 % 10**8:08d}") for k in range(60)]  # burst
    calls += [("+8613600000002", "+8613900000001")] * 8  # repeats to one callee
    calls += [("+8613500000003", f"+86135{k:08d}") for k in range(40)]  # sequential
    at = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    ours, theirs = engine(), engine()

    async def run() -> list[tuple[bytes, bytes]]:
        out = []
        for i, (caller, callee) in enumerate(calls):
            body = ScreenRequest(caller=caller, callee=callee, at=at, call_id=f"c{i}")
            out.append((await decide(ours, body), await route_decide(theirs, body)))
        return out

    pairs = uvloop.run(run())
    assert all(a == b for a, b in pairs)
    rules = {ScreenAnswer.model_validate_json(a).rule for a, _ in pairs}
    assert {"blacklist", "none", "burst_10m", "sequential", "repeat_callee"} <= rules, rules


def test_screen_serve_runs_the_worker_config(monkeypatch, db) -> None:
    seen: dict[str, Any] = {}

    class FakeServer:
        def __init__(self, config: Any) -> None:
            seen["config"] = config
            self.started = seen.get("start", True)

        def run(self) -> None:
            seen["ran"] = True
            # What the app's shutdown would do (no lifespan runs here): close its database,
            # or its pooled PostgreSQL connection is left open.
            seen["config"].app.app.state.db.dispose()

    monkeypatch.setattr("uvicorn.Server", FakeServer)
    r = CliRunner().invoke(
        cli, ["screen", "serve", "--port", "9123", "--keep-alive", "30", "--db", db.url]
    )
    assert r.exit_code == 0, r.output
    config = seen["config"]
    assert seen["ran"] and config.http is WorkerHttpProtocol and config.loop == "uvloop"
    assert (config.port, config.timeout_keep_alive, config.server_header) == (9123, 30, False)
    seen["start"] = False  # e.g. the port was taken
    r = CliRunner().invoke(cli, ["screen", "serve", "--port", "9123", "--db", db.url])
    assert r.exit_code == 3
