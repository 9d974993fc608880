"""Sharing blacklists with partner operators: export our list for one partner, import a
partner's file (verified, applied whole or not at all), and find our subscribers a partner
has listed. The file format is in :mod:`fraudwall.lists.sharefile`.
"""

from __future__ import annotations

import hashlib
import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fraudwall.audit import record
from fraudwall.auth.service import acting_user
from fraudwall.db.base import utcnow
from fraudwall.errors import Conflict, InputError
from fraudwall.lists import service
from fraudwall.lists.identifiers import ENTITY_TYPE, check_list
from fraudwall.lists.keys import KeyStore
from fraudwall.lists.models import ListEntry, ShareImport
from fraudwall.lists.sharefile import (
    REASON_CODES,
    SharedEntry,
    build_share_file,
    read_share_file,
    token,
)


def export_share(
    session: Session,
    *,
    keys: KeyStore,
    list_name: str,
    partner: str,
    out: Path,
    actor: str,
    valid_for: timedelta = timedelta(days=30),
) -> dict[str, Any]:
    """Write our active entries of ``list_name`` (own and police, never what partners gave us)
    as tokens under ``partner``'s key, signed with our key. Returns the manifest summary."""
    who = acting_user(session, name=actor, action="lists.share")
    check_list(list_name)
    if out.exists() and out.is_dir():
        raise InputError("a directory: give a file name", field="out")
    p = keys.partner(partner)
    now = utcnow()
    rows = session.scalars(
        select(ListEntry).where(
            ListEntry.list_name == list_name,
            ListEntry.removed_at.is_(None),
            ListEntry.is_token.is_(False),
            ListEntry.source != "partner",
        )
    ).all()
    entries = [
        SharedEntry(
            token(p.hmac_key, e.entity_type, e.value),
            e.reason_code if e.reason_code in REASON_CODES else "other",
            e.expires_at,
        )
        for e in rows
        if e.expires_at is None or e.expires_at > now
    ]
    data = build_share_file(
        list_name=list_name,
        entries=entries,
        sender=keys.operator,
        recipient=partner,
        partner_key=p.hmac_key,
        signer=keys.signing_key(),
        created_at=now,
        expires_at=now + valid_for,
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, out)  # a reader never sees half a file
    sha = hashlib.sha256(data).hexdigest()
    record(
        session,
        actor=who.name,
        action="share.export",
        entity_type="list",
        entity_id=list_name,
        detail={"partner": partner, "entries": len(entries), "sha256": sha},
    )
    return {"list": list_name, "partner": partner, "entries": len(entries), "sha256": sha}


