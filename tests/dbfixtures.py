"""The database fixtures: every database test runs on SQLite and on a real PostgreSQL.

``db_url`` is an empty database's URL, ``db`` a :class:`fraudwall.db.Database` already at the
latest schema. Both are parametrised ``["sqlite", "postgresql"]``. PostgreSQL is a throw-away
cluster started once per test session (per xdist worker) in a temporary directory, listening on
127.0.0.1 on a free port, run as the unprivileged ``postgres`` user when tests run as root; every
test gets its own database (copied from a migrated template) and the cluster is removed at the
end. Without PostgreSQL binaries the PostgreSQL half is skipped, or fails when ``CI=true``.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from fraudwall.db import Database, upgrade

BACKENDS = ["sqlite", "postgresql"]


def _pg_bin() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(versions[-1]).parent if versions else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PgCluster:
    """A running throw-away PostgreSQL cluster."""

    root: Path
    port: int
    bin: Path
    prefix: list[str]
    template: str | None = None

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def sql(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(statement.encode())

    def stop(self) -> None:
        subprocess.run(
            [
                *self.prefix,
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.root / "data"),
                "-m",
                "immediate",
                "stop",
            ],
            check=False,
            capture_output=True,
        )
        shutil.rmtree(self.root, ignore_errors=True)


def start_cluster() -> PgCluster:
    """initdb + pg_ctl start in a new temporary directory (as ``postgres`` when root)."""
    bindir = _pg_bin()
    if bindir is None:
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL binaries (pg_ctl, initdb) not found; install postgresql")
        pytest.skip("PostgreSQL binaries not found (install postgresql to run these tests)")
    root = Path(tempfile.mkdtemp(prefix="fw-pg-"))
    prefix: list[str] = []
    if os.geteuid() == 0:  # postgres refuses to run as root
        pw = pwd.getpwnam("postgres")
        os.chown(root, pw.pw_uid, pw.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    data = root / "data"
    subprocess.run(
        [
            *prefix,
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ],
        check=True,
        capture_output=True,
    )
    opts = (
        f"-h 127.0.0.1 -p {port} -k {root} -c fsync=off -c synchronous_commit=off "
        "-c full_page_writes=off -c shared_buffers=32MB -c max_connections=60"
    )
    subprocess.run(
        [
            *prefix,
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            opts,
            "-l",
            str(root / "log"),
            "-w",
            "-t",
            "60",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    return PgCluster(root, port, bindir, prefix)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """One PostgreSQL cluster for the test session (each xdist worker has its own)."""
    cluster = start_cluster()
    try:
        yield cluster
    finally:
        cluster.stop()


_counter = itertools.count()


def _new_pg_database(cluster: PgCluster, *, migrated: bool) -> str:
    if migrated and cluster.template is None:
        cluster.sql("CREATE DATABASE fw_template")
        upgrade(cluster.url("fw_template"))
        cluster.template = "fw_template"
    name = f"fw_test_{os.getpid()}_{next(_counter)}"
    template = f" TEMPLATE {cluster.template}" if migrated else ""
    cluster.sql(f"CREATE DATABASE {name}{template}")
    return name


def _url(request: pytest.FixtureRequest, tmp_path: Path, *, migrated: bool) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'fraudwall.db'}"
        if migrated:
            upgrade(url)
        yield url
        return
    cluster: PgCluster = request.getfixturevalue("pg_cluster")
    name = _new_pg_database(cluster, migrated=migrated)
    yield cluster.url(name)
    cluster.sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a new, empty database (SQLite file, or a PostgreSQL database)."""
    yield from _url(request, tmp_path, migrated=False)


@pytest.fixture(params=BACKENDS)
def migrated_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a new database at the latest schema."""
    yield from _url(request, tmp_path, migrated=True)


@pytest.fixture
def db(migrated_url: str) -> Iterator[Database]:
    """A :class:`Database` at the latest schema, on SQLite and on PostgreSQL."""
    database = Database(migrated_url)
    yield database
    database.dispose()
