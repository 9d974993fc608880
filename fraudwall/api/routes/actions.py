"""``/v1/actions``: dispositions (maker-checker for suspend and shutdown), call-backs, the
automatic path switch."""

from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from fraudwall.api.deps import CurrentUser, ReadSession, WriteSession, require, require_roles
from fraudwall.api.paths import NotConfigured
from fraudwall.auth import Role
from fraudwall.cases import actions
from fraudwall.cases.enums import ActionState, ActionType, CallbackOutcome
from fraudwall.cases.provisioning import dispatch_actions, read_acknowledgements
from fraudwall.cases.schemas import ActionRead
from fraudwall.errors import InputError
from fraudwall.policy import load_policy

router = APIRouter(prefix="/actions", tags=["actions"])
_READERS = Depends(require_roles(Role.analyst, Role.supervisor, Role.auditor, Role.system))


class ActionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    case_id: int
    type: ActionType
    note: str | None = Field(None, max_length=2000)


class Rejection(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=2000)


class Callback(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: CallbackOutcome
    note: str | None = Field(None, max_length=2000)


class AutoPath(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool


@router.get("", dependencies=[_READERS])
def list_actions(
    session: ReadSession, state: ActionState | None = None, case_id: int | None = None
) -> list[ActionRead]:
    """Actions, oldest first."""
    return actions.list_actions(session, state=state, case_id=case_id)


@router.get("/overdue", dependencies=[_READERS])
def overdue(session: ReadSession) -> list[ActionRead]:
    """Actions past their deadline."""
    return actions.overdue_actions(session)


@router.post("", status_code=201)
def request_action(
    body: ActionRequest, request: Request, session: WriteSession, user: CurrentUser
) -> ActionRead:
    """Request an action; suspend and shutdown then wait for a second person."""
    policy = load_policy(request.app.state.settings.policy).actions
    return actions.request_action(
        session, case_id=body.case_id, type=body.type, actor=user.name, policy=policy,
        note=body.note,
    )  # fmt: skip


@router.post("/auto-path")
def auto_path(body: AutoPath, session: WriteSession, user: CurrentUser) -> dict[str, object]:
    """Switch the automatic path for the highest-confidence cases on or off (a supervisor)."""
    return actions.set_auto_path(session, enabled=body.enabled, actor=user.name)


@router.post("/dispatch", dependencies=[require("action.dispatch")])
def dispatch(request: Request, session: WriteSession, user: CurrentUser) -> list[ActionRead]:
    """Send approved actions as idempotent provisioning commands to the configured outbox file
    (``FRAUDWALL_PROVISIONING_OUTBOX``) or endpoint (``FRAUDWALL_PROVISIONING_URL``)."""
    settings = request.app.state.settings
    outbox, url = settings.provisioning_outbox, settings.provisioning_url
    if outbox is None and url is None:
        raise NotConfigured(
            "the service has no FRAUDWALL_PROVISIONING_OUTBOX or FRAUDWALL_PROVISIONING_URL"
        )
    return dispatch_actions(
        session, actor=user.name, outbox=outbox, url=None if outbox is not None else url
    )


@router.post("/acks", dependencies=[require("action.acknowledge")])
async def acknowledgements(request: Request, user: CurrentUser) -> list[ActionRead]:
    """Read the provisioning system's acknowledgements, sent as the body (one JSON object a
    line), as `fraudwall action acks FILE` does; a malformed file changes nothing. The body is
    kept under a name the server chooses."""
    from starlette.concurrency import run_in_threadpool

    raw = await request.body()
    if not raw.strip():
        raise InputError("send the acknowledgements (JSON lines) as the request body", field="body")

    def work() -> list[ActionRead]:
        with tempfile.TemporaryDirectory(prefix="fw-acks-") as tmp:
            path = Path(tmp) / "acks.jsonl"
            path.write_bytes(raw)
            with request.app.state.db.session(via="api:POST /v1/actions/acks") as session:
                return read_acknowledgements(session, file=path, actor=user.name)

    return await run_in_threadpool(work)


@router.post("/{action_id}/approve")
def approve(action_id: int, session: WriteSession, user: CurrentUser) -> ActionRead:
    """Approve a requested action (a person other than the requester)."""
    return actions.approve_action(session, action_id=action_id, actor=user.name)


@router.post("/{action_id}/reject")
def reject(action_id: int, body: Rejection, session: WriteSession, user: CurrentUser) -> ActionRead:
    """Reject a requested action."""
    return actions.reject_action(session, action_id=action_id, actor=user.name, reason=body.reason)


@router.post("/{action_id}/callback")
def callback(
    action_id: int, body: Callback, session: WriteSession, user: CurrentUser
) -> ActionRead:
    """Record the hotline call-back's outcome."""
    return actions.record_callback(
        session, action_id=action_id, outcome=body.outcome, actor=user.name, note=body.note
    )
