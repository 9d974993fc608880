"""``GET /health``: is the service up and its database reachable (no token needed)."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

from fraudwall import __version__
from fraudwall.api.deps import ReadSession

router = APIRouter(tags=["health"])


@router.get("/health")
def health(session: ReadSession) -> dict[str, str]:
    """``{"status": "ok"}`` when the database answers."""
    session.execute(text("SELECT 1"))
    return {"status": "ok", "version": __version__}
