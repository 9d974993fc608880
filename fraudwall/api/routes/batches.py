"""``/v1/batches``: numbered police lead batches. A liaison sees only the batches addressed to
its police unit; any other batch is answered as if it did not exist (404), so guessing
numbers reveals nothing."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from fraudwall.api.deps import CurrentUser, Principal, ReadSession, WriteSession, require_roles
from fraudwall.api.masking import audit_unmasked, mask_dicts, may_unmask
from fraudwall.auth import Role
from fraudwall.cases import batches
from fraudwall.cases.common import get_batch
from fraudwall.cases.enums import BatchState
from fraudwall.cases.export import lead_rows
from fraudwall.cases.schemas import BatchRead
from fraudwall.errors import NotFound

router = APIRouter(prefix="/batches", tags=["batches"])
_READERS = Depends(
    require_roles(Role.analyst, Role.supervisor, Role.auditor, Role.liaison, Role.system)
)


class BatchCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    level: str | None = "high"
    scenario: str | None = Field(None, max_length=48)
    detector: str | None = Field(None, max_length=64)
    case_ids: list[int] | None = Field(None, max_length=100_000)


def batch_unit(batch: Any) -> str | None:
    """The police unit a batch is addressed to (``None`` when it names none)."""
    unit = getattr(batch, "unit", None)
    if unit is None and isinstance(getattr(batch, "criteria", None), dict):
        unit = batch.criteria.get("unit")
    return str(unit) if unit else None


def visible(user: Principal, batch: Any) -> bool:
    """A liaison sees a batch only when it is addressed to the liaison's unit."""
    return user.role is not Role.liaison or (
        user.unit is not None and batch_unit(batch) == user.unit
    )


def _get(session: Session, user: Principal, number: int) -> Any:
    batch = get_batch(session, number)
    if not visible(user, batch):
        raise NotFound(f"no batch {number}")
    return batch


@router.get("", dependencies=[_READERS])
def list_batches(
    session: ReadSession, user: CurrentUser, state: BatchState | None = None
) -> list[BatchRead]:
    """Batches, newest first (a liaison: its unit's only)."""
    out = batches.list_batches(session, state=state)
    if user.role is Role.liaison:
        by_number = {b.number: get_batch(session, b.number) for b in out}
        out = [b for b in out if visible(user, by_number[b.number])]
    return out


@router.get("/{number}", dependencies=[_READERS])
def show_batch(number: int, session: ReadSession, user: CurrentUser) -> BatchRead:
    """One batch with its counts."""
    _get(session, user, number)
    return batches.show_batch(session, number=number)


@router.get("/{number}/leads", dependencies=[_READERS])
def batch_leads(
    number: int,
    request: Request,
    session: ReadSession,
    user: CurrentUser,
    unmasked: bool = False,
) -> list[dict[str, Any]]:
    """The leads of a batch as they are sent. The liaison of the batch's unit sees them in
    clear (that is what it delivers to the police); others only if they ask and may. Every
    clear view is audited."""
    batch = _get(session, user, number)
    rows = lead_rows(session, batch.id, number)
    clear = user.role is Role.liaison or may_unmask(user, unmasked)
    if clear:
        audit_unmasked(request.app.state.db, user, entity_type="batch", ids=[number])
        return rows
    return mask_dicts(rows)


@router.post("", status_code=201)
def create_batch(body: BatchCreate, session: WriteSession, user: CurrentUser) -> BatchRead:
    """Propose the next numbered batch."""
    return batches.create_batch(
        session,
        actor=user.name,
        level=body.level,
        scenario=body.scenario,
        detector=body.detector,
        case_ids=body.case_ids,
    )


@router.post("/{number}/approve")
def approve_batch(number: int, session: WriteSession, user: CurrentUser) -> BatchRead:
    """Approve a proposed batch (a supervisor other than the proposer; one winner)."""
    return batches.approve_batch(session, number=number, actor=user.name)
