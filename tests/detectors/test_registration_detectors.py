"""Holder and outlet detectors: each fires on the case and stays silent on its look-alike."""

from __future__ import annotations

import numpy as np
import pandas as pd

from fraudwall.detectors.library.card_resale import CardResale
from fraudwall.detectors.library.id_over_card_limit import IdOverCardLimit
from fraudwall.detectors.library.outlet_low_face_match import OutletLowFaceMatch
from fraudwall.detectors.library.outlet_registration_burst import OutletRegistrationBurst

DAY0 = pd.Timestamp("2025-01-01")


def num(i: int, prefix: str = "138") -> str:
    return f"+86{prefix}{i:08d}"


def hits(ctx, cls):
    return cls().find(ctx, ctx.policy.params(cls.name)).execute()


def card(
    i,
    holder,
    *,
    htype="personal",
    activated=DAY0,
    deactivated=None,
    operator=None,
    outlet=None,
    agent=None,
    kyc=None,
    city="北京",
    prefix="138",
):
    return {
        "msisdn": num(i, prefix),
        "holder_id_hash": holder,
        "holder_type": htype,
        "activated_at": activated,
        "deactivated_at": deactivated,
        "operator": operator,
        "outlet_id": outlet,
        "agent_id": agent,
        "kyc_face_match": kyc,
        "home_city": city,
    }


# -- id_over_card_limit --------------------------------------------------------------------------
def test_over_limit_counts_other_operators_and_ignores_companies(make_ctx):
    limit = IdOverCardLimit.Params().max_cards
    rows = [card(i, "OVER") for i in range(limit)]
    rows.append(card(50, "OVER", operator="CUCC", prefix="186"))  # one more at another operator
    rows += [card(100 + i, "AT_LIMIT") for i in range(limit)]
    rows += [card(200 + i, "COMPANY", htype="enterprise") for i in range(3 * limit)]
    rows += [card(300 + i, "FLEET", htype="iot") for i in range(3 * limit)]
    ctx = make_ctx(subscribers=rows)
    got = hits(ctx, IdOverCardLimit)
    assert got["entity_id"].tolist() == ["OVER"]
    row = got.iloc[0]
    assert row["peak_personal_cards"] == limit + 1
    assert row["operators"] == 2
    assert row["score"] >= 0.6  # a breach of the rule is never a low-risk lead


def test_over_limit_counts_cards_held_at_once_not_cards_ever_held(make_ctx):
    limit = IdOverCardLimit.Params().max_cards
    # Replaced cards: each closed before the next opened, so never more than `limit` at once.
    swaps = [
        card(
            i,
            "SWAPPER",
            activated=DAY0 + pd.Timedelta(days=30 * i),
            deactivated=DAY0 + pd.Timedelta(days=30 * i + 10),
        )
        for i in range(limit + 3)
    ]
    ctx = make_ctx(subscribers=swaps)
    assert hits(ctx, IdOverCardLimit).empty


def test_more_cards_over_the_limit_score_higher(make_ctx):
    limit = IdOverCardLimit.Params().max_cards
    rows = [card(i, "A") for i in range(limit + 1)] + [card(100 + i, "B") for i in range(2 * limit)]
    got = hits(make_ctx(subscribers=rows), IdOverCardLimit).set_index("entity_id")["score"]
    assert got["B"] > got["A"]


# -- card_resale ---------------------------------------------------------------------------------
CELLS = [
    {"cell_id": "BJ1", "city": "北京", "lat": 39.9, "lon": 116.4},
    {"cell_id": "BJ2", "city": "北京", "lat": 39.95, "lon": 116.3},
    {"cell_id": "SH1", "city": "上海", "lat": 31.2, "lon": 121.5},
    {"cell_id": "GZ1", "city": "广州", "lat": 23.1, "lon": 113.3},
    {"cell_id": "SZ1", "city": "深圳", "lat": 22.5, "lon": 114.1},
    {"cell_id": "FS1", "city": "佛山", "lat": 23.02, "lon": 113.12},
]


def used(msisdn, imei, cell, n=6, to="+8613900000000"):
    t0 = pd.Timestamp("2026-03-02 10:00")
    return [
        {
            "record_id": f"{msisdn}-{imei}-{to}-{k}",
            "msisdn": msisdn,
            "other_party": to,
            "direction": "MO",
            "started_at": t0 + pd.Timedelta(hours=k),
            "duration_s": 60,
            "imei": imei,
            "cell_id": cell,
        }
        for k in range(n)
    ]


