"""The demo's case database: the run's leads loaded as cases, ready for the walk-through."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from fraudwall.auth import Role, User, UserCreate, add_user
from fraudwall.cases.importer import import_run
from fraudwall.cases.schemas import ImportResult
from fraudwall.db import ENV_VAR, open_database, resolve_url
from fraudwall.db.engine import describe_url
from fraudwall.errors import Unauthorized

#: The user the demo imports as (role ``system``).
DEMO_IMPORTER = "pipeline"


def demo_database_url(out: Path, cli_value: str | None = None) -> str:
    """``--db`` or ``$FRAUDWALL_DATABASE_URL`` when given, else ``OUT/fraudwall.db``."""
    import os

    if cli_value or os.environ.get(ENV_VAR):
        return resolve_url(cli_value)
    return resolve_url(f"sqlite:///{(out / 'fraudwall.db').resolve()}")


def load_demo_cases(run_dir: Path, url: str) -> tuple[str, ImportResult]:
    """Import ``run_dir`` into the database at ``url`` as the ``pipeline`` system user (added
    on first use, bootstrapping the user table if it is empty). Returns where, and what."""
    db = open_database(url)
    try:
        with db.session(via="cli:fraudwall demo") as s:
            if s.scalars(select(User.id).where(User.name == DEMO_IMPORTER)).first() is None:
                has_users = s.scalars(select(User.id)).first() is not None
                if has_users:
                    raise Unauthorized(
                        "the case database has users but no `pipeline`: add it with "
                        "`fraudwall users add pipeline --role system --as SUPERVISOR`"
                    )
                add_user(s, data=UserCreate(name=DEMO_IMPORTER, role=Role.system), actor=None)
            result = import_run(s, run_dir=run_dir, actor=DEMO_IMPORTER)
    finally:
        db.dispose()
    return describe_url(url), result
