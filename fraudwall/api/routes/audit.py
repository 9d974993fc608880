"""``/v1/audit``: the append-only audit log (read only)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from fraudwall.api.deps import ReadSession, require
from fraudwall.audit import AuditRead, list_entries

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("", dependencies=[require("audit.read")])
def audit_log(
    session: ReadSession,
    entity_type: Annotated[str | None, Query(max_length=32)] = None,
    entity_id: Annotated[str | None, Query(max_length=128)] = None,
    actor: Annotated[str | None, Query(max_length=64)] = None,
    since: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> list[AuditRead]:
    """Audit entries, oldest first."""
    return list_entries(
        session,
        entity_type=entity_type,
        entity_id=entity_id,
        actor=actor,
        since=since,
        limit=limit,
    )
