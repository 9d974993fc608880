"""Subscribers' screening settings in the case database."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from fraudwall.db.base import Base, Json, utcnow


class ScreeningSubscriber(Base):
    """One subscriber's choices: interception opt-in and personal block/allow lists."""

    __tablename__ = "screening_subscribers"

    msisdn: Mapped[str] = mapped_column(String(32), primary_key=True)
    opted_in: Mapped[bool] = mapped_column(default=False)
    blocked: Mapped[list[Any]] = mapped_column(Json, default=list)
    allowed: Mapped[list[Any]] = mapped_column(Json, default=list)
    channel: Mapped[str] = mapped_column(String(16), default="cli")  # last change: sms, cli, api
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(64))


class SubscriberRead(BaseModel):
    """A subscriber's settings as the CLI and the API show them."""

    model_config = ConfigDict(from_attributes=True)

    msisdn: str
    opted_in: bool
    blocked: list[str]
    allowed: list[str]
    channel: str
    updated_at: datetime
    updated_by: str
