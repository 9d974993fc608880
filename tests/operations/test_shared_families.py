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


def test_device_sims_from_the_shared_device_residence_equals_the_raw_computation(tables):
    load_families()
    cache = FeatureCache(tables, tables.con)
    shared = cache["device_sims"].execute().sort_values("entity_id", ignore_index=True)
    raw = FAMILIES["device_sims"].compute(tables).execute()
    raw = raw.sort_values("entity_id", ignore_index=True)
    assert len(shared) > 100
    assert shared.equals(raw)
    assert "device_residence" in cache._done  # materialised once and reused


def test_the_sighting_spans_give_the_handset_and_sim_counts_of_the_raw_sightings(tables):
    from fraudwall.features.number_devices import sighting_spans, sightings

    spans = sighting_spans(tables)
    assert sighting_spans(tables) is spans  # one table for the run
    assert "features:sighting_spans" in tables.ledger.seconds  # charged to itself in run.json
    raw = sightings(tables)
    expected = raw.group_by("msisdn").agg(
        imeis=raw.imei.nunique(), imsis=raw.imsi.nunique(), first=raw.at.min(), last=raw.at.max()
    )
    got = spans.group_by("msisdn").agg(
        imeis=spans.imei.nunique(),
        imsis=spans.imsi.nunique(),
        first=spans.first_at.min(),
        last=spans.last_at.max(),
    )
    expected = expected.execute().sort_values("msisdn", ignore_index=True)
    got = got.execute().sort_values("msisdn", ignore_index=True)
    assert len(got) > 100 and (got.imeis > 1).any()
    assert got.equals(expected)
