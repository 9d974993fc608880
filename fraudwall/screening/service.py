"""Putting an engine together from its sources, and keeping its lookups fresh.

Where things come from is decided here, not in the engine: the policy file, the state store
(``memory`` or ``redis://``), blacklists (the case database's lists — ours, police's and
partners' — or a CSV file), a run's ``risk.parquet`` and subscribers' settings from the case
database. The CLI, the worker and ``fraudwall serve`` all build their engine with
:func:`build_engine`.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fraudwall.screening.engine import Engine
from fraudwall.screening.lookups import DictRisk, DictSettings, ListLookup, SetLists
from fraudwall.screening.policy import ScreeningPolicy
from fraudwall.screening.stores import MemoryStore, StateStore, open_store


@dataclass(frozen=True)
class ScreenConfig:
    """Everything a screening engine is built from (``FRAUDWALL_SCREEN_*`` in the service)."""

    policy: Path | None = None
    state: str | None = None  # memory | redis://host:port/db
    lists: Path | None = None  # CSV kind,value[,list]; None: the case database's lists
    risk: Path | None = None  # a run directory with risk.parquet
    database_url: str | None = None
    snapshot: Path | None = None  # in-process state snapshot file
    max_callers: int = 12_000_000
    refresh_s: float = 30.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **over: Any) -> ScreenConfig:
        env = os.environ if env is None else env

        def path(var: str) -> Path | None:
            return Path(env[var]) if env.get(var) else None

        base = cls(
            policy=path("FRAUDWALL_POLICY"),
            state=env.get("FRAUDWALL_SCREEN_STATE") or None,
            lists=path("FRAUDWALL_SCREEN_LISTS"),
            risk=path("FRAUDWALL_SCREEN_RISK") or path("FRAUDWALL_WORKSPACE"),
            database_url=env.get("FRAUDWALL_DATABASE_URL") or None,
            snapshot=path("FRAUDWALL_SCREEN_SNAPSHOT"),
        )
        return cls(**{**base.__dict__, **{k: v for k, v in over.items() if v is not None}})


def load_screening_policy(path: Path | None) -> ScreeningPolicy:
    from fraudwall.policy import load_policy

    return load_policy(path).screening


class DbLists:
    """The case database's blacklists (ours, police's, partners' tokens) as a lookup."""

    def __init__(self, database_url: str | None) -> None:
        self.database_url = database_url
        self._snap: Any = None
        self.reload()

    def reload(self) -> None:
        from fraudwall.db import open_database
        from fraudwall.lists.check import Snapshot
        from fraudwall.lists.snapshot import load_lists

        db = open_database(self.database_url)
        try:
            with db.session(via="screen:lists", readonly=True) as s:
                listed, tokens = load_lists(s, _keys(), datetime.now(UTC))
        finally:
            db.dispose()
        self._snap = Snapshot(listed=listed, partner_tokens=tokens)

    def match(self, kind: str, value: str) -> str | None:
        hits = self._snap.hits(kind, value, datetime.now(UTC))
        return hits[0].source if hits else None


def _keys() -> Any:
    keys_dir = os.environ.get("FRAUDWALL_KEYS_DIR")
    if not keys_dir:
        return None
    from fraudwall.lists.keys import KeyStore

    return KeyStore(Path(keys_dir))


def load_subscriber_settings(database_url: str | None) -> DictSettings:
    from fraudwall.db import open_database
    from fraudwall.screening.subscribers import load_settings

    db = open_database(database_url)
    try:
        with db.session(via="screen:settings", readonly=True) as s:
            return load_settings(s)
    finally:
        db.dispose()


def build_engine(config: ScreenConfig, *, use_database: bool = True) -> Engine:
    """An engine from ``config``; with ``use_database`` lists and settings come from the DB."""
    policy = load_screening_policy(config.policy)
    state: StateStore = open_store(
        config.state, ttl_minutes=policy.state_ttl_minutes, max_callers=config.max_callers
    )
    if isinstance(state, MemoryStore) and config.snapshot is not None and config.snapshot.exists():
        state.restore(config.snapshot)
    lists: ListLookup
    if config.lists is not None:
        lists = SetLists.from_file(config.lists)
    elif use_database:
        lists = DbLists(config.database_url)
    else:
        lists = SetLists()
    risk = DictRisk.from_run(config.risk) if config.risk is not None else None
    settings = load_subscriber_settings(config.database_url) if use_database else DictSettings()
    return Engine(policy=policy, state=state, lists=lists, risk=risk, subscribers=settings)


class Refresher:
    """Reloads lists and subscriber settings every ``every_s`` seconds in a thread, and writes
    the in-process state's snapshot; lookups are swapped whole, so a decision never sees a
    half-loaded list."""

    def __init__(self, engine: Engine, config: ScreenConfig) -> None:
        self.engine, self.config = engine, config
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="screen-refresh", daemon=True)

    def start(self) -> Refresher:
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.config.refresh_s):
            self.tick()

    def tick(self) -> None:
        lists = self.engine.lists
        if isinstance(lists, DbLists):
            lists.reload()
        if isinstance(self.engine.subscribers, DictSettings):
            self.engine.subscribers = load_subscriber_settings(self.config.database_url)

    def stop(self) -> None:
        self._stop.set()
        state = self.engine.state
        if isinstance(state, MemoryStore) and self.config.snapshot is not None:
            state.snapshot(self.config.snapshot)
