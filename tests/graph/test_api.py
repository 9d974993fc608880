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

from .conftest import BOX_A, BOX_B, GANG, make_workspace


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


def test_rings_dens_and_lookalikes_over_http(db: Database, tmp_path: Path) -> None:
    """The CLI's records, masked for an analyst, refused to the wrong roles, audited."""
    from fraudwall.graph.service import workspace_dens, workspace_rings

    ws = make_workspace(tmp_path / "ws")
    tokens = _tokens(db)
    with served(Settings(database_url=db.url, workspace=ws.path)) as c:

        def call(who: str | None, method: str, url: str, **kw: object) -> httpx.Response:
            h = {"Authorization": f"Bearer {tokens[who]}"} if who else {}
            return c.request(method, url, headers=h, **kw)  # type: ignore[arg-type]

        r = call("ann", "GET", "/v1/rings")
        assert r.status_code == 200, r.text
        assert r.json() == [x.to_dict() for x in workspace_rings(workspace=ws.path)]
        r = call("ann", "GET", "/v1/dens")
        assert r.status_code == 200, r.text
        body = r.json()
        assert body == [x.to_dict() for x in workspace_dens(workspace=ws.path)]
        members = {m["entity_id"] for d in body for m in d["members"]}
        assert "+86137****0010" in members and BOX_A[0] not in r.text
        clear = call("boss", "GET", "/v1/dens", params={"unmasked": True})
        assert BOX_A[0] in clear.text

        r = call("ann", "POST", "/v1/lookalike", json={"seeds": [BOX_A[0], "19999999999"]})
        assert r.status_code == 200, r.text
        assert r.headers["Fraudwall-Unknown-Seeds"] == "1"
        assert {"entity_type", "entity_id", "score", "reasons"} <= set(r.json()[0])
        assert not any(b in r.text for b in BOX_A + BOX_B)

        # Refusals: no token, the wrong roles (none of which may unmask either), bad bodies.
        assert call(None, "GET", "/v1/rings").status_code == 401
        assert call("aud", "GET", "/v1/dens").status_code == 403
        assert call("aud", "POST", "/v1/lookalike", json={"seeds": [BOX_A[0]]}).status_code == 403
        assert call("aud", "GET", "/v1/rings", params={"unmasked": True}).status_code == 403
        none_known = call("ann", "POST", "/v1/lookalike", json={"seeds": ["19999999999"]})
        assert none_known.status_code == 422 and "seeds" in none_known.text
        assert call("ann", "POST", "/v1/lookalike", json={"seeds": []}).status_code == 422
        assert call("ann", "POST", "/v1/lookalike", json={"seeds": ["x" * 65]}).status_code == 422
        assert call("ann", "POST", "/v1/lookalike", content=b"{not json").status_code == 422
        extra = call("ann", "POST", "/v1/lookalike", json={"seeds": [BOX_A[0]], "k": 1})
        assert extra.status_code == 422
    with db.session(readonly=True) as s:
        actions = [(a.actor, a.action) for a in s.scalars(select(AuditEntry))]
    assert ("ann", "graph.rings") in actions and ("ann", "graph.lookalike") in actions
    assert ("boss", "graph.dens.unmasked") in actions
    assert not any(a[1].startswith("graph.") for a in actions if a[0] == "aud")


def test_relations_without_a_workspace_say_so(db: Database) -> None:
    tokens = _tokens(db)
    h = {"Authorization": f"Bearer {tokens['ann']}"}
    with served(Settings(database_url=db.url)) as c:
        for r in (
            c.get("/v1/rings", headers=h),
            c.get("/v1/dens", headers=h),
            c.post("/v1/lookalike", headers=h, json={"seeds": ["+8613700000010"]}),
        ):
            assert r.status_code == 404 and "FRAUDWALL_WORKSPACE" in r.text
