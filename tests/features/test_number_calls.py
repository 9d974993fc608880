"""The lead's number_calls family against values worked out by hand on eight call legs."""

import ibis
import pandas as pd
import pyarrow as pa
import pytest

from fraudwall.features.base import FAMILIES, load_families
from fraudwall.features.number_calls import call_counts
from fraudwall.store import Tables, Workspace, connect


def leg(msisdn, other, direction, at, duration, **extra):
    return {
        "record_id": f"{msisdn}{other}{at}",
        "msisdn": msisdn,
        "other_party": other,
        "direction": direction,
        "started_at": at,
        "duration_s": duration,
        **extra,
    }


CALLS = [
    leg("A", "B", "MO", "2026-03-02 00:30:00", 0, imei="I1", imsi="S1", cell_id="c1"),
    leg("A", "C", "MO", "2026-03-02 10:05:00", 10, imei="I1", imsi="S1", cell_id="c2"),
    leg(
        "A",
        "C",
        "MO",
        "2026-03-02 10:40:00",
        400,
        imei="I2",
        imsi="S1",
        cell_id="c2",
        roaming_region="MM",
    ),
    leg("A", "B", "MT", "2026-03-03 09:00:00", 30, imei="I2", imsi="S2", cell_id="c1"),
    leg("A", "D", "MT", "2026-03-03 09:10:00", 50),
    leg("A", "D", "MO", "2026-03-03 23:59:00", 16, roaming_region=""),
    leg("B", "A", "MO", "2026-03-03 09:00:00", 30),
    leg("B", "E", "FWD", "2026-03-03 12:00:00", 20),
]

EXPECTED = {
    "A": dict(
        calls_out=4,
        calls_in=2,
        callees=3,
        callers=2,
        out_unanswered=1,
        out_short=1,
        out_long=1,
        out_talk_s=426,
        in_talk_s=80,
        night_out=1,
        active_days=2,
        active_hours=4,
        peak_hour_out=2,
        imeis=2,
        imsis=2,
        cells=2,
        roaming_calls=1,
        callees_called_back=2,
        first_seen=pd.Timestamp("2026-03-02 00:30:00"),
        last_seen=pd.Timestamp("2026-03-03 23:59:00"),
    ),
    "B": dict(
        calls_out=1,
        calls_in=0,
        callees=1,
        callers=0,
        out_unanswered=0,
        out_short=0,
        out_long=0,
        out_talk_s=30,
        in_talk_s=0,
        night_out=0,
        active_days=1,
        active_hours=2,
        peak_hour_out=1,
        imeis=0,
        imsis=0,
        cells=0,
        roaming_calls=0,
        callees_called_back=0,
        first_seen=pd.Timestamp("2026-03-03 09:00:00"),
        last_seen=pd.Timestamp("2026-03-03 12:00:00"),
    ),
}


@pytest.fixture(scope="module")
def features(tmp_path_factory):
    ws = Workspace(tmp_path_factory.mktemp("ws"))
    df = pd.DataFrame(CALLS).assign(started_at=lambda d: pd.to_datetime(d["started_at"]))
    ws.write_table("calls", pa.Table.from_pandas(df, preserve_index=False))
    load_families()
    con = connect("duckdb", threads=1)
    out = con.execute(FAMILIES["number_calls"].compute(Tables(ws, con)))
    return out.set_index("entity_id")


def test_every_declared_column_is_checked():
    load_families()
    declared = set(FAMILIES["number_calls"].columns) - {"entity_id"}
    assert declared == set(EXPECTED["A"]) == set(EXPECTED["B"])


@pytest.mark.parametrize("number", ["A", "B"])
def test_values_match_the_hand_count(features, number):
    got = features.loc[number]
    for column, want in EXPECTED[number].items():
        assert got[column] == want, column


def test_one_row_per_served_number(features):
    # Numbers only ever seen as the other party (C, D, E) have no row of their own.
    assert sorted(features.index) == ["A", "B"]


@pytest.mark.parametrize(
    "names",
    [
        ["callees_called_back"],  # the party table alone
        ["peak_hour_out", "active_days"],  # the hour table alone
        ["imeis", "calls_in"],  # the per-number aggregation alone
        ["cells", "callers", "active_hours", "out_short"],  # all three, out of order
    ],
)
def test_call_counts_computes_only_the_named_columns(names):
    df = pd.DataFrame(CALLS).assign(started_at=lambda d: pd.to_datetime(d["started_at"]))
    con = connect("duckdb", threads=1)
    out = con.execute(call_counts(ibis.memtable(df), names)).set_index("entity_id")
    family_order = [c for c in FAMILIES["number_calls"].columns if c in names]
    assert list(out.columns) == family_order
    assert sorted(out.index) == ["A", "B"]
    for number in ("A", "B"):
        for column in names:
            assert out.loc[number, column] == EXPECTED[number][column], (number, column)


def test_call_counts_refuses_unknown_columns():
    with pytest.raises(ValueError, match="talk_time"):
        call_counts(ibis.memtable(pd.DataFrame(CALLS)), ["calls_out", "talk_time"])
