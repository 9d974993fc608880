"""A real uvicorn server on loopback over the parametrised database, with one user and token
per role (plus an expired and a revoked token), a case and a batch."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import uvicorn

from fraudwall.api import create_app
from fraudwall.api.settings import Settings
from fraudwall.auth import Role, UserCreate, add_user
from fraudwall.auth.tokens import ApiToken, create_token, revoke_token
from fraudwall.db import Database
from fraudwall.db.base import utcnow

ROLES = {
    "boss": Role.supervisor,
    "ann": Role.analyst,
    "lee": Role.liaison,
    "aud": Role.auditor,
    "pos": Role.system,
}
SUPERVISORS = [f"sup{i}" for i in range(8)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Service:
    url: str
    db: Database
    tokens: dict[str, str] = field(default_factory=dict)
    keys_dir: Path | None = None

    def client(self, who: str | None = None, **kw: object) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30, **kw)  # type: ignore[arg-type]


def seed(db: Database) -> dict[str, str]:
    """Users, tokens, one case (id 1) and one proposed batch (number 1)."""
    from fraudwall.cases import batches
    from fraudwall.cases.models import Case

    tokens: dict[str, str] = {}
    with db.session() as s:
        add_user(s, data=UserCreate(name="boss", role=Role.supervisor), actor=None)
        for name, role in ROLES.items():
            if name != "boss":
                unit = "unit-a" if role is Role.liaison else None
                add_user(s, data=UserCreate(name=name, role=role, unit=unit), actor="boss")
        add_user(s, data=UserCreate(name="lee-b", role=Role.liaison, unit="unit-b"), actor="boss")
        for name in SUPERVISORS:
            add_user(s, data=UserCreate(name=name, role=Role.supervisor), actor="boss")
        for name in [*ROLES, "lee-b", *SUPERVISORS]:
            tokens[name] = create_token(s, user=name, actor="boss").token
        expired = create_token(s, user="boss", actor="boss", expires=timedelta(minutes=1))
        revoked = create_token(s, user="boss", actor="boss")
        tokens["expired"], tokens["revoked"] = expired.token, revoked.token
        s.get(ApiToken, expired.id).expires_at = utcnow() - timedelta(seconds=1)  # type: ignore[union-attr]
        revoke_token(s, token_id=revoked.id, actor="boss")
        s.add(
            Case(
                entity_type="msisdn",
                entity_id="+8613812345678",
                scenario="fraud_caller",
                score=0.95,
                risk_level="high",
                detectors="outbound_burst",
                reasons="312 outbound calls",
                evidence="{}",
                evidence_hash="e1",
                run_id="r1",
            )
        )
        s.flush()
        batches.create_batch(s, actor="ann", level=None, case_ids=[1])
    return tokens


@contextmanager
def running(app: object) -> Iterator[str]:
    """``app`` served by uvicorn on a free loopback port, in a thread; yields its URL."""
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)  # type: ignore[arg-type]
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)


@pytest.fixture
def service(db: Database, tmp_path: Path) -> Iterator[Service]:
    tokens = seed(db)
    settings = Settings(database_url=db.url, keys_dir=tmp_path / "keys", max_body_bytes=64 * 1024)
    with running(create_app(settings)) as url:
        yield Service(url, db, tokens, tmp_path / "keys")


@pytest.fixture
def seed_db():  # type: ignore[no-untyped-def]
    """:func:`seed`, for tests that build a second database."""
    return seed
