"""The dedicated call-path worker (``fraudwall screen serve``): only the screening routes.

It shares the router with ``fraudwall serve`` (``fraudwall/api/routes/screen.py``) and the
error handler, builds its engine at start-up (so the first call set-up is not slow), reloads
lists and subscriber settings in the background and snapshots in-process state on disk every
``snapshot_s`` seconds and at shutdown (on the event loop, so decisions wait while it is
written: size the interval from the measured snapshot time, or use Redis state).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from fraudwall.api import errors
from fraudwall.api.app import settle_heap
from fraudwall.api.settings import Settings
from fraudwall.auth.cache import TokenCache
from fraudwall.db import open_database
from fraudwall.screening.callpath import CallPath
from fraudwall.screening.service import Refresher, ScreenConfig, build_engine
from fraudwall.screening.stores import MemoryStore, RedisStore

#: a verified token is trusted this long on the call path (a revoked one stops working within
#: it); a miss costs a database read in a thread, which the call path should rarely pay
TOKEN_CACHE_S = 30.0


def create_worker_app(
    config: ScreenConfig, *, snapshot_s: float = 300.0, freeze_heap: bool = False
) -> CallPath:
    """The worker's app for ``config``: the FastAPI app behind the call path's short path.
    ``freeze_heap``: see :func:`fraudwall.api.app.settle_heap` (the CLI's worker sets it)."""
    from fraudwall.api.routes import health, screen

    engine = build_engine(config)
    refresher = Refresher(engine, config)

    async def snapshots() -> None:
        while True:
            await asyncio.sleep(snapshot_s)
            if isinstance(engine.state, MemoryStore) and config.snapshot is not None:
                engine.state.snapshot(config.snapshot)  # on the loop: no decision runs meanwhile

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        refresher.start()
        if freeze_heap:
            settle_heap()
        task = asyncio.create_task(snapshots())
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        refresher.stop()
        if isinstance(engine.state, RedisStore):
            await engine.state.aclose()
        app.state.db.dispose()

    app = FastAPI(
        title="fraudwall screening worker", docs_url=None, redoc_url=None, lifespan=lifespan
    )
    app.state.settings = Settings(database_url=config.database_url, token_cache_s=TOKEN_CACHE_S)
    app.state.db = open_database(config.database_url)
    app.state.token_cache = TokenCache(ttl_s=TOKEN_CACHE_S)
    app.state.screen_engine = engine
    errors.install(app)
    app.include_router(screen.router, prefix="/v1")
    app.include_router(health.router)
    return CallPath(app)
