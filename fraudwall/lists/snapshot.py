"""Building the registration check's :class:`~fraudwall.lists.check.Snapshot`, and keeping a
fresh one in the service.

Lists come from the case database (every active entry, and partners' keys from the key store
to match their tokens); cards per holder from the workspace's ``subscribers`` (counted by
DuckDB, once per change of the store); outlets' risk from the run's ``risk.parquet``.
:class:`SnapshotCache` rebuilds it in a background thread, so requests never wait on I/O.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fraudwall.audit import AuditEntry
from fraudwall.db import Database
from fraudwall.errors import NotFound
from fraudwall.lists.check import Listing, Snapshot
from fraudwall.lists.keys import KeyStore
from fraudwall.lists.models import ListEntry
from fraudwall.policy import RegistrationPolicy
from fraudwall.store import Workspace


def load_lists(
    session: Session, keys: KeyStore | None, now: datetime
) -> tuple[dict[tuple[str, str], list[Listing]], dict[str, tuple[bytes, dict[str, list[Listing]]]]]:
    """Active entries: ours by (entity type, value), partners' by token under their key.

    A partner's tokens are used only while its key is in the key store (without the key they
    cannot be matched, and removing a partner's key is how its list is dropped at once).
    """
    listed: dict[tuple[str, str], list[Listing]] = {}
    tokens: dict[str, dict[str, list[Listing]]] = {}
    q = select(
        ListEntry.id,
        ListEntry.entity_type,
        ListEntry.value,
        ListEntry.is_token,
        ListEntry.partner,
        ListEntry.source,
        ListEntry.reason_code,
        ListEntry.expires_at,
    ).where(ListEntry.removed_at.is_(None))
    for row in session.execute(q):
        if row.expires_at is not None and row.expires_at <= now:
            continue
        item = Listing(row.id, row.source, row.reason_code, row.expires_at, row.partner)
        if row.is_token:
            tokens.setdefault(row.partner or "", {}).setdefault(row.value, []).append(item)
        else:
            listed.setdefault((row.entity_type, row.value), []).append(item)
    partner_tokens: dict[str, tuple[bytes, dict[str, list[Listing]]]] = {}
    for name, found in tokens.items():
        if keys is None:
            continue
        try:
            partner_tokens[name] = (keys.partner(name).hmac_key, found)
        except NotFound:
            continue
    return listed, partner_tokens


def card_counts(workspace: Workspace) -> dict[str, dict[str, int]]:
    """Active cards per holder and operator in the workspace's subscribers (closed or
    deactivated cards do not count; a row without operator is our own)."""
    con = duckdb.connect()
    try:
        glob = workspace.glob("subscribers").replace("'", "''")
        cols = {
            r[0]
            for r in con.execute(
                f"DESCRIBE SELECT * FROM read_parquet('{glob}', union_by_name=true)"
            ).fetchall()
        }
        active = ["deactivated_at IS NULL"] if "deactivated_at" in cols else []
        if "status" in cols:
            active.append("coalesce(status, 'active') <> 'closed'")
        operator = "coalesce(nullif(operator, ''), 'own')" if "operator" in cols else "'own'"
        where = " AND ".join(active) or "TRUE"
        rows = con.execute(
            f"SELECT holder_id_hash, {operator} AS op, count(*) "
            f"FROM read_parquet('{glob}', union_by_name=true) "
            f"WHERE holder_id_hash IS NOT NULL AND {where} GROUP BY 1, 2"
        ).fetchall()
    finally:
        con.close()
    out: dict[str, dict[str, int]] = {}
    for holder, op, n in rows:
        out.setdefault(holder, {})[op] = int(n)
    return out


def outlet_risk(run_dir: Path) -> dict[str, tuple[float, str, str]]:
    """Outlets' risk from the run's ``risk.parquet`` (empty when there is none)."""
    path = run_dir / "risk.parquet"
    if not path.exists():
        return {}
    con = duckdb.connect()
    try:
        rows = con.execute(
            "SELECT entity_id, risk_score, risk_level, coalesce(run_id, '') FROM read_parquet(?) "
            "WHERE entity_type = 'outlet_id'",
            [str(path)],
        ).fetchall()
    finally:
        con.close()
    return {str(e): (float(s), str(lv), str(r)) for e, s, lv, r in rows}


def _store_stamp(ws: Workspace) -> tuple[object, ...]:
    files = ws.parquet_files("subscribers")
    risk = ws.path / "risk.parquet"
    return (
        tuple((str(f), f.stat().st_mtime_ns) for f in files),
        risk.stat().st_mtime_ns if risk.exists() else None,
    )


class SnapshotBuilder:
    """Builds snapshots, re-reading the workspace only when its files changed."""

    def __init__(
        self,
        db: Database,
        *,
        workspace: Path | None,
        keys: KeyStore | None,
        policy: RegistrationPolicy,
    ) -> None:
        self.db, self.keys, self.policy = db, keys, policy
        self.workspace = Workspace(workspace) if workspace else None
        self._stamp: tuple[object, ...] | None = None
        self._cards: dict[str, dict[str, int]] = {}
        self._outlets: dict[str, tuple[float, str, str]] = {}
        self._loaded = False
        self._listed_stamp: tuple[object, ...] | None = None
        self._lists: tuple[
            dict[tuple[str, str], list[Listing]], dict[str, tuple[bytes, dict[str, list[Listing]]]]
        ] = ({}, {})

    def _lists_stamp(self, session: Session) -> tuple[object, ...]:
        """Changes when any list changes: every change (add, update, remove, partner import)
        writes an audit entry, so the newest such entry is a cheap, indexed version number."""
        newest = session.scalar(
            select(func.max(AuditEntry.id)).where(
                AuditEntry.entity_type.in_(("list_entry", "list"))
            )
        )
        folder = self.keys.path / "partners" if self.keys else None
        keys = (
            tuple(sorted((f.name, f.stat().st_mtime_ns) for f in folder.glob("*.json")))
            if folder is not None and folder.is_dir()
            else ()
        )
        return (newest, keys)

    def build(self) -> Snapshot:
        now = datetime.now(UTC)
        with self.db.session(via="check:snapshot", readonly=True) as s:
            stamp = self._lists_stamp(s)
            if stamp != self._listed_stamp:
                self._lists = load_lists(s, self.keys, now)
                self._listed_stamp = stamp
        listed, partner_tokens = self._lists
        ws = self.workspace
        if ws is not None:
            stamp = _store_stamp(ws)
            if stamp != self._stamp:
                self._cards = card_counts(ws) if ws.has("subscribers") else {}
                self._loaded = ws.has("subscribers")
                self._outlets = outlet_risk(ws.path)
                self._stamp = stamp
        return Snapshot(
            listed=listed,
            partner_tokens=partner_tokens,
            cards=self._cards,
            cards_loaded=self._loaded,
            outlets=self._outlets,
            policy=self.policy,
            loaded_at=now,
        )


class SnapshotCache:
    """The current snapshot, rebuilt every ``refresh_s`` seconds in a daemon thread, and at
    once when this process changed a list (``generation`` moved)."""

    def __init__(
        self, build: Callable[[], Snapshot], *, refresh_s: float, generation: Callable[[], int]
    ) -> None:
        self._build, self._refresh_s, self._generation = build, refresh_s, generation
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._seen = -1
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def get(self) -> Snapshot:
        """The current snapshot (built on the first call). Callers that find it stale together
        wait for one rebuild, not one each."""
        snap = self.current()
        if snap is not None:
            return snap
        with self._lock:
            return self.current() or self._rebuild()

    def current(self) -> Snapshot | None:
        """The current snapshot when it needs no rebuild, else ``None`` (never blocks)."""
        snap = self._snapshot
        if snap is None or self._generation() != self._seen:
            return None
        return snap

    def refresh(self) -> Snapshot:
        """Rebuild now, whatever the current snapshot."""
        with self._lock:
            return self._rebuild()

    def _rebuild(self) -> Snapshot:
        gen = self._generation()
        self._snapshot = self._build()
        self._seen = gen
        return self._snapshot

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="check-snapshot", daemon=True)
            self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(self._refresh_s):
            try:
                self.refresh()
            except Exception:  # keep serving the last good snapshot
                time.sleep(self._refresh_s)

    def stop(self) -> None:
        self._stop.set()


def checker_for(db: Database, settings: Any) -> SnapshotCache:
    """A started :class:`SnapshotCache` for the service's ``settings``
    (:class:`fraudwall.api.settings.Settings`) or the CLI's equivalent."""
    from fraudwall.lists import service
    from fraudwall.policy import load_policy

    keys = KeyStore(settings.keys_dir) if settings.keys_dir else None
    builder = SnapshotBuilder(
        db,
        workspace=settings.workspace,
        keys=keys,
        policy=load_policy(settings.policy).registration,
    )
    cache = SnapshotCache(
        builder.build, refresh_s=settings.check_refresh_s, generation=service.generation
    )
    cache.refresh()
    cache.start()
    return cache
