"""Keep pytest's doctest collection out of the Alembic scripts (they run only inside Alembic)."""

collect_ignore = ["migrations"]
