"""Cases: list, show with their whole history, review states, assignment and comments."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from fraudwall.cases.common import act, audit, get_case
from fraudwall.cases.enums import CaseState
from fraudwall.cases.models import (
    Action,
    Appeal,
    Batch,
    BatchItem,
    Case,
    CaseComment,
    CaseHistory,
    Feedback,
)
from fraudwall.cases.schemas import (
    ActionRead,
    AppealRead,
    CaseDetail,
    CaseRead,
    CommentRead,
    FeedbackRead,
    HistoryRead,
)
from fraudwall.db.base import utcnow
from fraudwall.errors import Conflict, InputError

LEVELS = ("low", "medium", "high")
#: Allowed review moves: new → under_review → confirmed | dismissed (and back to review).
TRANSITIONS: dict[CaseState, set[CaseState]] = {
    CaseState.new: {CaseState.under_review, CaseState.confirmed, CaseState.dismissed},
    CaseState.under_review: {CaseState.confirmed, CaseState.dismissed},
    CaseState.confirmed: {CaseState.under_review},
    CaseState.dismissed: {CaseState.under_review},
}


def list_cases(
    session: Session,
    *,
    state: CaseState | None = None,
    level: str | None = None,
    scenario: str | None = None,
    assignee: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[CaseRead]:
    """Cases, highest score first. ``level`` means that level or above."""
    q = select(Case).order_by(Case.score.desc(), Case.id)
    if state:
        q = q.where(Case.state == state)
    if level:
        if level not in LEVELS:
            raise InputError(f"unknown level {level!r}; one of {', '.join(LEVELS)}", field="level")
        q = q.where(Case.risk_level.in_(LEVELS[LEVELS.index(level) :]))
    if scenario:
        q = q.where(Case.scenario == scenario)
    if assignee:
        q = q.where(Case.assignee == assignee)
    if limit:
        q = q.limit(limit)
    if offset:
        q = q.offset(offset)
    return [CaseRead.model_validate(c) for c in session.scalars(q)]


def show_case(session: Session, *, case_id: int) -> CaseDetail:
    """One case with its history, comments, batches, feedback, actions and appeals."""
    case = get_case(session, case_id)
    detail = CaseDetail.model_validate(case)
    by_case = lambda model: select(model).where(model.case_id == case_id).order_by(model.id)  # noqa: E731
    detail.history = [HistoryRead.model_validate(h) for h in session.scalars(by_case(CaseHistory))]
    detail.comments = [CommentRead.model_validate(c) for c in session.scalars(by_case(CaseComment))]
    detail.batches = list(
        session.scalars(
            select(Batch.number)
            .join(BatchItem, BatchItem.batch_id == Batch.id)
            .where(BatchItem.case_id == case_id)
            .order_by(Batch.number)
        )
    )
    detail.feedback = [FeedbackRead.model_validate(f) for f in session.scalars(by_case(Feedback))]
    detail.actions = [ActionRead.model_validate(a) for a in session.scalars(by_case(Action))]
    detail.appeals = [AppealRead.model_validate(a) for a in session.scalars(by_case(Appeal))]
    return detail


def set_state(
    session: Session, *, case_id: int, state: CaseState, actor: str, reason: str | None = None
) -> CaseRead:
    """Move a case to ``state`` (review, confirm, dismiss), if that move is allowed."""
    permission = "cases.review" if state is CaseState.under_review else "cases.decide"
    who = act(session, actor, permission)
    case = get_case(session, case_id, lock=True)
    if state not in TRANSITIONS[case.state]:
        raise Conflict(f"case {case_id} is {case.state.value}; it cannot become {state.value}")
    before = case.state
    case.state, case.updated_at = state, utcnow()
    if reason:
        session.add(CaseComment(case_id=case_id, author=who.name, text=reason, at=utcnow()))
    audit(
        session,
        who,
        f"cases.{state.value}",
        "case",
        case_id,
        before=before.value,
        after=state.value,
        reason=reason,
    )
    return CaseRead.model_validate(case)


def assign_case(session: Session, *, case_id: int, assignee: str, actor: str) -> CaseRead:
    """Give a case to an analyst or supervisor."""
    from fraudwall.auth import Role, get_user

    who = act(session, actor, "cases.review")
    user = get_user(session, name=assignee)
    if user.role not in (Role.analyst, Role.supervisor) or not user.active:
        raise Conflict(f"{assignee!r} ({user.role.value}) cannot be assigned cases")
    case = get_case(session, case_id, lock=True)
    before, case.assignee, case.updated_at = case.assignee, assignee, utcnow()
    audit(session, who, "cases.assign", "case", case_id, before=before, after=assignee)
    return CaseRead.model_validate(case)


def comment_case(session: Session, *, case_id: int, text: str, actor: str) -> CommentRead:
    """Add a note to a case."""
    who = act(session, actor, "cases.review")
    if not text.strip():
        raise InputError("a comment needs text", field="text")
    get_case(session, case_id)
    c = CaseComment(case_id=case_id, author=who.name, text=text.strip(), at=utcnow())
    session.add(c)
    session.flush()
    audit(session, who, "cases.comment", "case", case_id, comment_id=c.id)
    return CommentRead.model_validate(c)
