"""``/v1/appeals``: a wrongly blocked subscriber's way back (复通)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from fraudwall.api.deps import CurrentUser, ReadSession, WriteSession, require_roles
from fraudwall.auth import Role
from fraudwall.cases import appeals
from fraudwall.cases.enums import AppealState
from fraudwall.cases.schemas import AppealRead

router = APIRouter(prefix="/appeals", tags=["appeals"])
_READERS = Depends(require_roles(Role.analyst, Role.supervisor, Role.auditor))


class AppealOpen(BaseModel):
    model_config = ConfigDict(extra="forbid")

    case_id: int
    reason: str = Field(min_length=1, max_length=2000)


class Reverification(BaseModel):
    model_config = ConfigDict(extra="forbid")

    passed: bool
    note: str | None = Field(None, max_length=2000)


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    restore: bool
    note: str | None = Field(None, max_length=2000)


@router.get("", dependencies=[_READERS])
def list_appeals(session: ReadSession, state: AppealState | None = None) -> list[AppealRead]:
    """Appeals, oldest first."""
    return appeals.list_appeals(session, state=state)


@router.post("", status_code=201)
def open_appeal(body: AppealOpen, session: WriteSession, user: CurrentUser) -> AppealRead:
    """Open an appeal on a case."""
    return appeals.open_appeal(session, case_id=body.case_id, reason=body.reason, actor=user.name)


@router.post("/{appeal_id}/reverify")
def reverify(
    appeal_id: int, body: Reverification, session: WriteSession, user: CurrentUser
) -> AppealRead:
    """Record the identity re-verification result (实名复核)."""
    return appeals.record_reverification(
        session, appeal_id=appeal_id, passed=body.passed, actor=user.name, note=body.note
    )


@router.post("/{appeal_id}/decide")
def decide(appeal_id: int, body: Decision, session: WriteSession, user: CurrentUser) -> AppealRead:
    """Restore (writes the reverse command) or uphold (a supervisor)."""
    return appeals.decide_appeal(
        session, appeal_id=appeal_id, restore=body.restore, actor=user.name, note=body.note
    )
