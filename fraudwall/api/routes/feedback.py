"""``/v1/feedback``: police feedback files (CSV or JSON in the body) and precision figures."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request

from fraudwall.api.deps import CurrentUser, ReadSession, require, require_roles
from fraudwall.api.masking import audit_unmasked, mask_dicts, may_unmask
from fraudwall.auth import Role
from fraudwall.cases.feedback import import_feedback
from fraudwall.cases.labels import label_table
from fraudwall.cases.schemas import FeedbackImportResult, PrecisionRow
from fraudwall.cases.stats import precision
from fraudwall.errors import InputError

router = APIRouter(tags=["feedback"])


@router.post("/feedback", dependencies=[require("feedback.import")])
async def feedback(request: Request, user: CurrentUser) -> FeedbackImportResult:
    """Apply a police feedback file sent as the body (``text/csv`` or ``application/json``);
    malformed files are rejected whole, the same file again changes nothing. The file is kept
    under a name the server chooses, so no client-supplied path is ever opened."""
    raw = await request.body()
    if not raw:
        raise InputError("send the feedback file as the request body", field="body")
    kind = request.headers.get("content-type", "").split(";")[0].strip()
    suffix = ".json" if kind == "application/json" else ".csv"
    with tempfile.TemporaryDirectory(prefix="fw-feedback-") as tmp:
        path = Path(tmp) / f"feedback{suffix}"
        path.write_bytes(raw)
        return await _apply(request, path, user.name)


async def _apply(request: Request, path: Path, actor: str) -> FeedbackImportResult:
    from starlette.concurrency import run_in_threadpool

    def work() -> FeedbackImportResult:
        with request.app.state.db.session(via="api:POST /v1/feedback") as session:
            return import_feedback(session, file=path, actor=actor)

    return await run_in_threadpool(work)


@router.get(
    "/stats/precision",
    dependencies=[Depends(require_roles(Role.analyst, Role.supervisor, Role.auditor))],
)
def stats_precision(session: ReadSession) -> list[PrecisionRow]:
    """Confirmed precision per detector, scenario and batch."""
    return precision(session)


@router.get(
    "/feedback/labels",
    dependencies=[Depends(require_roles(Role.analyst, Role.supervisor, Role.auditor, Role.system))],
)
def labels(
    request: Request, session: ReadSession, user: CurrentUser, unmasked: bool = False
) -> list[dict[str, Any]]:
    """The outcomes as contract labels (what `fraudwall feedback labels --out` writes);
    identifiers masked unless asked for by a role that may (audited)."""
    rows = label_table(session).to_pylist()
    if may_unmask(user, unmasked):
        audit_unmasked(
            request.app.state.db, user, entity_type="label", ids=[r["entity_id"] for r in rows]
        )
        return rows
    return mask_dicts(rows)
