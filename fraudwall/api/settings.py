"""Service settings, read from the environment (``FRAUDWALL_*``).

>>> env = {"FRAUDWALL_DATABASE_URL": "sqlite:///x.db", "FRAUDWALL_MAX_BODY_KB": "64"}
>>> s = Settings.from_env(env)
>>> s.database_url, s.max_body_bytes
('sqlite:///x.db', 65536)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from fraudwall.errors import InputError


class Settings(BaseModel):
    """What the service needs to know about its surroundings."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: ``FRAUDWALL_DATABASE_URL`` (default: the CLI's default SQLite file).
    database_url: str | None = None
    #: ``FRAUDWALL_WORKSPACE``: the latest run's directory (subscribers for card counts,
    #: ``risk.parquet`` for outlets' risk), read by the registration check.
    workspace: Path | None = None
    #: ``FRAUDWALL_KEYS_DIR``: the sharing key store (partners' keys match imported tokens).
    keys_dir: Path | None = None
    #: ``FRAUDWALL_POLICY``: a policy file (default: the built-in policy).
    policy: Path | None = None
    #: ``FRAUDWALL_RUNS_DIR``: the folder holding run directories ``POST /v1/cases/import``
    #: may name (by name only: a client never gives the server a path).
    runs_dir: Path | None = None
    #: ``FRAUDWALL_EXPORT_DIR``: where ``POST /v1/batches/{n}/export`` writes ``batch-N/``.
    export_dir: Path | None = None
    #: ``FRAUDWALL_BATCH_OUTBOX`` or ``FRAUDWALL_BATCH_URL``: where batches are delivered.
    batch_outbox: Path | None = None
    batch_url: str | None = None
    #: ``FRAUDWALL_PROVISIONING_OUTBOX`` or ``FRAUDWALL_PROVISIONING_URL``: where approved
    #: actions are dispatched as provisioning commands.
    provisioning_outbox: Path | None = None
    provisioning_url: str | None = None
    #: ``FRAUDWALL_MAX_BODY_KB``: larger request bodies are refused with 413.
    max_body_bytes: int = Field(1 << 20, ge=1024)
    #: ``FRAUDWALL_CHECK_REFRESH_S``: how often the registration check's snapshot is rebuilt.
    check_refresh_s: float = Field(5.0, gt=0)
    #: ``FRAUDWALL_TOKEN_CACHE_S``: how long a verified token is trusted without the database;
    #: the bound on how late a revocation from another process takes effect (0: never cache).
    token_cache_s: float = Field(2.0, ge=0, le=60)
    #: ``FRAUDWALL_FREEZE_HEAP``: at start-up, exempt what start-up built from garbage
    #: collection (see :func:`fraudwall.api.app.settle_heap`); ``fraudwall serve`` sets it.
    freeze_heap: bool = False

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Settings from ``env`` (default: ``os.environ``); a bad value names its variable."""
        env = os.environ if env is None else env
        raw: dict[str, object] = {}
        for name, var in _VARS.items():
            if env.get(var):
                raw[name] = env[var]
        if "max_body_bytes" in raw:
            try:
                raw["max_body_bytes"] = int(str(raw["max_body_bytes"])) * 1024
            except ValueError:
                raise InputError("not a whole number", field="FRAUDWALL_MAX_BODY_KB") from None
        try:
            return cls(**raw)
        except ValidationError as e:
            err = e.errors()[0]
            var = _VARS.get(str(err["loc"][0]), str(err["loc"][0]))
            raise InputError(err["msg"], field=var) from None


_VARS = {
    "database_url": "FRAUDWALL_DATABASE_URL",
    "workspace": "FRAUDWALL_WORKSPACE",
    "keys_dir": "FRAUDWALL_KEYS_DIR",
    "policy": "FRAUDWALL_POLICY",
    "runs_dir": "FRAUDWALL_RUNS_DIR",
    "export_dir": "FRAUDWALL_EXPORT_DIR",
    "batch_outbox": "FRAUDWALL_BATCH_OUTBOX",
    "batch_url": "FRAUDWALL_BATCH_URL",
    "provisioning_outbox": "FRAUDWALL_PROVISIONING_OUTBOX",
    "provisioning_url": "FRAUDWALL_PROVISIONING_URL",
    "max_body_bytes": "FRAUDWALL_MAX_BODY_KB",
    "check_refresh_s": "FRAUDWALL_CHECK_REFRESH_S",
    "token_cache_s": "FRAUDWALL_TOKEN_CACHE_S",
    "freeze_heap": "FRAUDWALL_FREEZE_HEAP",
}
