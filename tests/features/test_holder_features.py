"""holder_cards and holder_card_use against values worked out by hand."""

from __future__ import annotations

import pandas as pd
from enginefixtures import on_both_engines

pytestmark = on_both_engines


def card(msisdn, holder, activated, deactivated=None, htype="personal", operator=None, city="北京"):
    return {
        "msisdn": msisdn,
        "holder_id_hash": holder,
        "holder_type": htype,
        "activated_at": activated,
        "deactivated_at": deactivated,
        "operator": operator,
        "home_city": city,
    }


def test_holder_cards_peak_counts_cards_held_at_once(make_ctx):
    subs = [
        card("a1", "H", "2025-01-01", "2025-03-01"),
        card("a2", "H", "2025-02-01"),
        card("a3", "H", "2025-03-01"),  # opened the moment a1 closed: still two at once
        card("a4", "H", "2025-04-01", operator="CUCC"),  # a cross-operator record
        card("a5", "H", "2025-05-01", htype="enterprise"),  # not a personal card
    ]
    got = make_ctx(subscribers=subs).features["holder_cards"].execute().set_index("entity_id")
    row = got.loc["H"]
    assert (row["cards"], row["personal_cards"], row["peak_personal_cards"]) == (5, 4, 3)
    assert row["operators"] == 2
    assert row["first_activated"] == pd.Timestamp("2025-01-01")
    assert row["last_activated"] == pd.Timestamp("2025-05-01")


CELLS = [
    {"cell_id": "bj", "city": "北京", "lat": 39.9, "lon": 116.4},
    {"cell_id": "tj", "city": "天津", "lat": 39.1, "lon": 117.2},  # about 110 km away
    {"cell_id": "gz", "city": "广州", "lat": 23.1, "lon": 113.3},
]


def call(i, msisdn, cell, imei, to="+8613900000000"):
    return {
        "record_id": f"r{i}",
        "msisdn": msisdn,
        "other_party": to,
        "direction": "MO",
        "started_at": pd.Timestamp("2026-03-02 09:00") + pd.Timedelta(minutes=i),
        "duration_s": 30,
        "imei": imei,
        "cell_id": cell,
    }


def test_holder_card_use_places_cards_by_every_sighting_and_links(make_ctx):
    subs = [
        card("k", "H", "2025-01-01"),
        card("s1", "H", "2025-01-01"),
        card("s2", "H", "2025-01-01"),
        card("d", "H", "2025-01-01"),
    ]
    subs.append(card("x", "CO", "2025-01-01", htype="enterprise"))
    calls = [
        call(1, "k", "bj", "K"),
        call(2, "s1", "tj", "X1"),
        call(3, "s1", "tj", "X1"),
        call(4, "s2", "gz", "X2", to="k"),
        call(5, "x", "gz", "Y"),
    ]
    # d is only seen browsing and on the network, in Guangzhou, in a third phone.
    data = [{"msisdn": "d", "started_at": "2026-03-02 10:00", "domain": "a.cn", "cell_id": "gz"}]
    events = [
        {"msisdn": "d", "event": "attach", "at": "2026-03-02 09:30", "imei": "X3", "cell_id": "gz"}
    ]
    ctx = make_ctx(
        subscribers=subs, calls=calls, cells=CELLS, data_sessions=data, device_events=events
    )
    got = ctx.features["holder_card_use"].execute().set_index("entity_id")
    assert list(got.index) == ["H"]  # personal holders only
    row = got.loc["H"]
    assert row["used_cards"] == 4
    assert (row["away_cards"], row["away_cities"], row["away_devices"]) == (3, 2, 3)
    assert row["away_unlinked"] == 2  # s2 called k, a card of the same holder
    assert row["devices"] == 4
    assert row["home_city"] == "北京"
    assert row["first_seen"] == pd.Timestamp("2026-03-02 09:01")
    assert row["last_seen"] == pd.Timestamp("2026-03-02 10:00")
