"""``fraudwall users``: the people who act on fraudwall and their roles."""

from __future__ import annotations

from typing import Annotated

import typer

from fraudwall.auth.models import Role
from fraudwall.cli.dbopts import DbOpt, JsonOpt, emit, unit_of_work

app = typer.Typer(help="Users and roles.", no_args_is_help=True)
COLUMNS = ("id", "name", "role", "unit", "active")


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="login name")],
    role: Annotated[Role, typer.Option("--role", help="what the user does")],
    unit: Annotated[
        str | None, typer.Option("--unit", help="police unit (required for a liaison)")
    ] = None,
    actor: Annotated[
        str | None,
        typer.Option("--as", help="supervisor adding the user (not needed for the first one)"),
    ] = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
) -> None:
    """Add a user. Until the first supervisor exists no --as is needed; after, a supervisor."""
    from fraudwall.auth import UserCreate, add_user

    with unit_of_work(db) as s:
        user = add_user(s, data=UserCreate(name=name, role=role, unit=unit), actor=actor)
    emit(user, as_json=as_json, columns=COLUMNS)


@app.command("list")
def list_cmd(as_json: JsonOpt = False, db: DbOpt = None) -> None:
    """List every user."""
    from fraudwall.auth import list_users

    with unit_of_work(db, readonly=True) as s:
        users = list_users(s)
    emit(users, as_json=as_json, columns=COLUMNS, title="users")


@app.command("deactivate")
def deactivate(
    name: Annotated[str, typer.Argument(help="user to deactivate")],
    actor: Annotated[str, typer.Option("--as", help="supervisor")],
    as_json: JsonOpt = False,
    db: DbOpt = None,
) -> None:
    """Deactivate a user: they can no longer do anything."""
    from fraudwall.auth import set_active

    with unit_of_work(db) as s:
        user = set_active(s, name=name, active=False, actor=actor)
    emit(user, as_json=as_json, columns=COLUMNS)