def test_card_resale_fires_on_scattered_cards_not_on_traveller_family_or_commuter(make_ctx):
    subs, calls = [], []
    # Resold: a Beijing holder keeps one card; three more live in strangers' phones far away.
    subs.append(card(0, "RESOLD"))
    calls += used(num(0), "OWN", "BJ1")
    for i, (imei, cell) in enumerate([("X1", "SH1"), ("X2", "GZ1"), ("X3", "SH1")], start=1):
        subs.append(card(i, "RESOLD"))
        calls += used(num(i), imei, cell)
    # Traveller: two cards in one dual-SIM phone, on a trip to Shanghai.
    for i in (10, 11):
        subs.append(card(i, "TRAVELLER"))
        calls += used(num(i), "T1", "SH1")
    # Family: three cards, three phones, all at home.
    for i, imei in zip((20, 21, 22), ("F1", "F2", "F3"), strict=True):
        subs.append(card(i, "FAMILY"))
        calls += used(num(i), imei, "BJ1" if i % 2 else "BJ2")
    # Guangzhou holder whose cards are used in the twin city Foshan (about 20 km): commuters.
    for i, imei in zip((30, 31), ("C1", "C2"), strict=True):
        subs.append(card(i, "COMMUTER", city="广州"))
        calls += used(num(i), imei, "FS1")
    # A company's phones spread over the country are not resale.
    for i, (imei, cell) in enumerate([("E1", "SH1"), ("E2", "GZ1"), ("E3", "SZ1")]):
        subs.append(card(40 + i, "COMPANY", htype="enterprise"))
        calls += used(num(40 + i), imei, cell)
    ctx = make_ctx(subscribers=subs, calls=calls, cells=CELLS)
    got = hits(ctx, CardResale)
    assert got["entity_id"].tolist() == ["RESOLD"]
    row = got.iloc[0]
    assert (row["away_cards"], row["away_devices"], row["away_cities"]) == (3, 3, 2)
    assert row["away_unlinked"] == 3
    assert row["home_city"] == "北京"
    assert row["score"] >= 0.6


def test_card_resale_scores_cards_in_touch_with_the_holder_lower(make_ctx):
    subs, calls = [], []
    # Two Beijing holders, each with two cards in far phones: strangers' for one, the
    # children's at university for the other (they call home).
    for holder, first, calls_home in (("SOLD", 0, False), ("PARENT", 10, True)):
        subs.append(card(first, holder))
        calls += used(num(first), f"{holder}-HOME", "BJ1")
        for k, cell in ((1, "SH1"), (2, "GZ1")):
            subs.append(card(first + k, holder))
            to = num(first) if calls_home else "+8613900000000"
            calls += used(num(first + k), f"{holder}-{k}", cell, to=to)
    got = hits(make_ctx(subscribers=subs, calls=calls, cells=CELLS), CardResale)
    score = got.set_index("entity_id")["score"]
    assert score["SOLD"] >= 0.6 > score["PARENT"]


# -- outlets -------------------------------------------------------------------------------------
def outlet_history(outlet, first, *, days=60, per_day=2, agents=("A1", "A2"), seed=0):
    """A steady outlet: ``per_day`` registrations a day with ordinary face-match scores."""
    rng = np.random.default_rng(seed)
    rows = []
    for d in range(days):
        for k in range(per_day):
            i = first + d * per_day + k
            at = DAY0 + pd.Timedelta(days=d, hours=10 + k % 8, minutes=int(rng.integers(60)))
            rows.append(
                card(
                    i,
                    f"H{i}",
                    activated=at,
                    outlet=outlet,
                    agent=f"{outlet}-{agents[k % len(agents)]}",
                    kyc=float(rng.uniform(0.8, 0.99)),
                )
            )
    return rows


def burst(outlet, first, n, *, day=70, kyc=(0.8, 0.99), holders=None, agent="A1", seed=1):
    rng = np.random.default_rng(seed)
    return [
        card(
            first + k,
            f"B{outlet}{k % holders if holders else k}",
            outlet=outlet,
            agent=f"{outlet}-{agent}",
            activated=DAY0 + pd.Timedelta(days=day, hours=11, minutes=3 * k),
            kyc=float(rng.uniform(*kyc)),
        )
        for k in range(n)
    ]


def population(n_outlets=10):
    return [r for o in range(n_outlets) for r in outlet_history(f"N{o}", 100_000 * (o + 1), seed=o)]


def test_registration_burst_fires_on_bulk_opening_not_on_flagship_or_promotion(make_ctx):
    rows = population()
    rows += outlet_history("BULK", 10_000)
    rows += burst("BULK", 20_000, 30, kyc=(0.2, 0.5))  # poor face matches: borrowed IDs
    rows += outlet_history("FLAGSHIP", 30_000, per_day=40)  # always busy
    rows += outlet_history("PROMO", 50_000)
    rows += burst("PROMO", 60_000, 30)  # one busy day, real customers, good matches
    ctx = make_ctx(subscribers=rows)
    got = hits(ctx, OutletRegistrationBurst)
    assert got["entity_id"].tolist() == ["BULK"]
    row = got.iloc[0]
    assert row["registrations"] == 30
    assert row["burst_multiple"] >= OutletRegistrationBurst.Params().min_multiple


