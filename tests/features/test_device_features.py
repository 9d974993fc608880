"""device_residence and device_sims against values worked out by hand on a few call legs."""

from __future__ import annotations

import pandas as pd
from enginefixtures import on_both_engines

pytestmark = on_both_engines


def leg(i, msisdn, direction, at, imei=None, cell=None):
    return {
        "record_id": f"r{i}",
        "msisdn": msisdn,
        "other_party": f"+8613900000{i:03d}",
        "direction": direction,
        "started_at": at,
        "duration_s": 30,
        "imei": imei,
        "cell_id": cell,
    }


CALLS = [
    # A: three calls on its own phone P, one test call in the shop's phone S.
    leg(1, "A", "MO", "2026-03-02 09:00", "P", "c1"),
    leg(2, "A", "MT", "2026-03-02 10:00", "P", "c1"),
    leg(3, "A", "MO", "2026-03-02 11:00", "P", "c2"),
    leg(4, "A", "MO", "2026-03-02 12:10", "S", "shop"),
    # B: one call in S, one in its own phone Q: a tie, broken by the smaller IMEI (Q < S).
    leg(5, "B", "MO", "2026-03-02 12:20", "S", "shop"),
    leg(6, "B", "MO", "2026-03-02 15:00", "Q", "c3"),
    # C and D live in S, calling out in the same hour; an unknown IMEI does not count.
    leg(7, "C", "MO", "2026-03-02 12:30", "S", "shop"),
    leg(8, "C", "MO", "2026-03-02 12:40", "S", "shop"),
    leg(9, "D", "MO", "2026-03-02 12:50", "S", "shop"),
    leg(10, "D", "MO", "2026-03-02 13:05", None, None),
]
EVENTS = [
    {"msisdn": "E", "event": "sim_change", "at": "2026-03-02 08:00", "imei": "S"},
    {"msisdn": "C", "event": "sim_change", "at": "2026-03-02 12:29", "imei": "S"},
    {"msisdn": "A", "event": "attach", "at": "2026-03-02 08:00", "imei": "P"},
]


def test_device_residence_finds_each_numbers_main_handset_and_cell(make_ctx):
    ctx = make_ctx(calls=CALLS)
    got = ctx.features["device_residence"].execute().set_index("entity_id")
    assert got.loc["A", ["main_imei", "imei_calls", "main_cell", "cell_calls"]].tolist() == [
        "P",
        4,
        "c1",
        4,
    ]
    assert got.loc["A", "main_imei_share"] == 0.75
    assert got.loc["A", "main_cell_share"] == 0.5
    assert got.loc["B", "main_imei"] == "Q"  # tie broken deterministically
    assert got.loc["D", ["main_imei", "main_imei_share", "imei_calls"]].tolist() == ["S", 1.0, 1]


def test_device_sims_counts_resident_and_passing_sims(make_ctx):
    ctx = make_ctx(calls=CALLS, device_events=EVENTS)
    got = ctx.features["device_sims"].execute().set_index("entity_id")
    shop = got.loc["S"]
    # A, B, C, D called from S and E was put in it: five SIMs seen. C and D live there; B
    # has half its calls there (0.5 reaches the residence share) but lives in Q by the tie.
    assert shop["sims"] == 5
    assert shop["resident_sims"] == 2
    assert shop["peak_hour_sims"] == 4  # A, B, C, D between 12:00 and 13:00
    assert shop["sim_changes"] == 2
    assert (shop["calls_out"], shop["calls_in"], shop["cells"]) == (5, 0, 1)
    assert shop["first_seen"] == pd.Timestamp("2026-03-02 12:10")
    p = got.loc["P"]
    assert (p["sims"], p["resident_sims"], p["calls_out"], p["calls_in"], p["cells"]) == (
        1,
        1,
        2,
        1,
        2,
    )


def test_device_sims_without_device_events(make_ctx):
    got = make_ctx(calls=CALLS).features["device_sims"].execute().set_index("entity_id")
    assert got.loc["S", "sims"] == 4
    assert (got["sim_changes"] == 0).all()
