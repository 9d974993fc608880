"""``fraudwall batch``: numbered police lead batches: create, approve, export, deliver."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from fraudwall.cli.dbopts import AsOpt, DbOpt, JsonOpt, emit, unit_of_work

app = typer.Typer(help="Police lead batches.", no_args_is_help=True)
COLUMNS = (
    "id", "number", "state", "leads", "new", "updates", "proposed_by", "approved_by", "unit",
)  # fmt: skip
NumberArg = Annotated[int, typer.Argument(help="batch number")]


@app.command("create")
def create(
    actor: AsOpt,
    level: Annotated[str, typer.Option("--level", help="risk level or above")] = "high",
    scenario: Annotated[str | None, typer.Option("--scenario", help="only this scenario")] = None,
    detector: Annotated[str | None, typer.Option("--detector", help="only this detector")] = None,
    case: Annotated[list[int] | None, typer.Option("--case", help="these cases (repeat)")] = None,
    unit: Annotated[
        str | None, typer.Option("--unit", help="police unit it is addressed to (its liaison)")
    ] = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
) -> None:
    """Propose the next numbered batch of leads not yet sent with the same evidence."""
    from fraudwall.cases.batches import create_batch

    with unit_of_work(db) as s:
        b = create_batch(
            s,
            actor=actor,
            level=level,
            scenario=scenario,
            detector=detector,
            case_ids=case or None,
            unit=unit,
        )
    emit(b, as_json=as_json, columns=COLUMNS)


@app.command("approve")
def approve(number: NumberArg, actor: AsOpt, as_json: JsonOpt = False, db: DbOpt = None) -> None:
    """Approve a proposed batch (a supervisor other than the proposer)."""
    from fraudwall.cases.batches import approve_batch

    with unit_of_work(db) as s:
        b = approve_batch(s, number=number, actor=actor)
    emit(b, as_json=as_json, columns=COLUMNS)


@app.command("export")
def export(
    number: NumberArg,
    out: Annotated[Path, typer.Option("--out", help="directory to write the files into")],
    actor: AsOpt,
    as_json: JsonOpt = False,
    db: DbOpt = None,
) -> None:
    """Write batch-N.csv, batch-N.xlsx, batch-N.json and manifest.json (SHA-256 of each)."""
    from fraudwall.cases.export import export_batch

    with unit_of_work(db) as s:
        r = export_batch(s, number=number, out=out, actor=actor)
    emit(r, as_json=as_json)


@app.command("deliver")
def deliver(
    number: NumberArg,
    actor: AsOpt,
    outbox: Annotated[Path | None, typer.Option("--outbox", help="folder to drop it in")] = None,
    url: Annotated[str | None, typer.Option("--url", help="endpoint to POST it to")] = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
) -> None:
    """Deliver an exported batch to an outbox folder or an HTTP endpoint (with retries)."""
    from fraudwall.cases.delivery import deliver_batch

    with unit_of_work(db) as s:
        b = deliver_batch(s, number=number, actor=actor, outbox=outbox, url=url)
    emit(b, as_json=as_json, columns=(*COLUMNS, "delivery"))


@app.command("list")
def list_cmd(as_json: JsonOpt = False, db: DbOpt = None) -> None:
    """Every batch, newest first."""
    from fraudwall.cases.batches import list_batches

    with unit_of_work(db, readonly=True) as s:
        rows = list_batches(s)
    emit(rows, as_json=as_json, columns=COLUMNS, title="batches")


@app.command("show")
def show(number: NumberArg, as_json: JsonOpt = False, db: DbOpt = None) -> None:
    """One batch."""
    from fraudwall.cases.batches import show_batch

    with unit_of_work(db, readonly=True) as s:
        b = show_batch(s, number=number)
    emit(b, as_json=as_json, columns=(*COLUMNS, "delivery"))