def import_share(
    session: Session, *, keys: KeyStore, path: Path, partner: str, actor: str
) -> dict[str, Any]:
    """Verify ``partner``'s file and make its entries ours to match: the partner's earlier
    entries of that list are replaced (removed ones soft-deleted). A file already imported
    changes nothing; an older file than the last one imported is refused."""
    who = acting_user(session, name=actor, action="lists.share")
    now = utcnow()
    shared = read_share_file(path, partner=keys.partner(partner), us=keys.operator, now=now)
    already = session.scalars(
        select(ShareImport).where(
            ShareImport.partner == partner, ShareImport.file_sha256 == shared.sha256
        )
    ).first()
    summary = {"partner": partner, "list": shared.list_name, "entries": len(shared.entries)}
    if already is not None:
        return {**summary, "added": 0, "removed": 0, "unchanged": len(shared.entries)}
    newest = session.scalars(
        select(ShareImport.created_at)
        .where(ShareImport.partner == partner, ShareImport.list_name == shared.list_name)
        .order_by(ShareImport.created_at.desc())
    ).first()
    if newest is not None and shared.created_at <= newest:
        raise Conflict(
            f"{path}: not newer than the file from {partner!r} already imported "
            f"({newest.isoformat()})"
        )
    current = {
        e.value: e
        for e in session.scalars(
            select(ListEntry).where(
                ListEntry.partner == partner,
                ListEntry.list_name == shared.list_name,
                ListEntry.removed_at.is_(None),
            )
        )
    }
    incoming = {e.token: e for e in shared.entries}
    added = removed = 0
    for tok, e in incoming.items():
        expires = e.expires_at or shared.expires_at
        old = current.get(tok)
        if old is not None:
            old.reason_code, old.expires_at = e.reason_code, expires
            continue
        session.add(
            ListEntry(
                list_name=shared.list_name,
                entity_type=ENTITY_TYPE[shared.list_name],
                value=tok,
                is_token=True,
                partner=partner,
                source="partner",
                reason_code=e.reason_code,
                reason=f"listed by {partner}",
                added_by=who.name,
                added_at=now,
                expires_at=expires,
            )
        )
        added += 1
    for tok, old in current.items():
        if tok not in incoming:
            old.removed_at, old.removed_by = now, who.name
            old.removed_reason = f"not in {partner}'s file of {shared.created_at.isoformat()}"
            removed += 1
    session.add(
        ShareImport(
            partner=partner,
            list_name=shared.list_name,
            file_sha256=shared.sha256,
            created_at=shared.created_at,
            expires_at=shared.expires_at,
            entries=len(shared.entries),
            imported_at=now,
            imported_by=who.name,
        )
    )
    session.flush()
    result = {**summary, "added": added, "removed": removed, "unchanged": len(incoming) - added}
    record(
        session,
        actor=who.name,
        action="share.import",
        entity_type="list",
        entity_id=shared.list_name,
        detail={**result, "sha256": shared.sha256},
    )
    service._changed()
    return result


def match_values(
    session: Session, *, keys: KeyStore, entity_type: str, values: list[str], now: datetime
) -> dict[str, list[str]]:
    """Which of our ``values`` (normalised identifiers of one type) partners have listed:
    value -> partners. One HMAC per value and partner, so it scales with our data, and no
    partner token is ever reversed."""
    from fraudwall.lists.snapshot import load_lists

    _, partner_tokens = load_lists(session, keys, now)
    hits: dict[str, list[str]] = {}
    for name, (key, found) in partner_tokens.items():
        for v in values:
            listings = found.get(token(key, entity_type, v))
            if listings and any(x.active(now) for x in listings):
                hits.setdefault(v, []).append(name)
    return hits


def match_subscribers(
    session: Session, *, keys: KeyStore, workspace: Path, actor: str
) -> list[dict[str, Any]]:
    """Our subscribers whose number or holder a partner has listed (masked: this answers
    "who", the case workflow takes it from there)."""
    import duckdb

    from fraudwall.privacy import mask_id, mask_number
    from fraudwall.store import Workspace

    acting_user(session, name=actor, action="lists.read")
    ws = Workspace(workspace)
    glob = ws.glob("subscribers").replace("'", "''")
    con = duckdb.connect()
    try:
        rows = con.execute(
            f"SELECT DISTINCT msisdn, holder_id_hash FROM read_parquet('{glob}', "
            "union_by_name=true)"
        ).fetchall()
    finally:
        con.close()
    now = utcnow()
    numbers = match_values(
        session,
        keys=keys,
        entity_type="msisdn",
        values=sorted({r[0] for r in rows if r[0]}),
        now=now,
    )
    holders = match_values(
        session,
        keys=keys,
        entity_type="holder_id_hash",
        values=sorted({r[1] for r in rows if r[1]}),
        now=now,
    )
    out = []
    for msisdn, holder in rows:
        what = [
            w for w, hit in (("number", msisdn in numbers), ("holder", holder in holders)) if hit
        ]
        if what:
            by = sorted(set(numbers.get(msisdn, []) + holders.get(holder, [])))
            out.append(
                {
                    "msisdn": mask_number(msisdn),
                    "holder_id_hash": mask_id(holder),
                    "listed_by": by,
                    "what": what,
                }
            )
    return sorted(out, key=lambda r: str(r["msisdn"]))
