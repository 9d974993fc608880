"""``POST /v1/check/registration``: may this holder take another card here?"""

from __future__ import annotations

from fastapi import APIRouter, Request

from fraudwall.api.deps import require
from fraudwall.lists.check import RegistrationAnswer, RegistrationRequest, check_registration
from fraudwall.lists.snapshot import SnapshotCache, checker_for

router = APIRouter(prefix="/check", tags=["check"])


def _checker(request: Request) -> SnapshotCache:
    state = request.app.state
    cache: SnapshotCache | None = getattr(state, "checker", None)
    if cache is None:
        cache = checker_for(state.db, state.settings)
        state.checker = cache
        state.on_shutdown.append(cache.stop)
    return cache


@router.post("/registration", dependencies=[require("check.registration")])
def registration(body: RegistrationRequest, request: Request) -> RegistrationAnswer:
    """``allow`` | ``review`` | ``deny`` with the reasons: cards held across operators against
    the limit, blacklist hits on holder, device or outlet (ours and partners'), the outlet's
    current abnormal-registration risk. Answered from memory (no scan per request)."""
    return check_registration(_checker(request).get(), body)
