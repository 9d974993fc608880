"""``POST /v1/screen``: allow, label or block one call set-up (role ``system``).

Also ``POST /v1/screen/ended`` (a call's outcome, which feeds the caller's live windows) and
``POST /v1/screen/sms`` (an MO SMS to the keyword number: opt-in / opt-out). The same router is
served by ``fraudwall serve`` and by the dedicated ``fraudwall screen serve`` worker.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from fraudwall.api.deps import Principal, WriteSession, require_roles
from fraudwall.auth import Role
from fraudwall.screening.engine import Engine
from fraudwall.screening.service import ScreenConfig, build_engine
from fraudwall.screening.subscribers import handle_keyword_sms

router = APIRouter(prefix="/screen", tags=["screen"])


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


System = Annotated[Principal, Depends(require_roles(Role.system))]


def engine_of(request: Request) -> Engine:
    """The app's engine, built on first use from ``FRAUDWALL_SCREEN_*`` (see ScreenConfig)."""
    state = request.app.state
    engine: Engine | None = getattr(state, "screen_engine", None)
    if engine is None:
        engine = build_engine(ScreenConfig.from_env(database_url=state.settings.database_url))
        state.screen_engine = engine
    return engine


@router.post("", response_model=ScreenAnswer)
async def screen(body: ScreenRequest, request: Request, _: System) -> Response:
    """The decision for one call set-up: ``allow``, ``label`` (with the label to show) or
    ``block`` (``sip_code`` 603, or 607 when the callee asked for it), with the rule and reasons.

    Everything on the call path runs on the event loop, never in a thread (a thread hop makes
    the loop wait for the interpreter lock): the token check is cached, the engine takes tens
    of microseconds, and Redis state is awaited. The answer is serialised once, by pydantic."""
    d = await engine_of(request).ascreen(
        body.caller, body.callee, body.at or datetime.now(UTC), imei=body.imei
    )
    answer = ScreenAnswer(**d.to_dict(), call_id=body.call_id)
    return Response(answer.model_dump_json(), media_type="application/json")


@router.post("/ended")
async def ended(body: EndedRequest, request: Request, _: System) -> dict[str, bool]:
    """A call's outcome (answered or not, talk time): it enters the caller's windows now."""
    await engine_of(request).acall_ended(
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
