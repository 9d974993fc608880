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


@pytest.mark.parametrize(
    ("family", "base"), [("number_profile", "number_calls"), ("device_sims", "device_residence")]
)
def test_a_family_from_the_shared_family_it_builds_on_equals_the_raw_computation(
    tables, family, base
):
    load_families()
    cache = FeatureCache(tables, tables.con)
    shared = cache[family].execute().sort_values("entity_id", ignore_index=True)
    raw = FAMILIES[family].compute(tables).execute()
    raw = raw.sort_values("entity_id", ignore_index=True)
    assert len(shared) > 100
    assert shared.equals(raw)
    assert base in cache._done  # materialised once and reused


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


def test_the_call_handsets_are_one_table_per_run_also_for_a_family_built_on_the_cache(tables):
    from fraudwall.features.number_devices import call_handsets

    load_families()
    tables = Tables(tables.workspace, connect("duckdb", threads=1))  # a run of its own
    cache = FeatureCache(tables, tables.con)
    residence = cache["device_residence"]  # built through the cache's map of tables
    assert "features:call_handsets" in tables.ledger.seconds  # the family derived the table
    first = call_handsets(tables)
    assert call_handsets(tables) is first
    c = tables["calls"]
    c = c.filter(c.imei.notnull() & (c.imei != ""))
    raw = c.group_by("msisdn", "imei").agg(
        n=c.count(), first_seen=c.started_at.min(), last_seen=c.started_at.max()
    )
    cols = ["msisdn", "imei"]
    got = first.execute().sort_values(cols, ignore_index=True)
    assert len(got) > 100 and got.equals(raw.execute().sort_values(cols, ignore_index=True))
    # The family's main handset is the handset with most calls, as from the raw rows.
    inline = FAMILIES["device_residence"].compute({"calls": tables["calls"]}).execute()
    shared = residence.execute().sort_values("entity_id", ignore_index=True)
    assert shared.equals(inline.sort_values("entity_id", ignore_index=True))