def test_registration_burst_sees_one_agent_inside_a_busy_outlet(make_ctx):
    rows = population()
    # A flagship with six agents; one clerk opens 25 cards on 5 IDs in an afternoon.
    rows += outlet_history("FLAGSHIP", 30_000, per_day=30, agents=tuple(f"A{k}" for k in range(6)))
    rows += burst("FLAGSHIP", 40_000, 25, holders=5, agent="A0")
    got = hits(make_ctx(subscribers=rows), OutletRegistrationBurst)
    assert got["entity_id"].tolist() == ["FLAGSHIP"]
    assert got["agent"].iloc[0] == "agent FLAGSHIP-A0"
    assert got["cards_per_holder"].iloc[0] == 5


def test_low_face_match_fires_on_a_bad_outlet_not_on_a_busy_good_one(make_ctx):
    rows = population()
    bad = outlet_history("BAD", 10_000, days=30)
    for r in bad[::3]:  # a third of its registrations with poor matches
        r["kyc_face_match"] = 0.3
    rows += bad
    rows += outlet_history("FLAGSHIP", 30_000, per_day=40)
    ctx = make_ctx(subscribers=rows)
    got = hits(ctx, OutletLowFaceMatch)
    assert got["entity_id"].tolist() == ["BAD"]
    row = got.iloc[0]
    assert row["low_kyc"] >= 20  # the planted poor matches, plus chance ones below the cut
    assert row["kyc_multiple"] >= OutletLowFaceMatch.Params().min_kyc_multiple


def test_low_face_match_needs_more_than_chance(make_ctx):
    rows = population()
    small = outlet_history("SMALL", 10_000, days=2)  # four registrations
    small[0]["kyc_face_match"] = 0.3
    rows += small
    assert hits(make_ctx(subscribers=rows), OutletLowFaceMatch).empty


def test_registration_burst_needs_more_poor_matches_than_chance(make_ctx):
    # Two one-day bursts of eight customers: three poor matches are an unlucky promotion day,
    # seven are borrowed IDs. Both are several times the population's poor-match share.
    rows = population()
    rows += outlet_history("PROMO", 10_000)
    promo = burst("PROMO", 20_000, 8)
    for r in promo[:3]:
        r["kyc_face_match"] = 0.3
    bulk = burst("BULK", 40_000, 8)
    for r in bulk[:7]:
        r["kyc_face_match"] = 0.3
    rows += promo + outlet_history("BULK", 30_000) + bulk
    p = OutletRegistrationBurst.Params()
    got = hits(make_ctx(subscribers=rows), OutletRegistrationBurst)
    assert got["entity_id"].tolist() == ["BULK"]
    assert got["kyc_z"].item() >= p.min_kyc_z
    # Without the chance test the unlucky promotion day would have been flagged as well.
    loose = OutletRegistrationBurst.Params(min_kyc_z=0.01)
    ctx = make_ctx(subscribers=rows)
    assert set(OutletRegistrationBurst().find(ctx, loose).execute()["entity_id"]) == {
        "BULK",
        "PROMO",
    }


def test_low_face_match_holds_a_modest_cluster_to_a_high_bar(make_ctx):
    # A month in which one in five of an honest shop's customers scored just under the cut:
    # over three standard deviations, which some of the many thousands of windows tested
    # reach by chance. The default bar leaves it; the textbook one would flag it.
    rows = population()
    shop = outlet_history("SHOP", 10_000, days=30, per_day=1)
    for r in shop[::5]:
        r["kyc_face_match"] = 0.805
    rows += shop
    ctx = make_ctx(subscribers=rows)
    assert hits(ctx, OutletLowFaceMatch).empty
    loose = OutletLowFaceMatch.Params(min_z=3.0)
    assert OutletLowFaceMatch().find(ctx, loose).execute()["entity_id"].tolist() == ["SHOP"]


def test_registration_burst_across_midnight_is_one_burst(make_ctx):
    """Eight cards on four IDs, half in the evening and half the next morning: neither day
    alone reaches a burst's fewest registrations; the two days together are one burst. The
    same split of real customers, one card each, stays silent."""
    rows = population()
    for outlet, first, per_holder in (("NIGHT", 10_000, 2), ("FAIR", 30_000, 1)):
        rows += outlet_history(outlet, first)[::4]  # a quiet shop: one registration in two days
        for k in range(8):
            at = DAY0 + pd.Timedelta(days=70, hours=20 + k)  # 20:00 to 03:00 the next day
            holder = f"{outlet}-H{k // per_holder}"
            rows.append(card(first + 5_000 + k, holder, activated=at, outlet=outlet, kyc=0.9))
    got = hits(make_ctx(subscribers=rows), OutletRegistrationBurst)
    assert got["entity_id"].tolist() == ["NIGHT"]
    assert (got["span_days"].item(), got["registrations"].item()) == (2, 8)
    one_day = OutletRegistrationBurst.Params(window_days=1)
    assert OutletRegistrationBurst().find(make_ctx(subscribers=rows), one_day).execute().empty
