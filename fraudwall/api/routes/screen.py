"""``POST /v1/screen``: allow, label or block one call set-up (role ``system``).

Also ``POST /v1/screen/ended`` (a call's outcome, which feeds the caller's live windows) and
``POST /v1/screen/sms`` (an MO SMS to the keyword number: opt-in / opt-out). The same router is
served by ``fraudwall serve`` and by the dedicated ``fraudwall screen serve`` worker.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from fraudwall.api.deps import Principal, WriteSession, current_user, require_roles
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


# The two call-path routes take only the request and return a ready response: FastAPI's
# dependency solving, body validation and response serialisation cost ~0.3 ms of CPU a request,
# several times the decision itself, and a worker must sustain thousands a second. They check
# the same token (async, cached: a cache hit never leaves the event loop), validate with the
# same pydantic models and raise the same errors, which the app's one error handler turns into
# the same 401/403/422 bodies as every other route.
_only_system = require_roles(Role.system)
B = TypeVar("B", bound=BaseModel)


async def _system(request: Request) -> Principal:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    creds = HTTPAuthorizationCredentials(scheme=scheme, credentials=token) if token else None
    return await _only_system(await current_user(request, creds))


async def _body(request: Request, model: type[B]) -> B:
    try:
        return model.model_validate_json(await request.body())
    except ValidationError as e:
        raise RequestValidationError(
            [{**err, "loc": ("body", *err["loc"])} for err in e.errors()]
        ) from None


async def decide(engine: Engine, body: ScreenRequest) -> bytes:
    """The JSON answer (a :class:`ScreenAnswer`) to one validated call set-up."""
    d = await engine.ascreen(body.caller, body.callee, body.at or datetime.now(UTC), imei=body.imei)
    return ScreenAnswer(**d.to_dict(), call_id=body.call_id).model_dump_json().encode()


async def record_end(engine: Engine, body: EndedRequest) -> bytes:
    """Feed one validated call outcome into the caller's windows; the JSON answer."""
    await engine.acall_ended(
        body.caller, body.callee, body.at or datetime.now(UTC), body.duration_s
    )
    return b'{"ok":true}'


@router.post("", response_model=ScreenAnswer)
async def screen(request: Request) -> Response:
    """``POST /v1/screen`` with a :class:`ScreenRequest`: the decision for one call set-up,
    ``allow``, ``label`` (with the label to show) or ``block`` (``sip_code`` 603, or 607 when the
    callee asked for it), with the rule and reasons (a :class:`ScreenAnswer`).

    Everything runs on the event loop, never in a thread (a thread hop makes the loop wait for
    the interpreter lock): the engine takes tens of microseconds and Redis state is awaited."""
    await _system(request)
    body = await _body(request, ScreenRequest)
    return Response(await decide(engine_of(request), body), media_type="application/json")


@router.post("/ended")
async def ended(request: Request) -> Response:
    """``POST /v1/screen/ended`` with an :class:`EndedRequest`: a call's outcome (answered or
    not, talk time) enters the caller's windows now."""
    await _system(request)
    body = await _body(request, EndedRequest)
    return Response(await record_end(engine_of(request), body), media_type="application/json")


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
