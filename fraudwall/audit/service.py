"""Write and read the audit log. Every service function records through :func:`record`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fraudwall.audit.models import AuditEntry, AuditRead
from fraudwall.db.base import utcnow


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: str | int,
    detail: dict[str, Any] | None = None,
    via: str | None = None,
) -> AuditEntry:
    """Append one audit entry in the session's unit of work (it commits or rolls back with it).

    ``via`` defaults to what the session was opened with (``Database.session(via=...)``): the
    command or the request that did it.
    """
    entry = AuditEntry(
        at=utcnow(),
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        detail=detail or {},
        via=via if via is not None else str(session.info.get("via", "")),
    )
    session.add(entry)
    return entry


def list_entries(
    session: Session,
    *,
    entity_type: str | None = None,
    entity_id: str | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    limit: int | None = None,
) -> list[AuditRead]:
    """Audit entries, oldest first, optionally for one entity type / entity / actor."""
    q = select(AuditEntry).order_by(AuditEntry.id)
    if entity_type and not (entity_type == "case" and entity_id):
        q = q.where(AuditEntry.entity_type == entity_type)
    if entity_id and entity_type == "case" and str(entity_id).isdigit():
        # what was done to a case's actions, batches and appeals names the case in its detail
        q = q.where(
            (AuditEntry.entity_id == str(entity_id))
            | (AuditEntry.detail["case_id"].as_integer() == int(entity_id))
        )
        q = q.where(AuditEntry.entity_type.in_(("case", "action", "appeal")))
    elif entity_id:
        q = q.where(AuditEntry.entity_id == str(entity_id))
    if actor:
        q = q.where(AuditEntry.actor == actor)
    if since:
        q = q.where(AuditEntry.at >= since)
    if limit:
        q = q.limit(limit)
    return [AuditRead.model_validate(e) for e in session.scalars(q)]
