"""Bearer tokens for the service: ``fraudwall token create NAME`` / ``fraudwall token revoke``.

A token is 32 random bytes (URL-safe base64, prefixed ``fw_``); only its SHA-256 is stored, so
the database never holds a usable token. A high-entropy random secret needs no slow password
hash: SHA-256 cannot be reversed and guessing 256 bits is hopeless. Each token belongs to one
user and acts with that user's role; it may expire and can be revoked.

>>> parse_duration("30d"), parse_duration("12h"), parse_duration("45m")
(datetime.timedelta(days=30), datetime.timedelta(seconds=43200), datetime.timedelta(seconds=2700))
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict
from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from fraudwall.audit import record
from fraudwall.auth.models import User
from fraudwall.auth.permissions import authorize
from fraudwall.auth.service import acting_user, get_user
from fraudwall.db.base import Base, BigId, utcnow
from fraudwall.errors import InputError, NotFound, Unauthorized

PREFIX = "fw_"
_DURATION = re.compile(r"^(\d{1,5})([dhm])$")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


class ApiToken(Base):
    """A bearer token (stored as its SHA-256) that acts as one user."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    label: Mapped[str] = mapped_column(String(64), default="")
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    #: The first characters, to tell tokens apart in listings (not enough to use one).
    hint: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_by: Mapped[str | None] = mapped_column(String(64), default=None)

    user: Mapped[User] = relationship(lazy="joined")


class TokenRead(BaseModel):
    """A token as listings show it (never the secret)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    user: str
    label: str
    hint: str
    created_at: datetime
    created_by: str
    expires_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenRead):
    """A new token: the only time the secret is shown."""

    token: str


def parse_duration(text: str) -> timedelta:
    """``30d``, ``12h`` or ``45m`` as a duration; :class:`InputError` otherwise."""
    m = _DURATION.match(text.strip())
    if not m or int(m.group(1)) == 0:
        raise InputError(f"{text!r}: a duration like 30d, 12h or 45m", field="expires")
    return timedelta(**{_UNITS[m.group(2)]: int(m.group(1))})


def hash_token(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _read(t: ApiToken) -> dict[str, object]:
    return {
        "id": t.id,
        "user": t.user.name,
        "label": t.label,
        "hint": t.hint,
        "created_at": t.created_at,
        "created_by": t.created_by,
        "expires_at": t.expires_at,
        "revoked_at": t.revoked_at,
    }


def create_token(
    session: Session,
    *,
    user: str,
    actor: str,
    expires: timedelta | None = None,
    label: str = "",
) -> TokenCreated:
    """A new token for ``user``. A supervisor may issue tokens for anyone, others only for
    themselves."""
    owner = get_user(session, name=user)
    if actor != user:
        acting_user(session, name=actor, action="users.manage")
    elif not owner.active:
        raise Unauthorized(f"user {user!r} is deactivated")
    secret = PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    t = ApiToken(
        user_id=owner.id,
        label=label[:64],
        token_sha256=hash_token(secret),
        hint=secret[:10],
        created_at=now,
        created_by=actor,
        expires_at=now + expires if expires else None,
    )
    t.user = owner
    session.add(t)
    session.flush()
    record(
        session,
        actor=actor,
        action="token.create",
        entity_type="token",
        entity_id=t.id,
        detail={"user": user, "expires_at": t.expires_at.isoformat() if t.expires_at else None},
    )
    return TokenCreated(**_read(t), token=secret)


def revoke_token(session: Session, *, token_id: int, actor: str) -> TokenRead:
    """Revoke a token (its owner or a supervisor); a revoked token is refused from then on."""
    t = session.get(ApiToken, token_id)
    if t is None:
        raise NotFound(f"no token {token_id}")
    if t.user.name != actor:
        acting_user(session, name=actor, action="users.manage")
    if t.revoked_at is None:
        t.revoked_at, t.revoked_by = utcnow(), actor
        record(
            session,
            actor=actor,
            action="token.revoke",
            entity_type="token",
            entity_id=t.id,
            detail={"user": t.user.name},
        )
    return TokenRead(**_read(t))


def list_tokens(session: Session, *, user: str | None = None) -> list[TokenRead]:
    """Tokens, newest first (optionally of one user)."""
    q = select(ApiToken).join(ApiToken.user).order_by(ApiToken.id.desc())
    if user:
        q = q.where(User.name == user)
    return [TokenRead(**_read(t)) for t in session.scalars(q)]


def verify_token(session: Session, *, token: str | None) -> ApiToken:
    """The stored token a bearer token is; :class:`Unauthorized` if it is unknown, expired,
    revoked or its user is deactivated (one message for all, so nothing is learnt by probing)."""
    if not token or not token.startswith(PREFIX) or len(token) > 128:
        raise Unauthorized("a valid bearer token is required")
    t = session.scalars(
        select(ApiToken).where(ApiToken.token_sha256 == hash_token(token))
    ).one_or_none()
    now = utcnow()
    if (
        t is None
        or t.revoked_at is not None
        or (t.expires_at is not None and t.expires_at <= now)
        or not t.user.active
    ):
        raise Unauthorized("a valid bearer token is required")
    return t


def authenticate(session: Session, *, token: str | None) -> User:
    """The user a bearer token acts as (see :func:`verify_token`)."""
    return verify_token(session, token=token).user


__all__ = [
    "ApiToken",
    "TokenCreated",
    "TokenRead",
    "authenticate",
    "authorize",
    "create_token",
    "list_tokens",
    "parse_duration",
    "revoke_token",
    "verify_token",
]
