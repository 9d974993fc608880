"""``fraudwall action``: dispositions with deadlines, maker-checker, provisioning commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from fraudwall.cases.enums import ActionState, ActionType, CallbackOutcome
from fraudwall.cli.dbopts import AsOpt, DbOpt, JsonOpt, emit, unit_of_work

app = typer.Typer(help="Actions on subscribers: request, approve, dispatch.", no_args_is_help=True)
COLUMNS = ("id", "case_id", "type", "state", "requested_by", "approved_by", "automatic", "deadline")
IdArg = Annotated[int, typer.Argument(help="action id")]
PolicyOpt = Annotated[Path | None, typer.Option("--policy", help="policy file (default built-in)")]


@app.command("request")
def request(
    case: Annotated[int, typer.Argument(help="case id")],
    type: Annotated[ActionType, typer.Option("--type", help="what to do")],
    actor: AsOpt,
    note: Annotated[str | None, typer.Option("--note", help="why")] = None,
    policy: PolicyOpt = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
) -> None:
    """Request an action; suspend and shutdown then wait for a second person."""
    from fraudwall.cases.actions import request_action
    from fraudwall.cli.dbopts import fail
    from fraudwall.errors import FraudwallError
    from fraudwall.policy import load_policy

    try:
        pol = load_policy(policy).actions
    except FraudwallError as e:
        raise fail(e) from None
    with unit_of_work(db) as s:
        a = request_action(s, case_id=case, type=type, actor=actor, policy=pol, note=note)
    emit(a, as_json=as_json, columns=COLUMNS)


@app.command("approve")
def approve(action_id: IdArg, actor: AsOpt, as_json: JsonOpt = False, db: DbOpt = None) -> None:
    """Approve a requested action (not the person who requested it)."""
    from fraudwall.cases.actions import approve_action

    with unit_of_work(db) as s:
        a = approve_action(s, action_id=action_id, actor=actor)
    emit(a, as_json=as_json, columns=COLUMNS)


@app.command("reject")
def reject(
    action_id: IdArg,
    actor: AsOpt,
    reason: Annotated[str, typer.Option("--reason", help="why")],
    as_json: JsonOpt = False,
    db: DbOpt = None,
) -> None:
    """Refuse a requested action."""
    from fraudwall.cases.actions import reject_action

    with unit_of_work(db) as s:
        a = reject_action(s, action_id=action_id, actor=actor, reason=reason)
    emit(a, as_json=as_json, columns=COLUMNS)


@app.command("list")
def list_cmd(
    state: Annotated[ActionState | None, typer.Option("--state")] = None,
    case: Annotated[int | None, typer.Option("--case")] = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
) -> None:
    """List actions."""
    from fraudwall.cases.actions import list_actions

    with unit_of_work(db, readonly=True) as s:
        rows = list_actions(s, state=state, case_id=case)
    emit(rows, as_json=as_json, columns=COLUMNS, title="actions")


@app.command("overdue")
def overdue(as_json: JsonOpt = False, db: DbOpt = None) -> None:
    """Actions past their deadline and not yet carried out."""
    from fraudwall.cases.actions import overdue_actions

    with unit_of_work(db, readonly=True) as s:
        rows = overdue_actions(s)
    emit(rows, as_json=as_json, columns=COLUMNS, title="overdue actions")


@app.command("dispatch")
def dispatch(
    actor: AsOpt,
    outbox: Annotated[
        Path | None, typer.Option("--outbox", help="JSON-lines file the provisioning system reads")
    ] = None,
    url: Annotated[str | None, typer.Option("--url", help="provisioning endpoint")] = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
) -> None:
    """Send approved actions as idempotent provisioning commands."""
    from fraudwall.cases.provisioning import dispatch_actions

    with unit_of_work(db) as s:
        rows = dispatch_actions(s, actor=actor, outbox=outbox, url=url)
    emit(rows, as_json=as_json, columns=COLUMNS, title="dispatched")


@app.command("acks")
def acks(
    file: Annotated[Path, typer.Argument(help="acknowledgements, one JSON line each")],
    actor: AsOpt,
    as_json: JsonOpt = False,
    db: DbOpt = None,
) -> None:
    """Read the provisioning system's acknowledgements back."""
    from fraudwall.cases.provisioning import read_acknowledgements

    with unit_of_work(db) as s:
        rows = read_acknowledgements(s, file=file, actor=actor)
    emit(rows, as_json=as_json, columns=(*COLUMNS, "ack_status"), title="acknowledged")


@app.command("callback")
def callback(
    action_id: IdArg,
    outcome: Annotated[CallbackOutcome, typer.Option("--outcome", help="what the call found")],
    actor: AsOpt,
    note: Annotated[str | None, typer.Option("--note")] = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
) -> None:
    """Record the hotline call-back's outcome (it becomes a label)."""
    from fraudwall.cases.actions import record_callback

    with unit_of_work(db) as s:
        a = record_callback(s, action_id=action_id, outcome=outcome, actor=actor, note=note)
    emit(a, as_json=as_json, columns=COLUMNS)


@app.command("auto")
def auto(
    actor: AsOpt,
    on: Annotated[bool, typer.Option("--on/--off", help="switch the automatic path")],
    as_json: JsonOpt = False,
    db: DbOpt = None,
) -> None:
    """Switch the policy's automatic path for severe actions on or off (supervisor)."""
    from fraudwall.cases.actions import set_auto_path

    with unit_of_work(db) as s:
        r = set_auto_path(s, enabled=on, actor=actor)
    emit(r, as_json=as_json)
