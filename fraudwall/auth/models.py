"""People who use fraudwall, and their roles."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Enum, String
from sqlalchemy.orm import Mapped, mapped_column

from fraudwall.db.base import Base, BigId, utcnow


class Role(StrEnum):
    """What a person does in the anti-fraud team; the permission table keys on it."""

    analyst = "analyst"  # reviews cases, proposes batches and actions
    supervisor = "supervisor"  # approves batches and actions, decides appeals, manages users
    liaison = "liaison"  # police liaison: exports and delivers batches, imports police feedback
    auditor = "auditor"  # reads everything, including the audit log; changes nothing
    system = "system"  # automation: imports runs, automatic actions, acknowledgements


class User(Base):
    """A named person (or the automation) acting on fraudwall."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[Role] = mapped_column(Enum(Role, name="user_role", native_enum=False, length=16))
    unit: Mapped[str | None] = mapped_column(String(128), default=None)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class UserRead(BaseModel):
    """A user as commands and the API show it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    role: Role
    unit: str | None
    active: bool
    created_at: datetime


class UserCreate(BaseModel):
    """What is needed to add a user."""

    name: str
    role: Role
    unit: str | None = None
