"""The FastAPI application: settings, database, one error handler, routers under ``/v1/``."""

from __future__ import annotations

import gc
import importlib
import pkgutil
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from fraudwall import __version__
from fraudwall.api import errors, routes
from fraudwall.api.settings import Settings
from fraudwall.auth.cache import TokenCache
from fraudwall.db import open_database

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


def router_modules() -> list[str]:
    """Every module in :mod:`fraudwall.api.routes` that defines a ``router`` (so a resource
    added there by any domain is served without editing this file)."""
    return sorted(m.name for m in pkgutil.iter_modules(routes.__path__) if not m.ispkg)


def settle_heap() -> None:
    """Exempt every object alive now from the garbage collector's full passes.

    A full pass walks every tracked object and stalls every request meanwhile: after the
    imports a worker holds ~300,000 (Ibis, DuckDB, SQLAlchemy, pandas), a 0.3 s pass on a 2-core
    machine, which showed as 0.5-1.4 s latency spikes under load. What start-up built lives
    until exit; frozen, it is never walked again (reference counting still frees it)."""
    gc.collect()
    gc.freeze()


def create_app(settings: Settings | None = None) -> FastAPI:
    """The service. ``settings`` default to :meth:`Settings.from_env`."""
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.freeze_heap:
            settle_heap()
        yield
        for close in app.state.on_shutdown:
            close()
        app.state.db.dispose()

    app = FastAPI(
        title="fraudwall",
        version=__version__,
        summary="Anti-fraud service: cases, police batches, blacklists, registration checks.",
        docs_url="/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.db = open_database(settings.database_url)
    app.state.on_shutdown = []
    app.state.token_cache = TokenCache(ttl_s=settings.token_cache_s)
    errors.install(app)
    for name in router_modules():
        module = importlib.import_module(f"{routes.__name__}.{name}")
        router = getattr(module, "router", None)
        if router is not None:
            app.include_router(router, prefix="" if name == "health" else "/v1")
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    return app


class BodyLimit:
    """Refuse request bodies above ``max_bytes`` with 413, before they are read whole
    (by ``Content-Length``, or by counting a chunked body as it arrives)."""

    def __init__(self, app: Callable[..., Awaitable[None]], *, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for key, value in scope.get("headers", ()):
            if key == b"content-length" and (not value.isdigit() or int(value) > self.max_bytes):
                await _too_large(send, self.max_bytes)
                return
        seen = 0
        refused = False

        async def counted() -> Message:
            nonlocal seen, refused
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes and not refused:
                # Answer 413 now and tell the app the client went away, so it stops reading.
                refused = True
                await _too_large(send, self.max_bytes)
                return {"type": "http.disconnect"}
            return message

        async def guarded(message: Message) -> None:
            if not refused:  # after a 413, nothing the app sends goes out
                await send(message)

        await self.app(scope, counted, guarded)


async def _too_large(send: Send, limit: int) -> None:
    body = (
        b'{"error":"PayloadTooLarge","detail":"request body larger than '
        + str(limit).encode()
        + b' bytes","field":null}'
    )
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"connection", b"close")],
        }
    )
    await send({"type": "http.response.body", "body": body})


def served_routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every (method, path) the app answers, flattened over included routers (the security
    tests iterate this, so a new route cannot escape them)."""
    out: list[tuple[str, str]] = []
    for route in app.routes:
        contexts = getattr(route, "effective_route_contexts", None)
        items = contexts() if contexts is not None else [route]
        for item in items:
            path = getattr(item, "path", None) or getattr(item, "path_format", None)
            for method in sorted(getattr(item, "methods", None) or ()):
                if method != "HEAD" and path:
                    out.append((method, str(path)))
    return out
