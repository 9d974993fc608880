"""The append-only audit log: who did what to which entity, when, from which command."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from fraudwall.db.base import Base, BigId, utcnow


class AuditEntry(Base):
    """One thing someone did. Rows are only ever inserted (see :mod:`fraudwall.audit.guard`)."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(128))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    via: Mapped[str] = mapped_column(String(200), default="")


class AuditRead(BaseModel):
    """An audit entry as commands and the API show it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor: str
    action: str
    entity_type: str
    entity_id: str
    detail: dict[str, Any]
    via: str
