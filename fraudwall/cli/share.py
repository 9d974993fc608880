"""``fraudwall share``: exchange blacklists with partner operators as keyed tokens."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from fraudwall.cli.dbopts import AsOpt, DbOpt, JsonOpt, emit, fail, unit_of_work
from fraudwall.errors import FraudwallError

if TYPE_CHECKING:
    from fraudwall.lists.keys import KeyStore

app = typer.Typer(help="Share blacklists with other operators.", no_args_is_help=True)
key_app = typer.Typer(help="Make and store sharing keys.", no_args_is_help=True)
app.add_typer(key_app, name="key")
KeysOpt = Annotated[
    Path | None,
    typer.Option("--keys", help="key directory (default: $FRAUDWALL_KEYS_DIR or ./fraudwall-keys)"),
]


def _store(keys: Path | None) -> KeyStore:
    from fraudwall.lists.keys import KeyStore, resolve_keys_dir

    return KeyStore(resolve_keys_dir(keys))


@key_app.command("init")
def key_init(
    operator: Annotated[str, typer.Option("--operator", help="our name, as partners know us")],
    keys: KeysOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create our Ed25519 signing key (kept if it exists); prints the public key to give to
    partners."""
    try:
        info = _store(keys).init(operator=operator)
    except FraudwallError as e:
        raise fail(e) from None
    emit(info, as_json=as_json, columns=("operator", "public_key", "path"))


@key_app.command("group")
def key_group(
    key_file: Annotated[
        Path | None,
        typer.Option("--from", help="the group key agreed by the sharing group (hex file)"),
    ] = None,
    replace: Annotated[bool, typer.Option("--replace", help="replace an existing key")] = False,
    keys: KeysOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Store the sharing group's holder key (a new random one without --from). It is the
    `--id-key-file` of `fraudwall ingest`: every operator of the group must use the same one."""
    from fraudwall.ingest.idkey import read_key_file
    from fraudwall.lists.keys import fingerprint

    try:
        store = _store(keys)
        key = store.set_group_key(read_key_file(key_file) if key_file else None, replace=replace)
    except FraudwallError as e:
        raise fail(e) from None
    emit(
        {"group_key_file": str(store.group_key_file), "fingerprint": fingerprint(key)},
        as_json=as_json,
    )


@key_app.command("partner")
def key_partner(
    name: Annotated[str, typer.Argument(help="partner operator's name")],
    hmac_key_file: Annotated[
        Path | None,
        typer.Option("--hmac-key-file", help="key agreed with the partner (default: keep, or new)"),
    ] = None,
    public_key: Annotated[
        str | None, typer.Option("--public-key", help="the partner's Ed25519 public key (hex)")
    ] = None,
    show_key_to: Annotated[
        Path | None,
        typer.Option("--write-key", help="write the HMAC key to this file, to send the partner"),
    ] = None,
    keys: KeysOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add or update a partner: the HMAC key agreed with it and its public key."""
    from fraudwall.ingest.idkey import read_key_file
    from fraudwall.lists.keys import fingerprint

    try:
        store = _store(keys)
        key = read_key_file(hmac_key_file) if hmac_key_file else None
        p = store.set_partner(name, hmac_key=key, public_key=public_key)
    except FraudwallError as e:
        raise fail(e) from None
    if show_key_to is not None:
        import os

        fd = os.open(show_key_to, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(p.hmac_key.hex() + "\n")
    emit(
        {
            "partner": p.name,
            "hmac_key": fingerprint(p.hmac_key),
            "public_key": p.public_key.hex() if p.public_key else None,
        },
        as_json=as_json,
    )


@key_app.command("show")
def key_show(keys: KeysOpt = None, as_json: JsonOpt = False) -> None:
    """What the key store holds (fingerprints only, never a secret)."""
    emit(_store(keys).describe(), as_json=as_json)


@app.command("export")
def export(
    list_name: Annotated[str, typer.Option("--list", help="list to share")],
    partner: Annotated[str, typer.Option("--partner", help="partner it is for")],
    out: Annotated[Path, typer.Option("--out", help="file to write")],
    actor: AsOpt,
    days: Annotated[int, typer.Option("--days", help="days the file stays valid", min=1)] = 30,
    keys: KeysOpt = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
) -> None:
    """Write a list for one partner: tokens under its key, reason codes, expiry, signed."""
    from datetime import timedelta

    from fraudwall.lists.sharing import export_share

    with unit_of_work(db) as s:
        summary = export_share(
            s,
            keys=_store(keys),
            list_name=list_name,
            partner=partner,
            out=out,
            actor=actor,
            valid_for=timedelta(days=days),
        )
    emit({**summary, "out": str(out)}, as_json=as_json)


@app.command("import")
def import_cmd(
    file: Annotated[Path, typer.Argument(help="file a partner sent")],
    partner: Annotated[str, typer.Option("--partner", help="partner who sent it")],
    actor: AsOpt,
    keys: KeysOpt = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
) -> None:
    """Verify a partner's file and match its tokens from now on; a tampered, expired or wrongly
    keyed file is refused whole and changes nothing."""
    from fraudwall.lists.sharing import import_share

    with unit_of_work(db) as s:
        summary = import_share(s, keys=_store(keys), path=file, partner=partner, actor=actor)
    emit(summary, as_json=as_json)


@app.command("match")
def match(
    workspace: Annotated[Path, typer.Option("--workspace", help="workspace with subscribers")],
    actor: AsOpt,
    keys: KeysOpt = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
) -> None:
    """Our subscribers (numbers and holders) that partners have listed, masked."""
    from fraudwall.lists.sharing import match_subscribers

    with unit_of_work(db, readonly=True) as s:
        rows = match_subscribers(s, keys=_store(keys), workspace=workspace, actor=actor)
    emit(rows, as_json=as_json, columns=("msisdn", "holder_id_hash", "listed_by", "what"))
