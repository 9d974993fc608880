"""``fraudwall check registration``: the point-of-sale check from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from fraudwall.cli.dbopts import DbOpt, JsonOpt, emit, fail
from fraudwall.errors import FraudwallError

app = typer.Typer(help="Checks other systems ask for.", no_args_is_help=True)


@app.command("registration")
def registration(
    holder: Annotated[str, typer.Option("--holder", help="holder_id_hash of the buyer")],
    imei: Annotated[str | None, typer.Option("--imei", help="device the card goes into")] = None,
    outlet: Annotated[str | None, typer.Option("--outlet", help="outlet selling the card")] = None,
    operator: Annotated[str | None, typer.Option("--operator", help="operator selling it")] = None,
    workspace: Annotated[
        Path | None, typer.Option("--workspace", help="latest run (default: $FRAUDWALL_WORKSPACE)")
    ] = None,
    keys: Annotated[
        Path | None, typer.Option("--keys", help="key store (default: $FRAUDWALL_KEYS_DIR)")
    ] = None,
    policy: Annotated[Path | None, typer.Option("--policy", help="policy file")] = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
) -> None:
    """Decide allow | review | deny for one registration, with the reasons."""
    from fraudwall.api.settings import Settings
    from fraudwall.db import open_database
    from fraudwall.lists.check import RegistrationRequest, check_registration
    from fraudwall.lists.keys import KeyStore
    from fraudwall.lists.snapshot import SnapshotBuilder
    from fraudwall.policy import load_policy

    try:
        env = Settings.from_env()
        request = RegistrationRequest(
            holder_id_hash=holder, imei=imei, outlet_id=outlet, operator=operator
        )
        database = open_database(db or env.database_url)
        try:
            key_dir = keys or env.keys_dir
            builder = SnapshotBuilder(
                database,
                workspace=workspace or env.workspace,
                keys=KeyStore(key_dir) if key_dir else None,
                policy=load_policy(policy or env.policy).registration,
            )
            answer = check_registration(builder.build(), request)
        finally:
            database.dispose()
    except (FraudwallError, ValueError) as e:
        raise fail(e) from None
    if as_json:
        emit(answer, as_json=True)
        return
    typer.echo(f"decision: {answer.decision}")
    for r in answer.reasons:
        typer.echo(f"  {r.decision:6} {r.code}: {r.message}")
