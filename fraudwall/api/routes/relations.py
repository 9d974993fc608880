"""Relations over HTTP: ``GET /v1/trace/{entity}``, ``GET /v1/rings``, ``GET /v1/dens`` and
``POST /v1/lookalike`` (``fraudwall trace``, ``rings``, ``dens``, ``lookalike``).

Each answers from the graph persisted in the service's workspace (built on first use), as the
CLI's ``--json`` records; identifiers are masked unless ``unmasked`` is asked by a role that
may, and every query is written to the audit log with what it returned.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy.orm import Session

from fraudwall.api.deps import CurrentUser, Principal, WriteSession, require_roles
from fraudwall.api.masking import may_unmask
from fraudwall.audit import record
from fraudwall.auth import Role
from fraudwall.errors import WorkspaceError
from fraudwall.graph.records import Record
from fraudwall.graph.service import seed_lookalikes, trace_entity, workspace_dens, workspace_rings
from fraudwall.lists.service import mask_values

router = APIRouter(
    tags=["relations"], dependencies=[Depends(require_roles(Role.analyst, Role.supervisor))]
)

Seed = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class LookalikeRequest(BaseModel):
    """Numbers or IMEIs the police supplied, and how many look-alikes to list."""

    model_config = ConfigDict(extra="forbid")

    seeds: list[Seed] = Field(min_length=1, max_length=10_000)
    top: int = Field(100, ge=1, le=1_000)


def _workspace(request: Request) -> Path:
    workspace: Path | None = request.app.state.settings.workspace
    if workspace is None:
        raise WorkspaceError("the service has no workspace (set FRAUDWALL_WORKSPACE)")
    return workspace


def _answer(
    session: Session, user: Principal, action: str, clear: bool, entity: str, **detail: Any
) -> None:
    record(
        session,
        actor=user.name,
        action=action + (".unmasked" if clear else ""),
        entity_type="entity",
        entity_id=entity,
        detail=detail,
    )


def _dicts(records: list[Record]) -> list[dict[str, Any]]:
    return [r.to_dict() for r in records]


@router.get("/trace/{entity}")
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
    ``entity_type``, ``entity_id``, ``score``, ``reasons`` and ``path``."""
    clear = may_unmask(user, unmasked)
    records = trace_entity(
        workspace=_workspace(request), entity=entity, hops=hops, top=top, unmasked=clear
    )
    _answer(session, user, "graph.trace", clear, entity, hops=hops, results=len(records))
    return _dicts(records)


def _whole_graph(
    query: Callable[..., list[Record]],
    action: str,
    request: Request,
    session: Session,
    user: Principal,
    unmasked: bool,
) -> list[dict[str, Any]]:
    """A query over the whole graph (rings, dens): masked unless allowed, audited."""
    clear = may_unmask(user, unmasked)
    records = query(workspace=_workspace(request), unmasked=clear)
    _answer(session, user, action, clear, "workspace", results=len(records))
    return _dicts(records)


@router.get("/rings")
def rings(
    request: Request, session: WriteSession, user: CurrentUser, unmasked: bool = False
) -> list[dict[str, Any]]:
    """Fraud rings of the workspace, strongest first: each with ``entity_type`` (``ring``),
    ``entity_id``, ``score``, ``reasons`` and ``members`` (``entity_type``, ``entity_id``,
    ``role``). Computed over the whole graph (rings and dens together: about a minute on a
    1,000,000-subscriber week)."""
    return _whole_graph(workspace_rings, "graph.rings", request, session, user, unmasked)


@router.get("/dens")
def dens(
    request: Request, session: WriteSession, user: CurrentUser, unmasked: bool = False
) -> list[dict[str, Any]]:
    """Dens: SIM-box devices and their SIMs grouped by place and time, and fixed-line trunks,
    as records with ``members`` (devices, SIMs, cells)."""
    return _whole_graph(workspace_dens, "graph.dens", request, session, user, unmasked)


@router.post("/lookalike")
def lookalike(
    body: LookalikeRequest,
    request: Request,
    response: Response,
    session: WriteSession,
    user: CurrentUser,
    unmasked: bool = False,
) -> list[dict[str, Any]]:
    """The ``top`` numbers that behave most like ``seeds``, each with what makes it similar.
    Seeds unknown to the workspace are not fatal: their count is in the header
    ``Fraudwall-Unknown-Seeds`` (422 when none is known)."""
    clear = may_unmask(user, unmasked)
    records, unknown = seed_lookalikes(
        workspace=_workspace(request), seeds=body.seeds, top=body.top, unmasked=clear
    )
    response.headers["Fraudwall-Unknown-Seeds"] = str(len(unknown))
    _answer(
        session,
        user,
        "graph.lookalike",
        clear,
        "seeds",
        seeds=mask_values(["msisdn"] * len(body.seeds), body.seeds)[:50],
        unknown=len(unknown),
        results=len(records),
    )
    return _dicts(records)
