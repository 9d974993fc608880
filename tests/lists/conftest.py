"""Users, a key store and a tiny workspace for the list, check and sharing tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from fraudwall.auth import Role, UserCreate, add_user
from fraudwall.db import Database
from fraudwall.lists.keys import KeyStore

USERS = [
    ("boss", Role.supervisor, None),
    ("boss2", Role.supervisor, None),
    ("ann", Role.analyst, None),
    ("lee", Role.liaison, "unit-a"),
    ("aud", Role.auditor, None),
    ("pos", Role.system, None),
]


def add_users(db: Database) -> None:
    """The team every test acts as."""
    with db.session() as s:
        for name, role, unit in USERS:
            add_user(s, data=UserCreate(name=name, role=role, unit=unit), actor="boss")


@pytest.fixture
def team(db: Database) -> Iterator[Database]:
    add_users(db)
    yield db


def write_workspace(root: Path, subscribers: list[dict[str, object]]) -> Path:
    """A workspace holding only a subscribers table (and an outlet risk file)."""
    table = root / "store" / "subscribers"
    table.mkdir(parents=True)
    cols = ["msisdn", "holder_id_hash", "operator", "status", "deactivated_at", "outlet_id"]
    data = {c: [r.get(c) for r in subscribers] for c in cols}
    schema = pa.schema(
        [(c, pa.timestamp("us") if c == "deactivated_at" else pa.string()) for c in cols]
    )
    pq.write_table(pa.table(data, schema=schema), table / "part-0.parquet")
    risk = pa.table(
        {
            "entity_type": ["outlet_id", "outlet_id", "msisdn"],
            "entity_id": ["OUT-BAD", "OUT-MED", "+8613800000000"],
            "risk_score": [0.93, 0.65, 0.99],
            "risk_level": ["high", "medium", "high"],
            "run_id": ["r1", "r1", "r1"],
        }
    )
    pq.write_table(risk, root / "risk.parquet")
    return root


@pytest.fixture
def keys(tmp_path: Path) -> KeyStore:
    store = KeyStore(tmp_path / "keys-us")
    store.init(operator="cq-telecom")
    return store


@pytest.fixture
def make_workspace():  # type: ignore[no-untyped-def]
    """:func:`write_workspace`, for tests."""
    return write_workspace


@pytest.fixture
def add_team():  # type: ignore[no-untyped-def]
    """:func:`add_users`, for tests that build a second database."""
    return add_users
