"""``/v1/tokens``: bearer tokens (a supervisor for anyone, others for themselves)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from fraudwall.api.deps import CurrentUser, ReadSession, WriteSession, token_cache
from fraudwall.auth import Role
from fraudwall.auth.tokens import (
    TokenCreated,
    TokenRead,
    create_token,
    list_tokens,
    parse_duration,
    revoke_token,
)

router = APIRouter(prefix="/tokens", tags=["tokens"])


class TokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user: str = Field(min_length=1, max_length=64)
    expires: str | None = Field(None, max_length=16, description="e.g. 30d, 12h, 45m")
    label: str = Field("", max_length=64)


@router.get("")
def tokens(session: ReadSession, user: CurrentUser) -> list[TokenRead]:
    """Tokens (never their secrets): a supervisor sees all, anyone else their own."""
    return list_tokens(session, user=None if user.role is Role.supervisor else user.name)


@router.post("", status_code=201)
def create(body: TokenRequest, session: WriteSession, user: CurrentUser) -> TokenCreated:
    """A new token; the secret is in this response only."""
    expires = parse_duration(body.expires) if body.expires else None
    return create_token(session, user=body.user, actor=user.name, expires=expires, label=body.label)


@router.post("/{token_id}/revoke")
def revoke(token_id: int, request: Request, session: WriteSession, user: CurrentUser) -> TokenRead:
    """Revoke a token (its owner or a supervisor): refused at once by this process, and by
    any other within ``FRAUDWALL_TOKEN_CACHE_S``."""
    out = revoke_token(session, token_id=token_id, actor=user.name)
    session.commit()  # before the cache forgets, so no call re-reads the old state
    token_cache(request).clear()
    return out
