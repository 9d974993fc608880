"""Approved actions as commands for the operator's provisioning system, and their
acknowledgements.

Each command is one JSON line with a ``command_id`` that never changes, so sending twice is
harmless: the outbox file is only appended with commands it does not already hold, and the HTTP
endpoint receives the id as ``Idempotency-Key``. Acknowledgements (one JSON line each:
``command_id``, ``status`` ok|failed, optional ``message``) are read back and applied once.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fraudwall.cases.common import act, audit
from fraudwall.cases.delivery import post_with_retries
from fraudwall.cases.enums import PROVISIONED, ActionState
from fraudwall.cases.faults import crash_point
from fraudwall.cases.models import Action, Case
from fraudwall.cases.schemas import ActionRead
from fraudwall.db.base import utcnow
from fraudwall.errors import Conflict, InputError


def command(action: Action, case: Case) -> dict[str, Any]:
    """The provisioning command of an action."""
    return {
        "command_id": action.command_id,
        "action": action.type.value,
        "entity_type": case.entity_type,
        "entity_id": case.entity_id,
        "case_id": case.id,
        "action_id": action.id,
        "reverses": action.reverses,
        "requested_by": action.requested_by,
        "approved_by": action.approved_by,
        "approved_at": action.approved_at.isoformat() if action.approved_at else None,
        "deadline": action.deadline.isoformat(),
        **({"text": action.detail["text"]} if "text" in action.detail else {}),
    }


def _ids_in(path: Path) -> set[str]:
    if not path.exists():
        return set()
    ids = set()
    for line in path.read_text("utf-8").splitlines():
        try:
            ids.add(json.loads(line)["command_id"])
        except (json.JSONDecodeError, KeyError, TypeError):
            continue  # a line cut by a crash: its command is written again below
    return ids


def dispatch_actions(
    session: Session, *, actor: str, outbox: Path | None = None, url: str | None = None
) -> list[ActionRead]:
    """Send every approved, not yet sent provisioning action; mark them dispatched."""
    if (outbox is None) == (url is None):
        raise Conflict("dispatch to exactly one of an outbox file or a URL")
    who = act(session, actor, "action.dispatch")
    rows = session.execute(
        select(Action, Case)
        .join(Case, Case.id == Action.case_id)
        .where(Action.state == ActionState.approved, Action.type.in_(PROVISIONED))
        .order_by(Action.id)
    ).all()
    if not rows:
        return []
    commands = [command(a, c) for a, c in rows]
    if outbox is not None:
        path = Path(outbox)
        path.parent.mkdir(parents=True, exist_ok=True)
        have = _ids_in(path)
        fresh = [c for c in commands if c["command_id"] not in have]
        if path.exists() and path.stat().st_size and not path.read_bytes().endswith(b"\n"):
            fresh_prefix = "\n"  # finish a line a crash left open
        else:
            fresh_prefix = ""
        with path.open("a", encoding="utf-8") as f:
            f.write(fresh_prefix + "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in fresh))
            f.flush()
            os.fsync(f.fileno())
        crash_point("dispatch.after_write")
    else:
        for c in commands:
            post_with_retries(str(url), c, c["command_id"])
    now = utcnow()
    for a, _c in rows:
        a.state, a.dispatched_at = ActionState.dispatched, now
        audit(
            session,
            who,
            "action.dispatch",
            "action",
            a.id,
            case_id=a.case_id,
            command_id=a.command_id,
            to=str(outbox or url),
        )
    return [ActionRead.model_validate(a) for a, _c in rows]


def read_acknowledgements(session: Session, *, file: Path, actor: str) -> list[ActionRead]:
    """Apply the provisioning system's acknowledgements; already applied ones are skipped."""
    who = act(session, actor, "action.acknowledge")
    acks: list[tuple[int, dict[str, Any]]] = []
    try:
        lines = Path(file).read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"cannot read: {e}", file=str(file)) from e
    for i, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            ack = json.loads(line)
        except json.JSONDecodeError as e:
            raise InputError(f"not JSON: {e.msg}", file=str(file), row=i) from e
        if not isinstance(ack, dict) or not isinstance(ack.get("command_id"), str):
            raise InputError("needs a command_id", file=str(file), row=i, field="command_id")
        if ack.get("status") not in ("ok", "failed"):
            raise InputError(
                f"status {ack.get('status')!r} is not ok or failed",
                file=str(file),
                row=i,
                field="status",
            )
        acks.append((i, ack))
    by_id = {
        a.command_id: a
        for a in session.scalars(
            select(Action).where(Action.command_id.in_([k["command_id"] for _i, k in acks]))
        )
    }
    for i, ack in acks:
        if ack["command_id"] not in by_id:
            raise InputError(
                f"unknown command {ack['command_id']!r}", file=str(file), row=i, field="command_id"
            )
    changed = []
    for _i, ack in acks:
        a = by_id[ack["command_id"]]
        if a.state is not ActionState.dispatched:
            continue
        a.state = ActionState.acknowledged if ack["status"] == "ok" else ActionState.failed
        a.acknowledged_at, a.ack_status = utcnow(), ack["status"]
        if ack.get("message"):
            a.detail = {**a.detail, "ack_message": str(ack["message"])[:500]}
        audit(
            session,
            who,
            "action.acknowledge",
            "action",
            a.id,
            case_id=a.case_id,
            status=ack["status"],
        )
        changed.append(ActionRead.model_validate(a))
    return changed
