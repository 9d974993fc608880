"""Small helpers the case services share: look-ups that raise NotFound, the audit call."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from fraudwall.audit import record
from fraudwall.auth import User, acting_user
from fraudwall.cases.models import Action, Appeal, Batch, Case
from fraudwall.errors import NotFound


def get_case(session: Session, case_id: int, *, lock: bool = False) -> Case:
    """The case ``case_id``; :class:`NotFound` when there is none."""
    case = session.get(Case, case_id, with_for_update=lock)
    if case is None:
        raise NotFound(f"no case {case_id}")
    return case


def get_batch(session: Session, number: int) -> Batch:
    """The batch numbered ``number``."""
    from sqlalchemy import select

    batch = session.scalars(select(Batch).where(Batch.number == number)).one_or_none()
    if batch is None:
        raise NotFound(f"no batch {number}")
    return batch


def get_action(session: Session, action_id: int) -> Action:
    """The action ``action_id``."""
    action = session.get(Action, action_id)
    if action is None:
        raise NotFound(f"no action {action_id}")
    return action


def get_appeal(session: Session, appeal_id: int) -> Appeal:
    """The appeal ``appeal_id``."""
    appeal = session.get(Appeal, appeal_id)
    if appeal is None:
        raise NotFound(f"no appeal {appeal_id}")
    return appeal


def rowcount(result: object) -> int:
    """Rows an UPDATE/INSERT … SELECT touched."""
    return int(getattr(result, "rowcount", 0))


def act(session: Session, actor: str, permission: str) -> User:
    """The user acting, authorised for ``permission`` (raises Unauthorized/PermissionDenied)."""
    return acting_user(session, name=actor, action=permission)


def audit(
    session: Session, who: User | str, action: str, entity: str, entity_id: Any, **detail: Any
) -> None:
    """One audit entry for a case-domain change (the one place the domain writes them)."""
    record(
        session,
        actor=who.name if isinstance(who, User) else who,
        action=action,
        entity_type=entity,
        entity_id=str(entity_id),
        detail=detail,
    )
