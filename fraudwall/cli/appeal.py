"""``fraudwall appeal``: a subscriber's way back (复通)."""

from __future__ import annotations

from typing import Annotated

import typer

from fraudwall.cli.dbopts import AsOpt, DbOpt, JsonOpt, emit, unit_of_work

app = typer.Typer(help="Appeals: open, re-verify, decide.", no_args_is_help=True)
COLUMNS = ("id", "case_id", "state", "reason", "reverify_result", "decided_by", "restore_action_id")
IdArg = Annotated[int, typer.Argument(help="appeal id")]


@app.command("open")
def open_cmd(
    case: Annotated[int, typer.Argument(help="case id")],
    reason: Annotated[str, typer.Option("--reason", help="the subscriber's reason")],
    actor: AsOpt,
    as_json: JsonOpt = False,
    db: DbOpt = None,
) -> None:
    """Open an appeal against the suspend/shutdown/limit in force on a case."""
    from fraudwall.cases.appeals import open_appeal

    with unit_of_work(db) as s:
        a = open_appeal(s, case_id=case, reason=reason, actor=actor)
    emit(a, as_json=as_json, columns=COLUMNS)


@app.command("reverify")
def reverify(
    appeal_id: IdArg,
    actor: AsOpt,
    passed: Annotated[bool, typer.Option("--passed/--failed", help="re-verification result")],
    note: Annotated[str | None, typer.Option("--note")] = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
) -> None:
    """Record the subscriber's re-verification result."""
    from fraudwall.cases.appeals import record_reverification

    with unit_of_work(db) as s:
        a = record_reverification(s, appeal_id=appeal_id, passed=passed, actor=actor, note=note)
    emit(a, as_json=as_json, columns=COLUMNS)


@app.command("decide")
def decide(
    appeal_id: IdArg,
    actor: AsOpt,
    restore: Annotated[bool, typer.Option("--restore/--uphold", help="the decision")],
    note: Annotated[str | None, typer.Option("--note")] = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
) -> None:
    """Restore the number (writes the reverse command) or uphold the action."""
    from fraudwall.cases.appeals import decide_appeal

    with unit_of_work(db) as s:
        a = decide_appeal(s, appeal_id=appeal_id, restore=restore, actor=actor, note=note)
    emit(a, as_json=as_json, columns=COLUMNS)


@app.command("list")
def list_cmd(as_json: JsonOpt = False, db: DbOpt = None) -> None:
    """Every appeal."""
    from fraudwall.cases.appeals import list_appeals

    with unit_of_work(db, readonly=True) as s:
        rows = list_appeals(s)
    emit(rows, as_json=as_json, columns=COLUMNS, title="appeals")
