"""Shared fixtures: tiny inline tables written to a real workspace, and a detection context."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest

# Database fixtures (db, db_url, migrated_url, pg_cluster) on SQLite and PostgreSQL.
from dbfixtures import db, db_url, migrated_url, pg_cluster  # noqa: F401

# Engine fixtures (engine_name, engine_con, spark_session): DuckDB, and Spark where asked.
from enginefixtures import engine_con, engine_name, spark_session  # noqa: F401

from fraudwall.detectors.base import Context
from fraudwall.features.base import FeatureCache
from fraudwall.policy import load_policy
from fraudwall.store import Tables, Workspace

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

Rows = pd.DataFrame | Sequence[Mapping[str, Any]]


def to_arrow(rows: Rows) -> pa.Table:
    df = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
    return pa.Table.from_pandas(df, preserve_index=False)


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    return Workspace(tmp_path / "ws")


@pytest.fixture
def make_ctx(tmp_path: Path, engine_con: Callable[[], Any]) -> Callable[..., Context]:  # noqa: F811
    """Build a detection context from inline tables: ``make_ctx(calls=[{...}, ...], ...)``.

    Each table is cast to the canonical schema (missing optional columns become nulls) and
    stored in a fresh workspace, so detectors read it exactly as in a real run. Timestamps may
    be given as strings. Pass ``policy=`` to override the default policy. The context runs
    on the engine under test (``engine_name``: DuckDB unless the module asks for both).
    """
    counter = iter(range(1_000_000))

    def build(policy: Any = None, **tables: Rows) -> Context:
        ws = Workspace(tmp_path / f"ws{next(counter)}")
        for name, rows in tables.items():
            df = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
            for col in df.columns:
                if col in {"started_at", "sent_at", "at", "activated_at", "deactivated_at"}:
                    df[col] = pd.to_datetime(df[col])
            ws.write_table(name, pa.Table.from_pandas(df, preserve_index=False))
        con = engine_con()
        t = Tables(ws, con)
        return Context(
            tables=t, features=FeatureCache(t, con), con=con, policy=policy or load_policy()
        )

    return build
