"""Alembic migrations: every domain's branch off ``0001_foundation``, applied to ``heads``."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from fraudwall.db.engine import Database, DatabaseError, describe_url, resolve_url

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(url: str) -> Config:
    """An Alembic configuration for ``url`` with fraudwall's migrations."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def head_revisions() -> set[str]:
    """The revisions the code expects (one head per domain branch)."""
    return set(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


def current_revisions(db: Database) -> set[str]:
    """The revisions the database is at (empty when it was never migrated)."""
    with db.engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def upgrade(url: str | Database) -> list[str]:
    """Apply every pending migration; returns the revisions the database is now at."""
    db = url if isinstance(url, Database) else Database(url)
    try:
        if current_revisions(db) != head_revisions():
            with db.engine.begin() as conn:
                cfg = alembic_config(db.url)
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "heads")
        return sorted(current_revisions(db))
    finally:
        if not isinstance(url, Database):
            db.dispose()


def open_database(cli_value: str | None = None) -> Database:
    """The database of ``--db`` / the environment, ready to use.

    SQLite databases are migrated on the spot; a PostgreSQL database that is behind the code
    is refused with the command that fixes it (schema changes there are an operator's decision).
    """
    db = Database(resolve_url(cli_value))
    if db.backend == "sqlite":
        upgrade(db)
    elif current_revisions(db) != head_revisions():
        db.dispose()
        raise DatabaseError(
            f"{describe_url(db.url)}: schema is not up to date; run `fraudwall db upgrade`"
        )
    return db
