"""``POST /v1/check/registration``: may this holder take another card here?"""

from __future__ import annotations

import threading

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from fraudwall.api.deps import require
from fraudwall.lists.check import (
    RegistrationAnswer,
    RegistrationRequest,
    Snapshot,
    check_registration,
)
from fraudwall.lists.snapshot import SnapshotCache, checker_for

router = APIRouter(prefix="/check", tags=["check"])
# The first requests arrive together: without it each would build its own cache (a snapshot
# and a refresh thread apiece), dozens per worker.
_creating = threading.Lock()


def _checker(request: Request) -> SnapshotCache:
    state = request.app.state
    cache: SnapshotCache | None = getattr(state, "checker", None)
    if cache is None:
        with _creating:
            cache = getattr(state, "checker", None)
            if cache is None:
                cache = checker_for(state.db, state.settings)
                state.checker = cache
                state.on_shutdown.append(cache.stop)
    return cache


def _snapshot(request: Request) -> Snapshot:
    return _checker(request).get()


@router.post("/registration", dependencies=[require("check.registration")])
async def registration(body: RegistrationRequest, request: Request) -> RegistrationAnswer:
    """``allow`` | ``review`` | ``deny`` with the reasons: cards held across operators against
    the limit, blacklist hits on holder, device or outlet (ours and partners'), the outlet's
    current abnormal-registration risk. Answered from memory (no scan per request)."""
    cache: SnapshotCache | None = getattr(request.app.state, "checker", None)
    snap = cache.current() if cache is not None else None
    if snap is None:  # first call, or this process changed a list: build off the event loop
        snap = await run_in_threadpool(_snapshot, request)
    return check_registration(snap, body)
