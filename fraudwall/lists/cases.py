"""Reading confirmed cases for a bulk listing (the only place lists touch the case tables)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fraudwall.errors import NotFound


def confirmed_cases(session: Session, *, case_ids: list[int]) -> list[dict[str, Any]]:
    """The cases ``case_ids`` as plain dicts (``id``, ``entity_type``, ``entity_id``,
    ``scenario``, ``state``); :class:`NotFound` names the first id that does not exist."""
    from fraudwall.cases.models import Case

    found = {c.id: c for c in session.scalars(select(Case).where(Case.id.in_(case_ids)))}
    out = []
    for cid in case_ids:
        c = found.get(cid)
        if c is None:
            raise NotFound(f"no case {cid}")
        out.append(
            {
                "id": c.id,
                "entity_type": c.entity_type,
                "entity_id": c.entity_id,
                "scenario": c.scenario,
                "state": str(c.state),
            }
        )
    return out
