"""A family built on another reuses it within a run, with the same values as from raw rows."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import batch

from fraudwall.features.base import FAMILIES, FeatureCache, load_families
from fraudwall.ingest import ingest
from fraudwall.store import Tables, Workspace, connect


@pytest.fixture(scope="module")
def tables(small_world: Path, tmp_path_factory: pytest.TempPathFactory) -> Tables:
    ws = Workspace(tmp_path_factory.mktemp("fam") / "ws")
    ingest(batch(small_world, 0), ws)
    return Tables(ws, connect("duckdb", threads=1))


def test_number_profile_from_the_shared_number_calls_equals_the_raw_computation(tables):
    load_families()
    cache = FeatureCache(tables, tables.con)
    shared = cache["number_profile"].execute().sort_values("entity_id", ignore_index=True)
    raw = FAMILIES["number_profile"].compute(tables).execute()
    raw = raw.sort_values("entity_id", ignore_index=True)
    assert len(shared) > 100
    assert shared.equals(raw)
    assert "number_calls" in cache._done  # materialised once and reused
