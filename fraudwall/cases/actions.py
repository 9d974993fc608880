"""Dispositions: request, approve (maker-checker for suspend/shutdown), deadlines, overdue,
victim SMS and hotline call-backs, and the supervisor's switch for the automatic path."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from fraudwall.auth import Role
from fraudwall.cases.common import act, audit, get_action, get_case, rowcount
from fraudwall.cases.enums import SEVERE_ACTIONS, ActionState, ActionType, CallbackOutcome
from fraudwall.cases.labels import put_label
from fraudwall.cases.models import Action, Case, Setting
from fraudwall.cases.policy import ActionPolicy
from fraudwall.cases.schemas import ActionRead
from fraudwall.db.base import utcnow
from fraudwall.errors import Conflict, InputError, PermissionDenied

AUTO_PATH = "auto_severe"
#: Who "approves" an action the automatic path took.
AUTO_ACTOR = "policy:auto"
VICTIM_ONLY = frozenset({ActionType.warn_sms, ActionType.callback})
OPEN_STATES = (ActionState.requested, ActionState.approved, ActionState.dispatched)


def deadline_for(case: Case, type_: ActionType, policy: ActionPolicy) -> datetime:
    """When the action is due: minutes from detection by risk level (victims sooner)."""
    if case.scenario == "victim" or type_ in VICTIM_ONLY:
        minutes = policy.deadline_victim_min
    else:
        minutes = {"high": policy.deadline_high_min, "medium": policy.deadline_medium_min}.get(
            case.risk_level, policy.deadline_low_min
        )
    return case.detected_at + timedelta(minutes=minutes)


def auto_path_enabled(session: Session, policy: ActionPolicy) -> bool:
    """The policy allows the automatic path and no supervisor has switched it off."""
    s = session.get(Setting, AUTO_PATH)
    return policy.auto_severe and (s is None or bool(s.value.get("enabled", True)))


def set_auto_path(session: Session, *, enabled: bool, actor: str) -> dict[str, object]:
    """Switch the automatic path for severe actions on or off (a supervisor's decision)."""
    who = act(session, actor, "policy.switch")
    s = session.get(Setting, AUTO_PATH)
    if s is None:
        s = Setting(key=AUTO_PATH, value={}, updated_by=who.name)
        session.add(s)
    s.value, s.updated_by, s.updated_at = {"enabled": enabled}, who.name, utcnow()
    audit(session, who, "policy.auto_path", "setting", AUTO_PATH, enabled=enabled)
    return {"key": AUTO_PATH, "enabled": enabled, "updated_by": who.name}


def request_action(
    session: Session,
    *,
    case_id: int,
    type: ActionType,
    actor: str,
    policy: ActionPolicy,
    note: str | None = None,
) -> ActionRead:
    """Ask for an action on a case. Light actions are approved at once; suspend and shutdown
    wait for a second person unless the automatic path applies (policy on, not switched off,
    score at or above the policy's bar, the case not restored after an appeal)."""
    who = act(session, actor, "action.request")
    case = get_case(session, case_id)
    if type is ActionType.restore:
        raise InputError("restore is written by `appeal decide --restore`", field="type")
    if type in VICTIM_ONLY and case.scenario != "victim":
        raise Conflict(f"{type.value} is for likely victims; case {case_id} is {case.scenario}")
    if type not in VICTIM_ONLY and case.scenario == "victim":
        raise Conflict(f"case {case_id} is a likely victim: use warn_sms or callback")
    if case.hold and type in SEVERE_ACTIONS and who.role is Role.system:
        raise PermissionDenied(
            f"case {case_id} was restored after an appeal ({case.hold_reason}); a person must "
            "request any new suspend or shutdown"
        )
    open_same = session.scalars(
        select(Action.id).where(
            Action.case_id == case_id, Action.type == type, Action.state.in_(OPEN_STATES)
        )
    ).first()
    if open_same is not None:
        raise Conflict(f"case {case_id} already has open {type.value} action {open_same}")
    now = utcnow()
    detail: dict[str, object] = {"note": note} if note else {}
    if type is ActionType.warn_sms:
        detail["text"] = policy.sms_template
        detail["language"] = "zh-CN"
    automatic = (
        type in SEVERE_ACTIONS
        and type.value in policy.auto_types
        and case.score >= policy.auto_min_score
        and not case.hold
        and auto_path_enabled(session, policy)
    )
    needs_second = type in SEVERE_ACTIONS and not automatic
    action = Action(
        case_id=case_id,
        type=type,
        state=ActionState.requested if needs_second else ActionState.approved,
        requested_by=who.name,
        requested_at=now,
        deadline=deadline_for(case, type, policy),
        approved_by=None if needs_second else (AUTO_ACTOR if automatic else who.name),
        approved_at=None if needs_second else now,
        automatic=automatic,
        command_id=uuid.uuid4().hex,
        detail=detail,
    )
    session.add(action)
    session.flush()
    audit(
        session,
        who,
        "action.request",
        "action",
        action.id,
        case_id=case_id,
        type=type.value,
        automatic=automatic,
        state=action.state.value,
    )
    return ActionRead.model_validate(action)


def approve_action(session: Session, *, action_id: int, actor: str) -> ActionRead:
    """The second person's approval of a requested action (not the requester)."""
    who = act(session, actor, "action.approve")
    action = get_action(session, action_id)
    if action.requested_by == who.name:
        raise PermissionDenied(
            f"action {action_id} was requested by {who.name}; a second person must approve it"
        )
    done = rowcount(
        session.execute(
            update(Action)
            .where(Action.id == action_id, Action.state == ActionState.requested)
            .values(state=ActionState.approved, approved_by=who.name, approved_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    )
    session.expire(action)
    if done != 1:
        raise Conflict(f"action {action_id} is {action.state.value}, not waiting for approval")
    audit(
        session,
        who,
        "action.approve",
        "action",
        action_id,
        case_id=action.case_id,
        type=action.type.value,
        requested_by=action.requested_by,
    )
    return ActionRead.model_validate(action)


def reject_action(session: Session, *, action_id: int, actor: str, reason: str) -> ActionRead:
    """Refuse a requested action."""
    who = act(session, actor, "action.approve")
    action = get_action(session, action_id)
    if action.state is not ActionState.requested:
        raise Conflict(f"action {action_id} is {action.state.value}, not waiting for approval")
    action.state = ActionState.rejected
    action.detail = {**action.detail, "rejected_by": who.name, "reason": reason}
    audit(session, who, "action.reject", "action", action_id, case_id=action.case_id, reason=reason)
    return ActionRead.model_validate(action)


def list_actions(
    session: Session, *, state: ActionState | None = None, case_id: int | None = None
) -> list[ActionRead]:
    """Actions, oldest first."""
    q = select(Action).order_by(Action.id)
    if state:
        q = q.where(Action.state == state)
    if case_id:
        q = q.where(Action.case_id == case_id)
    return [ActionRead.model_validate(a) for a in session.scalars(q)]


def overdue_actions(session: Session, *, now: datetime | None = None) -> list[ActionRead]:
    """Open actions past their deadline, most overdue first."""
    now = now or utcnow()
    q = (
        select(Action)
        .where(
            Action.state.in_((ActionState.requested, ActionState.approved)), Action.deadline < now
        )
        .order_by(Action.deadline)
    )
    return [ActionRead.model_validate(a) for a in session.scalars(q)]


def record_callback(
    session: Session,
    *,
    action_id: int,
    outcome: CallbackOutcome,
    actor: str,
    note: str | None = None,
) -> ActionRead:
    """The hotline's call-back outcome; it becomes a label (victim or benign)."""
    who = act(session, actor, "action.callback")
    action = get_action(session, action_id)
    if action.type is not ActionType.callback:
        raise Conflict(f"action {action_id} is {action.type.value}, not a call-back")
    if action.state not in (ActionState.approved, ActionState.done):
        raise Conflict(f"call-back {action_id} is {action.state.value}")
    action.state = ActionState.done
    action.detail = {
        **action.detail,
        "outcome": outcome.value,
        "by": who.name,
        "note": note,
        "at": utcnow().isoformat(),
    }
    case = get_case(session, action.case_id)
    label = "benign" if outcome is CallbackOutcome.not_victim else "victim"
    put_label(
        session,
        entity_type=case.entity_type,
        entity_id=case.entity_id,
        label=label,
        source="hotline_callback",
        detail=outcome.value,
        origin=f"callback:{action_id}",
    )
    audit(
        session, who, "action.callback", "action", action_id, case_id=case.id, outcome=outcome.value
    )
    return ActionRead.model_validate(action)
