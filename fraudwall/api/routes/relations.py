"""``GET /v1/trace/{entity}``: everything related to a case number (``fraudwall trace``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request

from fraudwall.api.deps import CurrentUser, WriteSession, require_roles
from fraudwall.api.masking import may_unmask
from fraudwall.audit import record
from fraudwall.auth import Role
from fraudwall.errors import WorkspaceError
from fraudwall.graph.service import trace_entity

router = APIRouter(tags=["relations"])


@router.get("/trace/{entity}", dependencies=[Depends(require_roles(Role.analyst, Role.supervisor))])
def trace(
    entity: str,
    request: Request,
    session: WriteSession,
    user: CurrentUser,
    hops: int = Query(2, ge=1, le=4),
    top: int = Query(50, ge=1, le=500),
    unmasked: bool = False,
) -> list[dict[str, Any]]:
    """Related entities of ``entity`` in the service's workspace, strongest first, each with
    ``entity_type``, ``entity_id``, ``score``, ``reasons`` and ``path``. Ids are masked unless
    ``unmasked`` is asked by a role that may; every trace is written to the audit log."""
    workspace = request.app.state.settings.workspace
    if workspace is None:
        raise WorkspaceError("the service has no workspace (set FRAUDWALL_WORKSPACE)")
    clear = may_unmask(user, unmasked)
    records = trace_entity(workspace=workspace, entity=entity, hops=hops, top=top, unmasked=clear)
    record(
        session,
        actor=user.name,
        action="graph.trace" + (".unmasked" if clear else ""),
        entity_type="entity",
        entity_id=entity,
        detail={"hops": hops, "results": len(records)},
    )
    return [r.to_dict() for r in records]
