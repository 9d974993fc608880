"""``/v1/batches``: numbered police lead batches. A liaison sees only the batches addressed to
its police unit; any other batch is answered as if it did not exist (404), so guessing
numbers reveals nothing."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from fraudwall.api.deps import (
    CurrentUser,
    Principal,
    ReadSession,
    WriteSession,
    in_read_session,
    require,
    require_roles,
)
from fraudwall.api.masking import audit_unmasked, mask_dicts, may_unmask
from fraudwall.api.paths import NotConfigured, configured
from fraudwall.auth import Role
from fraudwall.cases import batches
from fraudwall.cases.common import get_batch
from fraudwall.cases.delivery import deliver_batch
from fraudwall.cases.enums import BatchState
from fraudwall.cases.export import export_batch, lead_rows
from fraudwall.cases.models import Batch
from fraudwall.cases.schemas import BatchRead, ExportResult
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
    unit: str | None = Field(None, max_length=128, description="police unit it is addressed to")


def visible(user: Principal, batch: Batch | BatchRead) -> bool:
    """A liaison sees a batch only when it is addressed to the liaison's unit."""
    return user.role is not Role.liaison or (user.unit is not None and batch.unit == user.unit)


def _get(session: Session, user: Principal, number: int) -> Batch:
    batch = get_batch(session, number)
    if not visible(user, batch):
        raise NotFound(f"no batch {number}")
    return batch


@router.get("", dependencies=[_READERS])
async def list_batches(
    request: Request, user: CurrentUser, state: BatchState | None = None
) -> list[BatchRead]:
    """Batches, newest first (a liaison: its unit's only)."""

    def work(session: Session) -> list[BatchRead]:
        return [b for b in batches.list_batches(session, state=state) if visible(user, b)]

    return await in_read_session(request, work)


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
        unit=body.unit,
    )


@router.post("/{number}/approve")
def approve_batch(number: int, session: WriteSession, user: CurrentUser) -> BatchRead:
    """Approve a proposed batch (a supervisor other than the proposer; one winner)."""
    return batches.approve_batch(session, number=number, actor=user.name)


@router.post("/{number}/export", dependencies=[require("batch.export")])
def export(number: int, request: Request, session: WriteSession, user: CurrentUser) -> ExportResult:
    """Write ``batch-N.csv``, ``.xlsx``, ``.json`` and ``manifest.json`` into
    ``FRAUDWALL_EXPORT_DIR/batch-N/`` (an approved batch; a liaison: its unit's only)."""
    _get(session, user, number)
    root = configured(request.app.state.settings.export_dir, "FRAUDWALL_EXPORT_DIR")
    return export_batch(session, number=number, out=root / f"batch-{number}", actor=user.name)


@router.post("/{number}/deliver", dependencies=[require("batch.deliver")])
def deliver(number: int, request: Request, session: WriteSession, user: CurrentUser) -> BatchRead:
    """Deliver an exported batch to the configured outbox (``FRAUDWALL_BATCH_OUTBOX``) or
    endpoint (``FRAUDWALL_BATCH_URL``, with retries and an idempotency key)."""
    _get(session, user, number)
    settings = request.app.state.settings
    if settings.batch_outbox is None and settings.batch_url is None:
        raise NotConfigured("the service has no FRAUDWALL_BATCH_OUTBOX or FRAUDWALL_BATCH_URL")
    return deliver_batch(
        session,
        number=number,
        actor=user.name,
        outbox=settings.batch_outbox,
        url=None if settings.batch_outbox is not None else settings.batch_url,
    )
