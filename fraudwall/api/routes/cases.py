"""``/v1/cases``: leads become cases; review states, assignment, comments."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from fraudwall.api.deps import (
    CurrentUser,
    WriteSession,
    in_read_session,
    require,
    require_roles,
)
from fraudwall.api.masking import audit_unmasked, mask_models, may_unmask
from fraudwall.api.paths import named_under
from fraudwall.auth import Role
from fraudwall.cases import review
from fraudwall.cases.enums import CaseState
from fraudwall.cases.importer import import_run
from fraudwall.cases.schemas import CaseDetail, CaseRead, CommentRead, ImportResult

router = APIRouter(prefix="/cases", tags=["cases"])
#: A liaison sees cases only through the batches of its unit, never the case list.
_READERS = Depends(require_roles(Role.analyst, Role.supervisor, Role.auditor, Role.system))


class StateChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    state: CaseState
    reason: str | None = Field(None, max_length=2000)


class Assignment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    assignee: str = Field(min_length=1, max_length=64)


class Comment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=4000)


class RunImport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    run: str = Field(
        min_length=1, max_length=128, description="a run directory's name in FRAUDWALL_RUNS_DIR"
    )


@router.post("/import", dependencies=[require("cases.import")])
def import_cases(
    body: RunImport, request: Request, session: WriteSession, user: CurrentUser
) -> ImportResult:
    """Load a run's leads and risk as cases, as `fraudwall cases import` does (re-importing the
    same run changes nothing). The run is named, never given as a path."""
    run_dir = named_under(
        request.app.state.settings.runs_dir, body.run, field="run", setting="FRAUDWALL_RUNS_DIR"
    )
    return import_run(session, run_dir=run_dir, actor=user.name)


@router.get("", dependencies=[_READERS])
async def list_cases(
    request: Request,
    user: CurrentUser,
    state: CaseState | None = None,
    level: str | None = None,
    scenario: str | None = None,
    assignee: str | None = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
    unmasked: bool = False,
) -> list[CaseRead]:
    """Cases, highest score first (entities masked unless ``unmasked``)."""
    clear = may_unmask(user, unmasked)

    def work(session: Session) -> list[CaseRead]:
        cases = review.list_cases(
            session,
            state=state,
            level=level,
            scenario=scenario,
            assignee=assignee,
            limit=limit,
            offset=offset,
        )
        if not clear:
            return mask_models(cases)
        audit_unmasked(request.app.state.db, user, entity_type="case", ids=[c.id for c in cases])
        return cases

    return await in_read_session(request, work)


@router.get("/{case_id}", dependencies=[_READERS])
async def show_case(
    case_id: int, request: Request, user: CurrentUser, unmasked: bool = False
) -> CaseDetail:
    """One case with its whole history."""
    clear = may_unmask(user, unmasked)

    def work(session: Session) -> CaseDetail:
        case = review.show_case(session, case_id=case_id)
        if not clear:
            return mask_models([case])[0]
        audit_unmasked(request.app.state.db, user, entity_type="case", ids=[case.id])
        return case

    return await in_read_session(request, work)


@router.post("/{case_id}/state")
def set_state(
    case_id: int, body: StateChange, session: WriteSession, user: CurrentUser
) -> CaseRead:
    """Review, confirm or dismiss a case."""
    out = review.set_state(
        session, case_id=case_id, state=body.state, actor=user.name, reason=body.reason
    )
    return mask_models([out])[0]


@router.post("/{case_id}/assign")
def assign(case_id: int, body: Assignment, session: WriteSession, user: CurrentUser) -> CaseRead:
    """Give a case to an analyst or supervisor."""
    out = review.assign_case(session, case_id=case_id, assignee=body.assignee, actor=user.name)
    return mask_models([out])[0]


@router.post("/{case_id}/comments", status_code=201)
def comment(case_id: int, body: Comment, session: WriteSession, user: CurrentUser) -> CommentRead:
    """Add a note to a case."""
    return review.comment_case(session, case_id=case_id, text=body.text, actor=user.name)
