"""``/v1/users``: who acts on fraudwall and with which role."""

from __future__ import annotations

from fastapi import APIRouter, Request

from fraudwall.api.deps import CurrentUser, ReadSession, WriteSession, require, token_cache
from fraudwall.auth import UserCreate, UserRead, add_user, list_users, set_active

router = APIRouter(prefix="/users", tags=["users"])


@router.get("", dependencies=[require("users.read")])
def users(session: ReadSession) -> list[UserRead]:
    """Every user."""
    return list_users(session)


@router.post("", status_code=201, dependencies=[require("users.manage")])
def create(data: UserCreate, session: WriteSession, user: CurrentUser) -> UserRead:
    """Add a user (a supervisor)."""
    return add_user(session, data=data, actor=user.name)


@router.post("/{name}/deactivate", dependencies=[require("users.manage")])
def deactivate(name: str, request: Request, session: WriteSession, user: CurrentUser) -> UserRead:
    """Deactivate a user: their tokens stop working at once in this process, and within
    ``FRAUDWALL_TOKEN_CACHE_S`` in any other."""
    out = set_active(session, name=name, active=False, actor=user.name)
    session.commit()  # before the cache forgets, so no call re-reads the old state
    token_cache(request).clear()
    return out
