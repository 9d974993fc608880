"""Blacklist operations the CLI and the API share: add, remove, show, export, bulk add from
confirmed cases. Every change is written to the audit log; removal never deletes a row.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import pyarrow as pa
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from fraudwall.audit import record
from fraudwall.auth import Role, User, grant
from fraudwall.auth.service import acting_user
from fraudwall.db.base import utcnow
from fraudwall.errors import InputError, NotFound
from fraudwall.lists.identifiers import ENTITY_TYPE, LIST_OF_ENTITY, check_list, normalise
from fraudwall.lists.models import EntryCreate, EntryRead, ListEntry
from fraudwall.lists.sharefile import REASON_CODES
from fraudwall.privacy import mask_ids, mask_numbers

grant("lists.read", [Role.analyst, Role.supervisor, Role.auditor, Role.system])
grant("lists.add", [Role.analyst, Role.supervisor])
grant("lists.remove", [Role.supervisor])
#: Keeping a list in step with a source fraudwall itself produces (e.g. `domains export`).
grant("lists.refresh", [Role.analyst, Role.supervisor, Role.system])
grant("lists.share", [Role.supervisor])
grant("check.registration", [Role.system, Role.analyst, Role.supervisor])
#: Who may see identifiers unmasked (each such view is audited).
grant("identifiers.unmasked", [Role.analyst, Role.supervisor])

#: In-process change counter: the registration check's snapshot reloads when it moves.
_generation = 0


def generation() -> int:
    """A number that changes whenever this process changes a list."""
    return _generation


def _changed() -> None:
    global _generation
    _generation += 1


def mask_value(entity_type: str, value: str, *, is_token: bool = False) -> str:
    """How a list value is shown to someone who may not see it.

    >>> mask_value("msisdn", "+8613812345678")
    '+86138****5678'
    >>> mask_value("outlet_id", "OUT-7")
    'OUT-7'
    """
    return mask_values([entity_type], [value], is_token=[is_token])[0]


def mask_values(
    entity_types: Sequence[str], values: Sequence[str], *, is_token: Sequence[bool] | None = None
) -> list[str]:
    """:func:`mask_value` over many values at once: one vectorised pass per kind (numbers,
    other identifiers), so a page of results costs about what one value does.

    >>> mask_values(["msisdn", "outlet_id", "imei"], ["+8613812345678", "OUT-7", "356789012345678"])
    ['+86138****5678', 'OUT-7', '356*********678']
    """
    out = list(values)
    numbers = [i for i, t in enumerate(entity_types) if t == "msisdn"]
    ids = [i for i, t in enumerate(entity_types) if t not in _SHOWN and t != "msisdn"]
    if is_token is not None:
        numbers = [i for i in numbers if not is_token[i]]
        ids = [i for i in ids if not is_token[i]]
    for where, masker in ((numbers, mask_numbers), (ids, mask_ids)):
        if where:
            masked = masker(pa.array([values[i] for i in where], type=pa.string())).to_pylist()
            for i, m in zip(where, masked, strict=True):
                out[i] = m or ""
    return out


#: Entity types shown as they are (not personal data).
_SHOWN = frozenset({"outlet_id", "domain"})


def to_read(e: ListEntry, *, now: datetime, unmasked: bool) -> EntryRead:
    """An entry as shown; masked unless ``unmasked``."""
    out = EntryRead.model_validate(e)
    out.active = e.removed_at is None and (e.expires_at is None or e.expires_at > now)
    if not unmasked:
        out.value = mask_value(e.entity_type, e.value, is_token=e.is_token)
    return out


def add_entry(session: Session, *, list_name: str, data: EntryCreate, actor: str) -> EntryRead:
    """List one identifier. Listing one already listed (by us) updates its reason and expiry
    instead of adding a second entry, so re-running is harmless."""
    who = acting_user(session, name=actor, action="lists.add")
    return _put(session, who, list_name=list_name, data=data)


def _put(session: Session, who: User, *, list_name: str, data: EntryCreate) -> EntryRead:
    check_list(list_name)
    value = normalise(list_name, data.value)
    if data.reason_code not in REASON_CODES:
        raise InputError(
            f"unknown reason code {data.reason_code!r}; one of {', '.join(sorted(REASON_CODES))}",
            field="reason_code",
        )
    now = utcnow()
    if data.expires_at is not None and data.expires_at <= now:
        raise InputError("expiry is in the past", field="expires_at")
    entry = _active(session, list_name, value)
    action = "lists.update" if entry else "lists.add"
    if entry is None:
        entry = ListEntry(
            list_name=list_name,
            entity_type=ENTITY_TYPE[list_name],
            value=value,
            source=data.source,
            added_by=who.name,
            added_at=now,
        )
        session.add(entry)
    entry.reason_code, entry.reason = data.reason_code, data.reason[:500]
    entry.case_id = data.case_id if data.case_id is not None else entry.case_id
    entry.expires_at = data.expires_at
    session.flush()
    record(
        session,
        actor=who.name,
        action=action,
        entity_type="list_entry",
        entity_id=entry.id,
        detail={"list": list_name, "reason_code": data.reason_code, "case": entry.case_id},
    )
    _changed()
    return to_read(entry, now=now, unmasked=False)


def refresh_entries(
    session: Session,
    *,
    list_name: str,
    values: Sequence[str],
    actor: str,
    reason_code: str,
    origin: str,
    detail: str = "",
) -> dict[str, int]:
    """Make the entries ``origin`` keeps on a list exactly ``values``: each is listed (or its
    entry updated), and an active entry an earlier refresh from the same ``origin`` listed
    that is no longer among ``values`` is removed (audited, with why). Entries added any other
    way are never touched. Re-running with the same values changes nothing but the update
    records. Returns how many were ``listed`` and ``removed``.

    ``origin`` is written at the start of each entry's reason, which is how its entries are
    told apart (e.g. ``"domains export"``).
    """
    who = acting_user(session, name=actor, action="lists.refresh")
    check_list(list_name)
    wanted = {normalise(list_name, v, field="value") for v in values}
    reason = f"{origin}: {detail}" if detail else origin
    for value in sorted(wanted):
        _put(
            session,
            who,
            list_name=list_name,
            data=EntryCreate(value=value, reason_code=reason_code, reason=reason),
        )
    stale = [
        e
        for e in session.scalars(
            select(ListEntry).where(
                ListEntry.list_name == list_name,
                ListEntry.partner.is_(None),
                ListEntry.removed_at.is_(None),
                ListEntry.reason.startswith(origin, autoescape=True),
            )
        )
        if e.value not in wanted
    ]
    for e in stale:
        _take_off(session, who, e, reason=f"no longer in the {origin}")
    return {"listed": len(wanted), "removed": len(stale)}


def _active(session: Session, list_name: str, value: str) -> ListEntry | None:
    return session.scalars(
        select(ListEntry).where(
            ListEntry.list_name == list_name,
            ListEntry.value == value,
            ListEntry.partner.is_(None),
            ListEntry.removed_at.is_(None),
        )
    ).first()


def remove_entry(
    session: Session,
    *,
    actor: str,
    reason: str,
    entry_id: int | None = None,
    list_name: str | None = None,
    value: str | None = None,
) -> EntryRead:
    """Take an entry off its list (by id, or by list and identifier). The row stays, with who
    removed it, when and why."""
    who = acting_user(session, name=actor, action="lists.remove")
    if not reason.strip():
        raise InputError("say why the entry is removed", field="reason")
    entry: ListEntry | None
    if entry_id is not None:
        entry = session.get(ListEntry, entry_id)
    elif list_name and value:
        entry = _active(session, check_list(list_name), normalise(list_name, value))
    else:
        raise InputError("name the entry: its id, or the list and the identifier", field="id")
    if entry is None or entry.removed_at is not None:
        raise NotFound("no such active list entry")
    return _take_off(session, who, entry, reason=reason)


def _take_off(session: Session, who: User, entry: ListEntry, *, reason: str) -> EntryRead:
    now = utcnow()
    entry.removed_at, entry.removed_by, entry.removed_reason = now, who.name, reason[:500]
    record(
        session,
        actor=who.name,
        action="lists.remove",
        entity_type="list_entry",
        entity_id=entry.id,
        detail={"list": entry.list_name, "reason": reason[:500]},
    )
    _changed()
    return to_read(entry, now=now, unmasked=False)


def show_entries(
    session: Session,
    *,
    actor: str,
    list_name: str | None = None,
    include_inactive: bool = False,
    source: str | None = None,
    unmasked: bool = False,
    limit: int = 1000,
    offset: int = 0,
) -> list[EntryRead]:
    """Entries of one list (or all), newest first; identifiers masked unless ``unmasked`` and
    the actor may see them (an unmasked view is audited)."""
    who = acting_user(session, name=actor, action="lists.read")
    if unmasked:
        acting_user(session, name=actor, action="identifiers.unmasked")
    now = utcnow()
    q = select(ListEntry).order_by(ListEntry.id.desc()).limit(min(limit, 10_000)).offset(offset)
    if list_name:
        q = q.where(ListEntry.list_name == check_list(list_name))
    if source:
        q = q.where(ListEntry.source == source)
    if not include_inactive:
        q = q.where(
            ListEntry.removed_at.is_(None),
            or_(ListEntry.expires_at.is_(None), ListEntry.expires_at > now),
        )
    entries = list(session.scalars(q))
    rows = [to_read(e, now=now, unmasked=True) for e in entries]
    if not unmasked:  # one vectorised pass over the page, not one per entry
        masked = mask_values(
            [e.entity_type for e in entries],
            [e.value for e in entries],
            is_token=[e.is_token for e in entries],
        )
        for r, value in zip(rows, masked, strict=True):
            r.value = value
    if unmasked and rows:
        record(
            session,
            actor=who.name,
            action="view.unmasked",
            entity_type="list",
            entity_id=list_name or "*",
            detail={"entries": [r.id for r in rows][:1000]},
        )
    return rows


def export_entries(
    session: Session, *, actor: str, list_name: str, fmt: str = "csv", unmasked: bool = False
) -> str:
    """The active entries of a list as CSV or JSON text (for the operator's own systems)."""
    rows = show_entries(
        session, actor=actor, list_name=list_name, unmasked=unmasked, limit=10_000_000
    )
    docs = [r.model_dump(mode="json") for r in rows]
    if fmt == "json":
        return json.dumps(docs, ensure_ascii=False, indent=1) + "\n"
    if fmt != "csv":
        raise InputError("csv or json", field="format")
    buf = io.StringIO()
    fields = list(EntryRead.model_fields)
    writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(docs)
    return buf.getvalue()


def add_confirmed_cases(
    session: Session,
    *,
    actor: str,
    cases: list[dict[str, Any]],
    expires_at: datetime | None = None,
    source: str = "own",
) -> list[EntryRead]:
    """Bulk add: list the entity of every confirmed case given (``id``, ``entity_type``,
    ``entity_id``, ``scenario``, ``state``). Cases of types no list holds are skipped; cases
    that are not confirmed are refused."""
    out = []
    for case in cases:
        if case.get("state") != "confirmed":
            raise InputError(f"case {case.get('id')} is not confirmed", field="case")
        list_name = LIST_OF_ENTITY.get(str(case.get("entity_type")))
        if list_name is None:
            continue
        scenario = str(case.get("scenario"))
        data = EntryCreate(
            value=str(case["entity_id"]),
            source="police" if source == "police" else "own",
            reason_code=scenario if scenario in REASON_CODES else "other",
            reason=f"confirmed case {case['id']} ({scenario})",
            case_id=int(case["id"]),
            expires_at=expires_at,
        )
        out.append(add_entry(session, list_name=list_name, data=data, actor=actor))
    return out
