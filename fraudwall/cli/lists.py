"""``fraudwall lists``: blacklists (add, remove, show, export, bulk add from confirmed cases)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from fraudwall.cli.dbopts import AsOpt, DbOpt, JsonOpt, emit, fail, unit_of_work
from fraudwall.errors import FraudwallError

app = typer.Typer(help="Blacklists of numbers, IMEIs, holders, outlets and domains.")
COLUMNS = (
    "id",
    "list_name",
    "value",
    "source",
    "partner",
    "reason_code",
    "case_id",
    "added_by",
    "expires_at",
    "active",
)
ListArg = Annotated[str, typer.Argument(help="numbers, imeis, holders, outlets or domains")]
Expires = Annotated[
    str | None, typer.Option("--expires", help="lifetime (30d, 12h) or an ISO time")
]


def _expiry(text: str | None) -> datetime | None:
    from fraudwall.auth.tokens import parse_duration

    if not text:
        return None
    try:
        t = datetime.fromisoformat(text)
    except ValueError:
        return datetime.now(UTC) + parse_duration(text)
    return t if t.tzinfo else t.replace(tzinfo=UTC)


@app.command("add")
def add(
    list_name: ListArg,
    values: Annotated[list[str], typer.Argument(help="identifiers to list")],
    actor: AsOpt,
    reason: Annotated[str, typer.Option("--reason", help="why (free text)")] = "",
    code: Annotated[
        str,
        typer.Option(
            "--code", help="reason code: a scenario, police_report, partner_report or other"
        ),
    ] = "other",
    source: Annotated[str, typer.Option("--source", help="own or police")] = "own",
    case: Annotated[int | None, typer.Option("--case", help="case id behind the listing")] = None,
    expires: Expires = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
) -> None:
    """List identifiers (all or none: one bad value lists nothing)."""
    from fraudwall.lists.models import EntryCreate
    from fraudwall.lists.service import add_entry

    try:
        when = _expiry(expires)
        datas = [
            EntryCreate(
                value=v,
                source=source,
                reason_code=code,
                reason=reason,
                case_id=case,
                expires_at=when,
            )
            for v in values
        ]
    except (FraudwallError, ValueError) as e:
        raise fail(e) from None
    with unit_of_work(db) as s:
        out = [add_entry(s, list_name=list_name, data=d, actor=actor) for d in datas]
    emit(out, as_json=as_json, columns=COLUMNS)


@app.command("add-cases")
def add_cases(
    case_ids: Annotated[list[int], typer.Argument(help="confirmed case ids")],
    actor: AsOpt,
    expires: Expires = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
) -> None:
    """Bulk add: list the entity of each confirmed case."""
    from fraudwall.lists.cases import confirmed_cases
    from fraudwall.lists.service import add_confirmed_cases

    try:
        when = _expiry(expires)
    except FraudwallError as e:
        raise fail(e) from None
    with unit_of_work(db) as s:
        cases = confirmed_cases(s, case_ids=case_ids)
        out = add_confirmed_cases(s, actor=actor, cases=cases, expires_at=when)
    emit(out, as_json=as_json, columns=COLUMNS)


@app.command("remove")
def remove(
    list_name: ListArg,
    value: Annotated[str | None, typer.Argument(help="the identifier (or give --id)")] = None,
    entry_id: Annotated[int | None, typer.Option("--id", help="entry id")] = None,
    actor: Annotated[str, typer.Option("--as", help="supervisor removing it")] = "",
    reason: Annotated[str, typer.Option("--reason", help="why it is removed")] = "",
    as_json: JsonOpt = False,
    db: DbOpt = None,
) -> None:
    """Take an entry off its list (it is kept, marked removed, with who, when and why)."""
    from fraudwall.lists.service import remove_entry

    with unit_of_work(db) as s:
        out = remove_entry(
            s, actor=actor, reason=reason, entry_id=entry_id, list_name=list_name, value=value
        )
    emit(out, as_json=as_json, columns=COLUMNS)


@app.command("show")
def show(
    list_name: Annotated[str | None, typer.Argument(help="one list (default: all)")] = None,
    actor: AsOpt = "",
    all_: Annotated[bool, typer.Option("--all", help="include removed and expired")] = False,
    unmasked: Annotated[
        bool, typer.Option("--unmasked", help="show identifiers (audited)")
    ] = False,
    as_json: JsonOpt = False,
    db: DbOpt = None,
) -> None:
    """Show list entries, newest first (identifiers masked unless --unmasked)."""
    from fraudwall.lists.service import show_entries

    with unit_of_work(db) as s:
        out = show_entries(
            s, actor=actor, list_name=list_name, include_inactive=all_, unmasked=unmasked
        )
    emit(out, as_json=as_json, columns=COLUMNS, title=list_name or "lists")


@app.command("export")
def export(
    list_name: ListArg,
    out: Annotated[Path, typer.Option("--out", help="file to write ('-' prints it)")],
    actor: AsOpt,
    fmt: Annotated[str, typer.Option("--format", help="csv or json")] = "csv",
    unmasked: Annotated[
        bool, typer.Option("--unmasked", help="identifiers in clear (audited)")
    ] = False,
    db: DbOpt = None,
) -> None:
    """Export a list's active entries (for the operator's own systems; to share with a partner
    use `fraudwall share export`)."""
    from fraudwall.lists.service import export_entries

    with unit_of_work(db) as s:
        text = export_entries(s, actor=actor, list_name=list_name, fmt=fmt, unmasked=unmasked)
    if str(out) == "-":
        typer.echo(text, nl=False)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(text, "utf-8")
    tmp.replace(out)
    typer.echo(f"wrote {out}", err=True)
