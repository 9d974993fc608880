"""The relational database behind cases, batches, actions, users and the audit log.

SQLAlchemy 2 models on one :class:`Base`; Alembic migrations in ``migrations/versions`` (one
branch per domain off ``0001_foundation``, applied to ``heads``). SQLite by default, PostgreSQL
supported::

    db = open_database(None)          # --db, $FRAUDWALL_DATABASE_URL or sqlite:///fraudwall.db
    with db.session(via="cli:cases import") as s:   # one unit of work
        ...
"""

from __future__ import annotations

from fraudwall.db.base import Base, BigId, Json, UTCDateTime, utcnow
from fraudwall.db.engine import DEFAULT_URL, ENV_VAR, Database, DatabaseError, resolve_url
from fraudwall.db.migrate import open_database, upgrade

__all__ = [
    "DEFAULT_URL",
    "ENV_VAR",
    "Base",
    "BigId",
    "Database",
    "DatabaseError",
    "Json",
    "UTCDateTime",
    "open_database",
    "resolve_url",
    "upgrade",
    "utcnow",
]
