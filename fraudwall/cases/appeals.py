"""Appeals (复通): a subscriber asks for their number back; re-verification; a supervisor
restores (the reverse command is written) or upholds. A restored case is put on hold: the
next run's evidence cannot push it into a new suspend or shutdown without a person."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from fraudwall.cases.common import act, audit, get_appeal, get_case
from fraudwall.cases.enums import ActionState, ActionType, AppealState
from fraudwall.cases.models import Action, Appeal, CaseComment
from fraudwall.cases.schemas import AppealRead
from fraudwall.db.base import utcnow
from fraudwall.errors import Conflict, InputError

#: Actions a subscriber can appeal against.
APPEALABLE = (ActionType.suspend, ActionType.shutdown, ActionType.limit_outbound)
IN_FORCE = (ActionState.approved, ActionState.dispatched, ActionState.acknowledged)


def _in_force(session: Session, case_id: int) -> Action | None:
    return session.scalars(
        select(Action)
        .where(Action.case_id == case_id, Action.type.in_(APPEALABLE), Action.state.in_(IN_FORCE))
        .order_by(Action.id.desc())
    ).first()


def open_appeal(session: Session, *, case_id: int, reason: str, actor: str) -> AppealRead:
    """Record a subscriber's appeal against the action in force on their case."""
    who = act(session, actor, "appeal.open")
    if not reason.strip():
        raise InputError("an appeal needs the subscriber's reason", field="reason")
    get_case(session, case_id)
    if _in_force(session, case_id) is None:
        raise Conflict(f"case {case_id} has no suspend, shutdown or limit in force to appeal")
    if session.scalars(
        select(Appeal.id).where(Appeal.case_id == case_id, Appeal.state == AppealState.open)
    ).first():
        raise Conflict(f"case {case_id} already has an open appeal")
    appeal = Appeal(case_id=case_id, reason=reason.strip(), opened_by=who.name, opened_at=utcnow())
    session.add(appeal)
    session.flush()
    audit(session, who, "appeal.open", "appeal", appeal.id, case_id=case_id, reason=reason)
    return AppealRead.model_validate(appeal)


def record_reverification(
    session: Session, *, appeal_id: int, passed: bool, actor: str, note: str | None = None
) -> AppealRead:
    """The result of re-verifying the subscriber's identity (实名复核) for an appeal."""
    who = act(session, actor, "appeal.reverify")
    appeal = get_appeal(session, appeal_id)
    if appeal.state is not AppealState.open:
        raise Conflict(f"appeal {appeal_id} is already {appeal.state.value}")
    appeal.reverify_result = "passed" if passed else "failed"
    appeal.reverify_note, appeal.reverified_by = note, who.name
    audit(
        session,
        who,
        "appeal.reverify",
        "appeal",
        appeal_id,
        case_id=appeal.case_id,
        result=appeal.reverify_result,
    )
    return AppealRead.model_validate(appeal)


def decide_appeal(
    session: Session, *, appeal_id: int, restore: bool, actor: str, note: str | None = None
) -> AppealRead:
    """Restore (needs a passed re-verification; writes the reverse command) or uphold."""
    who = act(session, actor, "appeal.decide")
    appeal = get_appeal(session, appeal_id)
    if appeal.state is not AppealState.open:
        raise Conflict(f"appeal {appeal_id} was already decided: {appeal.state.value}")
    case = get_case(session, appeal.case_id, lock=True)
    now = utcnow()
    if restore:
        if appeal.reverify_result != "passed":
            raise Conflict(
                f"appeal {appeal_id}: the subscriber has not passed re-verification "
                f"({appeal.reverify_result or 'not done'}); record it first"
            )
        target = _in_force(session, case.id)
        if target is None:
            raise Conflict(f"case {case.id} has no action in force to reverse")
        reverse = Action(
            case_id=case.id,
            type=ActionType.restore,
            state=ActionState.approved,
            requested_by=who.name,
            requested_at=now,
            deadline=now,
            approved_by=who.name,
            approved_at=now,
            command_id=uuid.uuid4().hex,
            reverses=target.id,
            detail={"appeal_id": appeal_id, "reverses_type": target.type.value},
        )
        session.add(reverse)
        session.flush()
        appeal.state, appeal.restore_action_id = AppealState.restored, reverse.id
        target.state = ActionState.reversed
        case.hold = True
        case.hold_reason = f"restored after appeal {appeal_id} by {who.name}: {appeal.reason}"
        session.add(
            CaseComment(
                case_id=case.id,
                author=who.name,
                at=now,
                text=f"restored after appeal {appeal_id}: {note or appeal.reason}",
            )
        )
    else:
        appeal.state = AppealState.upheld
    appeal.decided_by, appeal.decided_at, appeal.decision_note = who.name, now, note
    case.updated_at = now
    audit(
        session,
        who,
        f"appeal.{appeal.state.value}",
        "appeal",
        appeal_id,
        case_id=case.id,
        note=note,
        restore_action_id=appeal.restore_action_id,
    )
    return AppealRead.model_validate(appeal)


def list_appeals(session: Session, *, state: AppealState | None = None) -> list[AppealRead]:
    """Appeals, oldest first."""
    q = select(Appeal).order_by(Appeal.id)
    if state:
        q = q.where(Appeal.state == state)
    return [AppealRead.model_validate(a) for a in session.scalars(q)]
