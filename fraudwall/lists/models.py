"""Blacklist entries and imported partner files in the case database."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fraudwall.db.base import Base, BigId, utcnow

Source = Literal["own", "police", "partner"]


class ListEntry(Base):
    """One identifier on one list. Removal sets ``removed_*`` (the row and its history stay)."""

    __tablename__ = "list_entries"
    __table_args__ = (Index("ix_list_entries_lookup", "entity_type", "value"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    list_name: Mapped[str] = mapped_column(String(16), index=True)
    entity_type: Mapped[str] = mapped_column(String(32))
    #: The normalised identifier; for a partner's entry, its keyed token (the identifier is
    #: never known here).
    value: Mapped[str] = mapped_column(String(128))
    is_token: Mapped[bool] = mapped_column(default=False)
    partner: Mapped[str | None] = mapped_column(String(64), default=None)
    source: Mapped[str] = mapped_column(String(16))
    reason_code: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(500), default="")
    case_id: Mapped[int | None] = mapped_column(BigId, default=None)
    added_by: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    removed_at: Mapped[datetime | None] = mapped_column(default=None)
    removed_by: Mapped[str | None] = mapped_column(String(64), default=None)
    removed_reason: Mapped[str | None] = mapped_column(String(500), default=None)


class ShareImport(Base):
    """A partner file that was imported (so the same file is not applied twice, nor an older
    one over a newer)."""

    __tablename__ = "share_imports"
    __table_args__ = (UniqueConstraint("partner", "file_sha256"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    partner: Mapped[str] = mapped_column(String(64))
    list_name: Mapped[str] = mapped_column(String(16))
    file_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column()
    entries: Mapped[int] = mapped_column()
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    imported_by: Mapped[str] = mapped_column(String(64))


class EntryCreate(BaseModel):
    """What is needed to list an identifier."""

    model_config = ConfigDict(extra="forbid", str_max_length=500)

    value: str = Field(max_length=256)
    source: Literal["own", "police"] = "own"
    reason_code: str = "other"
    reason: str = ""
    case_id: int | None = None
    expires_at: datetime | None = None


class EntryRead(BaseModel):
    """A list entry as commands and the API show it (``value`` masked unless asked for)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    list_name: str
    entity_type: str
    value: str
    is_token: bool
    partner: str | None
    source: str
    reason_code: str
    reason: str
    case_id: int | None
    added_by: str
    added_at: datetime
    expires_at: datetime | None
    removed_at: datetime | None
    removed_by: str | None
    removed_reason: str | None
    active: bool = True
