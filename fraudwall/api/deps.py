"""Dependencies every route uses, as ``Annotated`` aliases.

- ``ReadSession`` / ``WriteSession``: one unit of work per request. A write session commits
  before the response is sent (``scope="function"``), so a client that sees success knows the
  change is stored; a read session never takes SQLite's write lock.
- ``CurrentUser``: the :class:`Principal` a bearer token acts as (401 without a valid one).
  A verified token is remembered for ``FRAUDWALL_TOKEN_CACHE_S`` seconds
  (:mod:`fraudwall.auth.cache`), so most calls never touch the database to authenticate.
- ``require_roles(...)`` / ``require(action)``: 403 unless the user's role may.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from fraudwall.auth import Role, allowed, roles_for
from fraudwall.auth.cache import TokenCache
from fraudwall.auth.tokens import verify_token
from fraudwall.db import Database
from fraudwall.db.base import utcnow
from fraudwall.errors import PermissionDenied, Unauthorized

T = TypeVar("T")

_bearer = HTTPBearer(auto_error=False, description="a token from `fraudwall token create`")


@dataclass(frozen=True)
class Principal:
    """Who a request acts as."""

    name: str
    role: Role
    unit: str | None


def get_database(request: Request) -> Database:
    """The app's database."""
    db: Database = request.app.state.db
    return db


def _via(request: Request) -> str:
    """What the audit log records as the request: method and path (bounded, as stored)."""
    return f"api:{request.method} {request.url.path}"[:200]


def read_session(request: Request) -> Iterator[Session]:
    """A read-only unit of work for the request."""
    with get_database(request).session(via=_via(request), readonly=True) as session:
        yield session


def write_session(request: Request) -> Iterator[Session]:
    """A unit of work that commits when the route returns, or rolls back if it raises."""
    with get_database(request).session(via=_via(request)) as session:
        yield session


ReadSession = Annotated[Session, Depends(read_session, scope="function")]


async def in_read_session(request: Request, work: Callable[[Session], T]) -> T:
    """``work(session)`` in one read-only unit of work, in a worker thread.

    For the busiest read routes: one thread hop for the whole request, where a sync route with
    :data:`ReadSession` takes three (open the session, run the route, close it), and under load
    each hop waits its turn for the event loop."""
    db, via = get_database(request), _via(request)

    def run() -> T:
        with db.session(via=via, readonly=True) as session:
            return work(session)

    return await run_in_threadpool(run)


WriteSession = Annotated[Session, Depends(write_session, scope="function")]


def token_cache(request: Request) -> TokenCache[Principal]:
    """The app's cache of verified tokens."""
    cache: TokenCache[Principal] = request.app.state.token_cache
    return cache


def _lookup(request: Request, token: str) -> tuple[Principal, float | None]:
    with get_database(request).session(via=_via(request), readonly=True) as session:
        t = verify_token(session, token=token)
        valid_s = (t.expires_at - utcnow()).total_seconds() if t.expires_at else None
        return Principal(t.user.name, t.user.role, t.user.unit), valid_s


async def current_user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The user of the request's bearer token; :class:`Unauthorized` (401) otherwise.

    Async, so a cached token costs no thread hop; a miss is looked up in a worker thread."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("a valid bearer token is required")
    cache = token_cache(request)
    hit = cache.get(credentials.credentials)
    if hit is not None:
        return hit
    principal, valid_s = await run_in_threadpool(_lookup, request, credentials.credentials)
    cache.put(credentials.credentials, principal, valid_s=valid_s)
    return principal


CurrentUser = Annotated[Principal, Depends(current_user)]


def require_roles(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    """A dependency that lets only ``roles`` through (403 for the others)."""
    allowed_roles = frozenset(roles)

    async def check(user: CurrentUser) -> Principal:
        if user.role not in allowed_roles:
            raise PermissionDenied(
                f"{user.role.value} may not do this; allowed: "
                f"{', '.join(sorted(r.value for r in allowed_roles))}"
            )
        return user

    return check


def require(action: str) -> Any:
    """``Depends`` on the permission table's ``action`` (the same table the CLI checks)."""

    async def check(user: CurrentUser) -> Principal:
        if not allowed(user.role, action):
            raise PermissionDenied(
                f"{user.role.value} may not do {action}; allowed: "
                f"{', '.join(roles_for(action)) or 'nobody'}"
            )
        return user

    return Depends(check)
