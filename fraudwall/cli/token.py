"""``fraudwall token``: bearer tokens for the service (stored hashed; shown once)."""

from __future__ import annotations

from typing import Annotated

import typer

from fraudwall.cli.dbopts import AsOpt, DbOpt, JsonOpt, emit, fail, unit_of_work
from fraudwall.errors import FraudwallError

app = typer.Typer(help="Bearer tokens for `fraudwall serve`.", no_args_is_help=True)
COLUMNS = ("id", "user", "label", "hint", "created_at", "expires_at", "revoked_at")


@app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="user the token acts as")],
    actor: Annotated[
        str | None, typer.Option("--as", help="who issues it (a supervisor, or the user)")
    ] = None,
    expires: Annotated[
        str | None, typer.Option("--expires", help="lifetime, e.g. 30d, 12h, 45m (default: none)")
    ] = None,
    label: Annotated[str, typer.Option("--label", help="what the token is for")] = "",
    as_json: JsonOpt = False,
    db: DbOpt = None,
) -> None:
    """Create a token for user NAME; the token is printed on the last line (only this once)."""
    from fraudwall.auth.tokens import create_token, parse_duration

    try:
        lifetime = parse_duration(expires) if expires else None
    except FraudwallError as e:
        raise fail(e) from None
    with unit_of_work(db) as s:
        created = create_token(s, user=name, actor=actor or name, expires=lifetime, label=label)
    if as_json:
        emit(created, as_json=True)
        return
    emit(created, as_json=False, columns=COLUMNS[:-1])
    typer.echo(created.token)


@app.command("revoke")
def revoke(
    token_id: Annotated[int, typer.Argument(help="token id (see `fraudwall token list`)")],
    actor: AsOpt,
    as_json: JsonOpt = False,
    db: DbOpt = None,
) -> None:
    """Revoke a token: it is refused from the next request on."""
    from fraudwall.auth.tokens import revoke_token

    with unit_of_work(db) as s:
        t = revoke_token(s, token_id=token_id, actor=actor)
    emit(t, as_json=as_json, columns=COLUMNS)


@app.command("list")
def list_cmd(
    user: Annotated[str | None, typer.Option("--user", help="only this user's tokens")] = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
) -> None:
    """List tokens (never their secrets)."""
    from fraudwall.auth.tokens import list_tokens

    with unit_of_work(db, readonly=True) as s:
        tokens = list_tokens(s, user=user)
    emit(tokens, as_json=as_json, columns=COLUMNS, title="tokens")
