"""``GET /health``: is the service up and its database reachable (no token needed)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy import text
from sqlalchemy.orm import Session

from fraudwall import __version__
from fraudwall.api.deps import in_read_session

router = APIRouter(tags=["health"])


@router.get("/health")
async def health(request: Request) -> dict[str, str]:
    """``{"status": "ok"}`` when the database answers."""

    def work(session: Session) -> None:
        session.execute(text("SELECT 1"))

    await in_read_session(request, work)
    return {"status": "ok", "version": __version__}
