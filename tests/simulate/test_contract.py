"""Every table written by the simulator conforms to the canonical contract."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import duckdb
import pyarrow.dataset as ds
import pytest

from fraudwall.contract import TABLES
from fraudwall.simulate import Summary
from fraudwall.simulate.ids import luhn_ok
from fraudwall.simulate.params import HIGH_RISK_REGIONS


def _dataset(world: Summary, name: str) -> ds.Dataset:
    single = world.out_dir / f"{name}.parquet"
    return ds.dataset(single if single.exists() else world.out_dir / name, format="parquet")


def test_layout(world: Summary) -> None:
    out = world.out_dir
    for name in ("subscribers", "cells", "complaints", "labels", "truth/labels"):
        assert (out / f"{name}.parquet").is_file()
    for name in ("calls", "sms", "data_sessions", "device_events"):
        files = sorted(p.name for p in (out / name).iterdir())
        assert files == ["2026-03-02.parquet", "2026-03-03.parquet"]
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert manifest["timezone"] == "Asia/Shanghai"
    assert (manifest["seed"], manifest["start"], manifest["days"]) == (world.seed, "2026-03-02", 2)
    assert manifest["generator"].startswith("fraudwall.simulate")
    assert manifest["high_risk_regions"] == list(HIGH_RISK_REGIONS)


@pytest.mark.parametrize("name", list(TABLES))
def test_schema_required_allowed_and_ranges(world: Summary, name: str) -> None:
    table = TABLES[name]
    data = _dataset(world, name).to_table()
    assert data.schema.equals(table.arrow_schema()), data.schema
    assert data.num_rows > 0
    for col in table.columns:
        values = data[col.name]
        if col.required:
            assert values.null_count == 0, col.name
        if col.allowed is not None:
            assert set(values.unique().drop_null().to_pylist()) <= set(col.allowed), col.name
        if col.min is not None and values.null_count < len(values):
            assert min(v for v in values.to_pylist() if v is not None) >= col.min, col.name
        if col.max is not None and values.null_count < len(values):
            assert max(v for v in values.to_pylist() if v is not None) <= col.max, col.name


def test_numbers_and_identities(db: duckdb.DuckDBPyConnection, one: Callable[[str], Any]) -> None:
    own = re.compile(r"^1[3-9]\d{9}$")
    for (m,) in db.execute("SELECT msisdn FROM subscribers").fetchall():
        assert own.match(m), m
    parties = {p for (p,) in db.execute("SELECT DISTINCT other_party FROM calls").fetchall()}
    assert any(p.startswith(("+44", "+63")) for p in parties)
    assert {"95588", "10086"} & parties
    assert any(own.match(p) for p in parties)
    bad_imsi = one(
        """SELECT count(*) FROM (SELECT imsi FROM subscribers WHERE imsi IS NOT NULL
           UNION ALL SELECT imsi FROM calls)
           WHERE NOT regexp_matches(imsi, '^4600[02]\\d{10}$')"""
    )
    assert bad_imsi == 0
    imeis = [i for (i,) in db.execute("SELECT DISTINCT imei FROM calls").fetchall()]
    assert all(len(i) == 15 and i.isdigit() and luhn_ok(i) for i in imeis)
    not_hex = "NOT regexp_matches(holder_id_hash, '^[0-9a-f]{64}$')"
    assert one(f"SELECT count(*) FROM subscribers WHERE {not_hex}") == 0


def test_record_ids_unique(one: Callable[[str], Any]) -> None:
    for name in ("calls", "sms"):
        n, distinct = one(f"SELECT [count(*), count(DISTINCT record_id)] FROM {name}")
        assert n == distinct > 0
    n, distinct = one("SELECT [count(*), count(DISTINCT complaint_id)] FROM complaints")
    assert n == distinct


def test_on_net_calls_have_both_legs(one: Callable[[str], Any]) -> None:
    """Every MO leg towards an own number has the matching MT leg, and vice versa."""
    unmatched = one(
        """WITH mo AS (SELECT * FROM calls WHERE direction = 'MO'
                        AND other_party IN (SELECT msisdn FROM own)),
                mt AS (SELECT * FROM calls WHERE direction = 'MT'
                        AND other_party IN (SELECT msisdn FROM own))
           SELECT count(*) FROM mo FULL JOIN mt
             ON mo.msisdn = mt.other_party AND mo.other_party = mt.msisdn
            AND mo.started_at = mt.started_at AND mo.duration_s = mt.duration_s
           WHERE mo.record_id IS NULL OR mt.record_id IS NULL"""
    )
    assert unmatched == 0
    # A call with an off-net party is a single leg: no MT leg has an off-net served number.
    assert one("SELECT count(*) FROM calls WHERE msisdn NOT IN (SELECT msisdn FROM own)") == 0
    assert (
        one(
            """SELECT count(*) FROM calls WHERE direction = 'MO'
           AND other_party NOT IN (SELECT msisdn FROM own)"""
        )
        > 0
    )


def test_cells_and_subscribers_look_like_an_operator(one: Callable[[str], Any]) -> None:
    assert one("SELECT avg((risk_area = 0)::INT) FROM cells") > 0.9
    assert one("SELECT max(risk_area) FROM cells") >= 2
    assert (
        one(
            """SELECT avg((kyc_face_match BETWEEN 0.85 AND 0.99)::INT) FROM subscribers
           WHERE kyc_face_match IS NOT NULL"""
        )
        > 0.8
    )
    years = one(
        "SELECT date_diff('day', min(activated_at), max(activated_at)) / 365 FROM subscribers"
    )
    assert years > 5
    operators = one("SELECT list(DISTINCT operator ORDER BY operator) FROM subscribers")
    assert operators[0] != operators[-1] and "CMCC" in operators
    assert one("SELECT count(*) FROM subscribers WHERE arpu IS NOT NULL") > 0
