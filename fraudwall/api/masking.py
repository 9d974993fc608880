"""Identifiers in responses: masked unless the caller asks and the role may see them; every
unmasked view is written to the audit log (who saw which entities, through which request)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from pydantic import BaseModel

from fraudwall.api.deps import Principal
from fraudwall.audit import record
from fraudwall.auth import allowed
from fraudwall.db import Database
from fraudwall.errors import PermissionDenied
from fraudwall.lists.service import mask_values

M = TypeVar("M", bound=BaseModel)


def may_unmask(user: Principal, unmasked: bool) -> bool:
    """Whether to show identifiers in clear: asked for, and allowed (else 403)."""
    if not unmasked:
        return False
    if not allowed(user.role, "identifiers.unmasked"):
        raise PermissionDenied(f"{user.role.value} may not see identifiers unmasked")
    return True


def mask_models(items: list[M], *, kind: str = "entity_type", ident: str = "entity_id") -> list[M]:
    """Copies of ``items`` with their identifier field masked by its entity type (in one
    vectorised pass over the page)."""
    where = [i for i, item in enumerate(items) if isinstance(getattr(item, ident), str)]
    masked = mask_values(
        [str(getattr(items[i], kind)) for i in where], [getattr(items[i], ident) for i in where]
    )
    out = list(items)
    for i, value in zip(where, masked, strict=True):
        out[i] = items[i].model_copy(update={ident: value})
    return out


def mask_dicts(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Lead rows with entity and related numbers masked (one vectorised pass)."""
    types: list[str] = []
    values: list[str] = []
    for r in rows:
        types.append(str(r.get("entity_type")))
        values.append(str(r.get("entity_id")))
        related = r.get("related_numbers") or []
        types.extend(["msisdn"] * len(related))
        values.extend(str(n) for n in related)
    masked = iter(mask_values(types, values))
    out = []
    for r in rows:
        r = dict(r)
        r["entity_id"] = next(masked)
        if "related_numbers" in r:
            r["related_numbers"] = [next(masked) for _ in r["related_numbers"] or []]
        out.append(r)
    return out


def audit_unmasked(
    db: Database, user: Principal, *, entity_type: str, ids: Iterable[Any], via: str = "api"
) -> None:
    """Record that ``user`` saw these entities unmasked, in its own committed unit of work (the
    request itself may be read-only)."""
    shown = [str(i) for i in ids][:1000]
    if not shown:
        return
    with db.session(via=via) as session:
        record(
            session,
            actor=user.name,
            action="view.unmasked",
            entity_type=entity_type,
            entity_id=shown[0] if len(shown) == 1 else "*",
            detail={"ids": shown},
        )
