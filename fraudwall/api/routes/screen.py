"""``POST /v1/screen``: allow, label or block one call set-up (role ``system``).

Also ``POST /v1/screen/ended`` (a call's outcome, which feeds the caller's live windows) and
``POST /v1/screen/sms`` (an MO SMS to the keyword number: opt-in / opt-out). The same router is
served by ``fraudwall serve`` and by the dedicated ``fraudwall screen serve`` worker.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field

from fraudwall.api.deps import Principal, WriteSession, get_database
from fraudwall.auth import Role
from fraudwall.auth.tokens import authenticate
from fraudwall.errors import PermissionDenied, Unauthorized
from fraudwall.screening.engine import Engine
from fraudwall.screening.service import ScreenConfig, build_engine
from fraudwall.screening.subscribers import handle_keyword_sms

router = APIRouter(prefix="/screen", tags=["screen"])
_bearer = HTTPBearer(auto_error=False)
TOKEN_CACHE_S = 30.0  # a revoked token stops working within this time on the call path


class ScreenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    caller: str = Field(min_length=1, max_length=32, description="calling number (From / PAI)")
    callee: str = Field(min_length=1, max_length=32, description="called number (R-URI user)")
    at: datetime | None = Field(None, description="set-up time (default: now)")
    imei: str | None = Field(None, max_length=20)
    call_id: str | None = Field(None, max_length=200, description="echoed back, for logs")


class EndedRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    caller: str = Field(min_length=1, max_length=32)
    callee: str = Field(min_length=1, max_length=32)
    at: datetime | None = Field(None, description="end time (default: now)")
    duration_s: int = Field(ge=0, le=86_400, description="talk time; 0 = not answered")


class SmsRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sender: str = Field(min_length=1, max_length=32)
    recipient: str = Field(min_length=1, max_length=32)
    text: str = Field(max_length=1000)


class ScreenAnswer(BaseModel):
    action: str
    rule: str
    sip_code: int | None
    label: str | None
    reasons: list[str]
    call_id: str | None = None


def system_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The ``system`` user of the bearer token (401 / 403 otherwise); tokens are checked
    against the database once per :data:`TOKEN_CACHE_S`, not on every call set-up."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("a valid bearer token is required")
    cache: dict[str, tuple[float, Principal]] = request.app.state.__dict__.setdefault(
        "screen_tokens", {}
    )
    now = time.monotonic()
    hit = cache.get(credentials.credentials)
    if hit is None or now - hit[0] > TOKEN_CACHE_S:
        with get_database(request).session(via="api:POST /v1/screen", readonly=True) as s:
            user = authenticate(s, token=credentials.credentials)
            hit = (now, Principal(user.name, user.role, user.unit))
        if len(cache) > 1000:
            cache.clear()
        cache[credentials.credentials] = hit
    principal = hit[1]
    if principal.role is not Role.system:
        raise PermissionDenied(f"{principal.role.value} may not screen calls; allowed: system")
    return principal


System = Annotated[Principal, Depends(system_principal)]


def engine_of(request: Request) -> Engine:
    """The app's engine, built on first use from ``FRAUDWALL_SCREEN_*`` (see ScreenConfig)."""
    state = request.app.state
    engine: Engine | None = getattr(state, "screen_engine", None)
    if engine is None:
        engine = build_engine(ScreenConfig.from_env(database_url=state.settings.database_url))
        state.screen_engine = engine
    return engine


@router.post("")
async def screen(body: ScreenRequest, request: Request, _: System) -> ScreenAnswer:
    """The decision for one call set-up: ``allow``, ``label`` (with the label to show) or
    ``block`` (``sip_code`` 603, or 607 when the callee asked for it), with the rule and reasons.
    Runs on the event loop: the engine takes microseconds and its in-process state is then
    touched by one thread only."""
    d = engine_of(request).screen(
        body.caller, body.callee, body.at or datetime.now(UTC), imei=body.imei
    )
    return ScreenAnswer(**d.to_dict(), call_id=body.call_id)


@router.post("/ended")
async def ended(body: EndedRequest, request: Request, _: System) -> dict[str, bool]:
    """A call's outcome (answered or not, talk time): it enters the caller's windows now."""
    engine_of(request).call_ended(
        body.caller, body.callee, body.at or datetime.now(UTC), body.duration_s
    )
    return {"ok": True}


@router.post("/sms")
def keyword_sms(
    body: SmsRequest, request: Request, session: WriteSession, who: System
) -> dict[str, object]:
    """An MO SMS from the SMS centre: the opt-in keyword (default ``KTFSR`` to 10086) opts the
    sender in to interception, the opt-out keyword out; audited as the token's user."""
    engine = engine_of(request)
    out = handle_keyword_sms(
        session, sender=body.sender, recipient=body.recipient, text=body.text,
        policy=engine.policy, actor=who.name,
    )  # fmt: skip
    request.app.state.screen_settings_dirty = True
    return out
