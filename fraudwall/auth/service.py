"""Users: add, list, look up the person acting, deactivate."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fraudwall.audit import record
from fraudwall.auth.models import Role, User, UserCreate, UserRead
from fraudwall.auth.permissions import authorize
from fraudwall.errors import Conflict, InputError, NotFound, Unauthorized

_NAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
#: The actor recorded when the very first supervisor is created (no one exists to do it).
BOOTSTRAP = "bootstrap"


def get_user(session: Session, *, name: str) -> User:
    """The user called ``name``; :class:`NotFound` when there is none."""
    user = session.scalars(select(User).where(User.name == name)).one_or_none()
    if user is None:
        raise NotFound(f"no user {name!r}")
    return user


def acting_user(session: Session, *, name: str | None, action: str) -> User:
    """The active user ``name``, authorised for ``action`` (what every changing command calls)."""
    if not name:
        raise Unauthorized(f"{action} needs to know who acts: pass --as NAME")
    try:
        user = get_user(session, name=name)
    except NotFound:
        raise Unauthorized(f"no user {name!r}; add one with `fraudwall users add`") from None
    authorize(user, action)
    return user


def add_user(session: Session, *, data: UserCreate, actor: str | None) -> UserRead:
    """Add a user. Until a supervisor exists anyone may add users (bootstrap); after that, a
    supervisor must (``actor``). A liaison must name the police unit they work with."""
    if not _NAME.match(data.name):
        raise InputError("letters, digits and _ . @ - only, at most 64", field="name")
    if data.role is Role.liaison and not data.unit:
        raise InputError("a liaison needs the police unit they work with (--unit)", field="unit")
    supervisors = session.scalar(
        select(func.count()).select_from(User).where(User.role == Role.supervisor, User.active)
    )
    who = acting_user(session, name=actor, action="users.manage").name if supervisors else BOOTSTRAP
    if session.scalars(select(User.id).where(User.name == data.name)).first() is not None:
        raise Conflict(f"user {data.name!r} already exists")
    user = User(name=data.name, role=data.role, unit=data.unit)
    session.add(user)
    session.flush()
    record(
        session,
        actor=who,
        action="users.add",
        entity_type="user",
        entity_id=user.name,
        detail={"role": user.role.value, "unit": user.unit},
    )
    return UserRead.model_validate(user)


def list_users(session: Session) -> list[UserRead]:
    """Every user, by name."""
    return [UserRead.model_validate(u) for u in session.scalars(select(User).order_by(User.name))]


def set_active(session: Session, *, name: str, active: bool, actor: str) -> UserRead:
    """Deactivate (or reactivate) a user; a deactivated user can do nothing."""
    who = acting_user(session, name=actor, action="users.manage")
    user = get_user(session, name=name)
    user.active = active
    record(
        session,
        actor=who.name,
        action="users.activate" if active else "users.deactivate",
        entity_type="user",
        entity_id=name,
        detail={},
    )
    return UserRead.model_validate(user)
