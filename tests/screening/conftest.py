"""A real redis-server on loopback (free port, temp dir) and the ``store`` fixture that runs
every state-store test on the in-process store and on Redis."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from fraudwall.auth import Role, UserCreate, add_user
from fraudwall.auth.tokens import create_token
from fraudwall.db import Database
from fraudwall.screening.stores import MemoryStore, RedisStore


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def need(binary: str) -> str:
    path = shutil.which(binary) or (
        f"/usr/sbin/{binary}" if Path(f"/usr/sbin/{binary}").exists() else None
    )
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{binary} is not installed (see .ci/system-packages)")
        pytest.skip(f"{binary} is not installed")
    return path


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    binary = need("redis-server")
    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(workdir),
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise RuntimeError("redis-server did not start") from None
            time.sleep(0.05)
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(params=["memory", "redis"])
def store(request: pytest.FixtureRequest) -> Iterator[MemoryStore | RedisStore]:
    if request.param == "memory":
        yield MemoryStore(ttl_minutes=1560)
        return
    url = request.getfixturevalue("redis_url")
    s = RedisStore(url, ttl_minutes=1560, prefix=f"t{time.monotonic_ns()}:")
    yield s
    for key in s.client.scan_iter(match=s.prefix + "*"):
        s.client.delete(key)


@pytest.fixture
def tokens(db: Database) -> dict[str, str]:
    """Bearer tokens of ``pos`` (system) and ``ann`` (analyst); ``boss`` is the supervisor."""
    out = {}
    with db.session() as s:
        add_user(s, data=UserCreate(name="boss", role=Role.supervisor), actor=None)
        add_user(s, data=UserCreate(name="pos", role=Role.system), actor="boss")
        add_user(s, data=UserCreate(name="ann", role=Role.analyst), actor="boss")
        for name in ("pos", "ann"):
            out[name] = create_token(s, user=name, actor="boss").token
    return out


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
