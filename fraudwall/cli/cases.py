"""``fraudwall cases``: import a run's leads, list, show, review, assign, comment."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from fraudwall.cases.enums import CaseState
from fraudwall.cli.dbopts import AsOpt, DbOpt, JsonOpt, emit, unit_of_work
from fraudwall.cli.progress import progress

app = typer.Typer(
    help="Cases: one per (entity, scenario), with their history.", no_args_is_help=True
)
COLUMNS = (
    "id",
    "entity_type",
    "entity_id",
    "scenario",
    "state",
    "score",
    "risk_level",
    "detectors",
    "assignee",
    "hold",
)
CaseArg = Annotated[int, typer.Argument(help="case id")]


@app.command("import")
def import_cmd(
    run_dir: Annotated[Path, typer.Argument(help="a `fraudwall run` output directory")],
    actor: AsOpt,
    as_json: JsonOpt = False,
    db: DbOpt = None,
) -> None:
    """Load a run's leads and risk as cases (new ones added, changed ones updated)."""
    from fraudwall.cases.importer import import_run

    with unit_of_work(db) as s, progress() as bar:
        task = bar.add_task("loading cases", total=None)
        result = import_run(
            s,
            run_dir=run_dir,
            actor=actor,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    emit(result, as_json=as_json)


@app.command("list")
def list_cmd(
    state: Annotated[CaseState | None, typer.Option("--state", help="review state")] = None,
    level: Annotated[str | None, typer.Option("--level", help="risk level or above")] = None,
    scenario: Annotated[str | None, typer.Option("--scenario", help="scenario name")] = None,
    limit: Annotated[int | None, typer.Option("--limit", help="at most this many")] = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
) -> None:
    """List cases, highest score first."""
    from fraudwall.cases.review import list_cases

    with unit_of_work(db, readonly=True) as s:
        rows = list_cases(s, state=state, level=level, scenario=scenario, limit=limit)
    emit(rows, as_json=as_json, columns=COLUMNS, title=f"{len(rows)} cases")


@app.command("show")
def show(case_id: CaseArg, as_json: JsonOpt = False, db: DbOpt = None) -> None:
    """A case with its whole history: scores, reasons, comments, batches, actions, appeals."""
    from fraudwall.cases.review import show_case

    with unit_of_work(db, readonly=True) as s:
        detail = show_case(s, case_id=case_id)
    if as_json:
        emit(detail, as_json=True)
        return
    emit(detail, as_json=False, columns=(*COLUMNS, "reasons", "hold_reason"))
    emit(
        detail.history,
        as_json=False,
        columns=("run_id", "at", "score", "risk_level", "reasons"),
        title="history",
    )
    for name in ("comments", "actions", "appeals", "feedback"):
        items = getattr(detail, name)
        if items:
            emit(items, as_json=False, title=name)


def _move(
    case_id: int, state: CaseState, actor: str, reason: str | None, as_json: bool, db: str | None
) -> None:
    from fraudwall.cases.review import set_state

    with unit_of_work(db) as s:
        case = set_state(s, case_id=case_id, state=state, actor=actor, reason=reason)
    emit(case, as_json=as_json, columns=COLUMNS)


ReasonOpt = Annotated[str | None, typer.Option("--reason", help="why (kept as a comment)")]


@app.command("review")
def review(
    case_id: CaseArg,
    actor: AsOpt,
    reason: ReasonOpt = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
) -> None:
    """Start reviewing a case (new → under_review)."""
    _move(case_id, CaseState.under_review, actor, reason, as_json, db)


@app.command("confirm")
def confirm(
    case_id: CaseArg,
    actor: AsOpt,
    reason: ReasonOpt = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
) -> None:
    """Confirm a case as fraud."""
    _move(case_id, CaseState.confirmed, actor, reason, as_json, db)


@app.command("dismiss")
def dismiss(
    case_id: CaseArg,
    actor: AsOpt,
    reason: ReasonOpt = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
) -> None:
    """Dismiss a case (not fraud)."""
    _move(case_id, CaseState.dismissed, actor, reason, as_json, db)


@app.command("assign")
def assign(
    case_id: CaseArg,
    to: Annotated[str, typer.Option("--to", help="analyst or supervisor")],
    actor: AsOpt,
    as_json: JsonOpt = False,
    db: DbOpt = None,
) -> None:
    """Assign a case to someone."""
    from fraudwall.cases.review import assign_case

    with unit_of_work(db) as s:
        case = assign_case(s, case_id=case_id, assignee=to, actor=actor)
    emit(case, as_json=as_json, columns=COLUMNS)


@app.command("comment")
def comment(
    case_id: CaseArg,
    text: Annotated[str, typer.Argument(help="the note")],
    actor: AsOpt,
    as_json: JsonOpt = False,
    db: DbOpt = None,
) -> None:
    """Add a note to a case."""
    from fraudwall.cases.review import comment_case

    with unit_of_work(db) as s:
        c = comment_case(s, case_id=case_id, text=text, actor=actor)
    emit(c, as_json=as_json)
