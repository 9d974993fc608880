"""Refuse, inside the ORM, any change to or deletion of an audit row.

The database refuses it as well (triggers in migration ``0001_foundation``); this guard makes
the mistake fail at flush time with a clear message, before any SQL is sent.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from fraudwall.audit.models import AuditEntry
from fraudwall.errors import FraudwallError


class AuditImmutable(FraudwallError):
    """An attempt to change or delete an audit entry."""

    http_status = 409


@event.listens_for(Session, "before_flush")
def _no_changes(session: Session, _ctx: Any, _instances: Any) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditEntry) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditImmutable("audit entries are append-only: they cannot be changed or deleted")


@event.listens_for(Session, "do_orm_execute")
def _no_bulk_changes(state: ORMExecuteState) -> None:
    if (state.is_update or state.is_delete) and any(
        m.class_ is AuditEntry for m in state.all_mappers
    ):
        raise AuditImmutable("audit entries are append-only: they cannot be changed or deleted")
