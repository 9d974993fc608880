"""Where the database is, and one unit of work per command or request."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from fraudwall.errors import FraudwallError

#: Environment variable naming the database when ``--db`` is not given.
ENV_VAR = "FRAUDWALL_DATABASE_URL"
#: The default database: a SQLite file in the current directory (nothing to install).
DEFAULT_URL = "sqlite:///fraudwall.db"


class DatabaseError(FraudwallError):
    """A database URL that cannot be used, or a schema that is not up to date."""

    http_status = 503


def resolve_url(cli_value: str | None = None) -> str:
    """The database URL: ``--db``, else ``$FRAUDWALL_DATABASE_URL``, else ``sqlite:///fraudwall.db``.

    A bare ``postgresql://`` URL gets the psycopg 3 driver; a plain path becomes a SQLite URL.

    >>> resolve_url("postgresql://u@127.0.0.1:5432/fw")
    'postgresql+psycopg://u@127.0.0.1:5432/fw'
    >>> resolve_url("cases.db")
    'sqlite:///cases.db'
    """
    raw = cli_value or os.environ.get(ENV_VAR) or DEFAULT_URL
    if "://" not in raw:
        raw = f"sqlite:///{raw}"
    try:
        url = make_url(raw)
    except ArgumentError as e:
        raise DatabaseError(f"not a database URL: {raw!r}") from e
    if url.drivername in {"postgresql", "postgres"}:
        url = url.set(drivername="postgresql+psycopg")
    if url.get_backend_name() not in {"sqlite", "postgresql"}:
        raise DatabaseError(
            f"unsupported database {url.get_backend_name()!r}: use sqlite or postgresql"
        )
    return url.render_as_string(hide_password=False)


def describe_url(url: str) -> str:
    """The URL without its password, for messages and logs.

    >>> describe_url("postgresql+psycopg://fw:secret@db:5432/fw")
    'postgresql+psycopg://fw:***@db:5432/fw'
    """
    return make_url(url).render_as_string(hide_password=True)


def _make_engine(url: str) -> Engine:
    u = make_url(url)
    if u.get_backend_name() != "sqlite":
        return create_engine(u, pool_pre_ping=True)
    if u.database and u.database != ":memory:":
        Path(u.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(u, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, open transactions, so writers can take the lock
        # up front (BEGIN IMMEDIATE) and two processes never both read-then-write.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql(conn.get_execution_options().get("sqlite_begin", "BEGIN IMMEDIATE"))

    return engine


class Database:
    """A database: an engine and its sessions. ``session()`` is one unit of work.

    >>> db = Database("sqlite://")
    >>> db.backend
    'sqlite'
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = _make_engine(url)
        self.backend = self.engine.dialect.name
        self._writer = sessionmaker(self.engine, expire_on_commit=False)
        reader = self.engine.execution_options(sqlite_begin="BEGIN")
        self._reader = sessionmaker(reader, expire_on_commit=False)

    @contextmanager
    def session(self, *, via: str = "", readonly: bool = False) -> Iterator[Session]:
        """One unit of work: commits when the block ends, rolls back if it raises.

        ``via`` names the command or request (it goes to the audit log). A ``readonly``
        session on SQLite does not take the write lock.
        """
        session = (self._reader if readonly else self._writer)()
        session.info["via"] = via
        try:
            yield session
            if readonly:
                session.expunge_all()  # keep what was read usable after the block
                session.rollback()
            else:
                session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"Database({describe_url(self.url)!r})"
