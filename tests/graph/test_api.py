"""``GET /v1/trace/{entity}``: the CLI's trace over HTTP, by role, masked, audited."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn
from sqlalchemy import select

from fraudwall.api import create_app
from fraudwall.api.settings import Settings
from fraudwall.audit.models import AuditEntry
from fraudwall.auth import Role, UserCreate, add_user
from fraudwall.auth.tokens import create_token
from fraudwall.db import Database

from .conftest import GANG, make_workspace


@contextmanager
def served(settings: Settings) -> Iterator[httpx.Client]:
    """The real app under uvicorn on a free loopback port, stopped afterwards."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as c:
            yield c
    finally:
        server.should_exit = True
        thread.join(timeout=20)


def _tokens(db: Database) -> dict[str, str]:
    out = {}
    with db.session() as s:
        add_user(s, data=UserCreate(name="boss", role=Role.supervisor), actor=None)
        add_user(s, data=UserCreate(name="ann", role=Role.analyst), actor="boss")
        add_user(s, data=UserCreate(name="aud", role=Role.auditor), actor="boss")
        for name in ("boss", "ann", "aud"):
            out[name] = create_token(s, user=name, actor="boss").token
    return out


def test_trace_over_http(db: Database, tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws")
    tokens = _tokens(db)
    with served(Settings(database_url=db.url, workspace=ws.path)) as c:

        def get(who: str | None, url: str, **params: object):  # type: ignore[no-untyped-def]
            h = {"Authorization": f"Bearer {tokens[who]}"} if who else {}
            return c.get(url, headers=h, params=params)

        r = get("ann", f"/v1/trace/{GANG[0]}")
        assert r.status_code == 200, r.text
        body = r.json()
        assert {"entity_type", "entity_id", "score", "reasons", "path"} <= set(body[0])
        assert "139****0002" in {x["entity_id"] for x in body}
        assert GANG[1] not in r.text
        assert get("boss", f"/v1/trace/{GANG[0]}", unmasked=True).status_code == 200
        assert get("aud", f"/v1/trace/{GANG[0]}").status_code == 403
        assert get(None, f"/v1/trace/{GANG[0]}").status_code == 401
        assert get("ann", "/v1/trace/19999999999").status_code == 404
        assert get("ann", f"/v1/trace/{GANG[0]}", hops=9).status_code == 422
    with db.session(readonly=True) as s:
        actions = [(a.actor, a.action) for a in s.scalars(select(AuditEntry))]
    assert ("ann", "graph.trace") in actions


def test_trace_without_a_workspace_says_so(db: Database) -> None:
    tokens = _tokens(db)
    with served(Settings(database_url=db.url)) as c:
        r = c.get("/v1/trace/1", headers={"Authorization": f"Bearer {tokens['ann']}"})
    assert r.status_code == 404 and "FRAUDWALL_WORKSPACE" in r.text
