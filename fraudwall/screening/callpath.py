"""The screening worker's ASGI entry: the two call-path routes without the framework's layers.

Profiled, FastAPI's middleware, routing and dependency solving took half the CPU of a
``POST /v1/screen`` (the decision itself a fifth). :class:`CallPath` answers ``POST
/v1/screen`` and ``POST /v1/screen/ended`` itself when the request carries a system token the
worker verified recently (the token cache) and a body that validates, with the same pydantic
models and the same functions as the routes. Everything else, including every refusal (no or
unknown token, another role, a body that does not validate), goes to the FastAPI app untouched,
so it is checked and answered exactly as any route is: the same 401/403/422 bodies. The
decision runs in one place or the other, never both.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from starlette.types import Message, Receive, Scope, Send

from fraudwall.api.errors import fraudwall_error
from fraudwall.api.routes.screen import EndedRequest, ScreenRequest, record_end
from fraudwall.auth import Role
from fraudwall.errors import FraudwallError
from fraudwall.screening.engine import Engine

#: a call set-up is a few hundred bytes; a larger body goes to the app, which reads the rest
MAX_FAST_BODY = 16 * 1024
_JSON = (b"content-type", b"application/json")


async def decide(engine: Engine, body: ScreenRequest) -> bytes:
    """The route's answer to one validated call set-up, the same bytes as the route's
    (``fraudwall.api.routes.screen.decide``) without building a response model per call."""
    d = await engine.ascreen(body.caller, body.callee, body.at or datetime.now(UTC), imei=body.imei)
    return d.to_json(body.call_id)


class CallPath:
    """ASGI app: ``app`` with a short path for the call-path routes (see the module doc)."""

    def __init__(self, app: Any, *, prefix: str = "/v1/screen") -> None:
        self.app = app
        #: requests answered on the short path (the rest went to the app)
        self.answered = 0
        self.routes: dict[str, tuple[Any, Callable[[Engine, Any], Awaitable[bytes]]]] = {
            prefix: (ScreenRequest, decide),
            f"{prefix}/ended": (EndedRequest, record_end),
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = self.routes.get(scope["path"]) if scope["type"] == "http" else None
        if route is None or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        chunks, more = [], True
        size = 0
        while more and size <= MAX_FAST_BODY:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            more = message.get("more_body", False)
        body = b"".join(chunks)
        request = None if more else self._validated(scope, body, route[0])
        if request is None:
            await self.app(scope, _replay(body, more, receive), send)
            return
        try:
            answer = await route[1](self.app.state.screen_engine, request)
        except FraudwallError as e:
            await (await fraudwall_error(None, e))(scope, receive, send)  # type: ignore[arg-type]
            return
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [_JSON, (b"content-length", b"%d" % len(answer))],
            }
        )
        await send({"type": "http.response.body", "body": answer})
        self.answered += 1

    @property
    def state(self) -> Any:
        """The app's state (engine, token cache, database)."""
        return self.app.state

    def _validated(self, scope: Scope, body: bytes, model: Any) -> Any:
        """The request body as ``model`` when a cached system token sent it, else ``None``."""
        token = None
        for key, value in scope["headers"]:
            if key == b"authorization":
                scheme, _, token = value.decode("latin-1").partition(" ")
                if scheme.lower() != "bearer":
                    return None
                break
        who = self.app.state.token_cache.get(token) if token else None
        if who is None or who.role is not Role.system:
            return None
        try:
            return model.model_validate_json(body)
        except ValidationError:
            return None


def _replay(body: bytes, more: bool, receive: Receive) -> Receive:
    """``receive`` that first gives back what was already read."""
    pending = [{"type": "http.request", "body": body, "more_body": more}]

    async def again() -> Message:
        return pending.pop() if pending else await receive()

    return again
