"""What every database command shares: ``--db``, ``--as``, ``--json``, one unit of work, errors.

A command opens :func:`unit_of_work`, calls one service function with the session and prints
the result (:func:`emit`); fraudwall errors become a red message and exit status 2.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from fraudwall.cli.progress import console
from fraudwall.errors import FraudwallError

DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="database URL (default: $FRAUDWALL_DATABASE_URL, else sqlite:///fraudwall.db)",
    ),
]
AsOpt = Annotated[str, typer.Option("--as", help="the user acting (see `fraudwall users list`)")]
JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON only")]


def _via() -> str:
    from typer._click.globals import get_current_context  # Typer's own copy of click

    ctx = get_current_context(silent=True)
    return f"cli:{ctx.command_path}" if ctx else "cli"


@contextmanager
def unit_of_work(db_url: str | None, *, readonly: bool = False) -> Iterator[Session]:
    """A session on the command's database: committed when the command succeeds, else rolled
    back; fraudwall errors exit with status 2 and a message naming what went wrong."""
    from fraudwall.db import open_database

    try:
        db = open_database(db_url)
        try:
            with db.session(via=_via(), readonly=readonly) as session:
                yield session
        finally:
            db.dispose()
    except FraudwallError as e:
        raise fail(e) from None


def fail(e: Exception) -> typer.Exit:
    """Print an error (to stderr) and give the exit to raise."""
    # soft_wrap: a path or field in the message must stay on one line, whatever the width.
    console.print(f"[bold red]error:[/] {e}", markup=True, highlight=False, soft_wrap=True)
    return typer.Exit(2)


@contextmanager
def errors() -> Iterator[None]:
    """Fraudwall errors inside the block: one red line and exit status 2."""
    try:
        yield
    except FraudwallError as e:
        raise fail(e) from None


def to_jsonable(obj: Any) -> Any:
    """Pydantic models and lists of them as plain JSON values."""
    if isinstance(obj, BaseModel):
        return obj.model_dump(mode="json")
    if isinstance(obj, list | tuple):
        return [to_jsonable(o) for o in obj]
    if isinstance(obj, dict):
        return {k: to_jsonable(v) for k, v in obj.items()}
    return obj


def emit(obj: Any, *, as_json: bool, columns: Sequence[str] = (), title: str = "") -> None:
    """Print ``obj`` as JSON (``--json``) or as a table of ``columns`` for people."""
    data = to_jsonable(obj)
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        return
    rows = data if isinstance(data, list) else [data]
    cols = list(columns) or (list(rows[0]) if rows and isinstance(rows[0], dict) else [])
    table = Table(title=title or None)
    for c in cols:
        table.add_column(c)
    for r in rows:
        table.add_row(*(_cell(r.get(c)) for c in cols))
    Console(width=max(Console().width, 200)).print(table)


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, dict | list):
        return json.dumps(v, ensure_ascii=False, default=str)
    return str(v)
