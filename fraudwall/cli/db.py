"""``fraudwall db``: create or upgrade the database schema."""

from __future__ import annotations

import typer

from fraudwall.cli.dbopts import DbOpt, fail
from fraudwall.errors import FraudwallError

app = typer.Typer(help="The case database: schema migrations.", no_args_is_help=True)


@app.command("upgrade")
def upgrade_cmd(db: DbOpt = None) -> None:
    """Apply every pending migration (SQLite databases are also upgraded by any command)."""
    from fraudwall.db import resolve_url, upgrade
    from fraudwall.db.engine import describe_url

    try:
        url = resolve_url(db)
        revisions = upgrade(url)
    except FraudwallError as e:
        raise fail(e) from None
    except Exception as e:  # a database that cannot be reached: say which, not a traceback
        raise fail(FraudwallError(f"{describe_url(url)}: {e.__class__.__name__}: {e}")) from None
    typer.echo(f"{describe_url(url)} at {', '.join(revisions)}")
