"""Background behaviour is realistic enough that detectors cannot take shortcuts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np

from fraudwall.simulate.build import build
from fraudwall.simulate.social import MAX_DEGREE, MIN_DEGREE, contact_counts

BACKGROUND_MO = """SELECT * FROM calls WHERE direction = 'MO'
                   AND msisdn NOT IN (SELECT msisdn FROM planted)"""


def test_night_is_quieter_than_day(db: Any) -> None:
    per_hour = dict(
        db.execute(
            f"SELECT hour(started_at), count(*) FROM ({BACKGROUND_MO}) GROUP BY 1"
        ).fetchall()
    )
    night = np.mean([per_hour.get(h, 0) for h in range(1, 6)])
    day = np.mean([per_hour.get(h, 0) for h in range(9, 22)])
    assert night < 0.25 * day
    # Peaks: late morning and evening are busier than the early afternoon dip and than 7 am.
    assert per_hour[11] > per_hour[7] and per_hour[20] > per_hour[13]


def test_unanswered_share_and_durations(one: Callable[[str], Any]) -> None:
    unanswered = one(f"SELECT avg((duration_s = 0)::INT) FROM ({BACKGROUND_MO})")
    assert 0.15 <= unanswered <= 0.25
    median = one(f"SELECT median(duration_s) FROM ({BACKGROUND_MO}) WHERE duration_s > 0")
    assert 30 <= median <= 120
    # Heavy tail: some calls last ten times the median.
    assert one(f"SELECT quantile_cont(duration_s, 0.99) FROM ({BACKGROUND_MO})") > 8 * median


def test_social_calls_are_reciprocal_fraud_calls_are_not(one: Callable[[str], Any]) -> None:
    def reciprocity(who: str) -> float:
        return one(
            f"""WITH p AS (SELECT DISTINCT msisdn a, other_party b FROM calls
                           WHERE direction = 'MO'),
                    q AS (SELECT * FROM p WHERE b IN (SELECT msisdn FROM own) AND {who})
               SELECT avg((EXISTS (SELECT 1 FROM p r WHERE r.a = q.b AND r.b = q.a))::INT)
               FROM q"""
        )

    background = reciprocity("a NOT IN (SELECT msisdn FROM planted)")
    fraud = reciprocity("a IN (SELECT entity_id FROM labels WHERE label = 'fraud_caller')")
    assert background > 0.2
    assert fraud < background / 5


def test_contacts_are_mostly_local_and_on_net() -> None:
    w = build(3, 3_000, dt.date(2026, 3, 2), 1)
    on, off = contact_counts(w)
    social = w.social & ~w.planted
    deg = (on + off)[social]
    assert np.median(deg) >= MIN_DEGREE and deg.max() <= MAX_DEGREE + 10
    assert 0.6 < on[social].sum() / deg.sum() < 0.9
    # The graph is undirected: B is in A's on-net list exactly when A is in B's.
    src = np.repeat(np.arange(w.n), on)
    offset = np.arange(on.sum()) - np.repeat(np.cumsum(on) - on, on)
    dst = w.nbr[np.repeat(w.nbr_ptr[:-1], on) + offset].astype(np.int64)
    assert (dst < w.n).all()
    pairs = src * w.n + dst
    assert np.isin(dst * w.n + src, pairs).all()
    same_city = w.cells.city[w.home_cell[src]] == w.cells.city[w.home_cell[dst]]
    assert same_city.mean() > 0.6


def test_people_move_between_cells_in_their_city(one: Callable[[str], Any]) -> None:
    cells = one(
        f"""SELECT median(k) FROM (SELECT msisdn, count(DISTINCT cell_id) k
            FROM ({BACKGROUND_MO}) GROUP BY 1 HAVING count(*) >= 5)"""
    )
    assert cells >= 2
    home_city_share = one(
        f"""SELECT avg((c.city = s.home_city)::INT) FROM ({BACKGROUND_MO}) m
            JOIN cells c USING (cell_id) JOIN subscribers s USING (msisdn)"""
    )
    assert home_city_share > 0.9


def test_handsets_are_kept_and_machine_sms_arrive(one: Callable[[str], Any]) -> None:
    multi = one(
        """SELECT avg((k > 1)::INT) FROM (SELECT msisdn, count(DISTINCT imei) k FROM calls
           WHERE msisdn NOT IN (SELECT msisdn FROM planted) GROUP BY 1)"""
    )
    assert 0 < multi < 0.1
    assert one("SELECT count(*) FROM sms WHERE direction = 'MT' AND other_party LIKE '106%'") > 0
    popular = one(
        """SELECT list(domain ORDER BY n DESC)[1:3] FROM
           (SELECT domain, count(*) n FROM data_sessions GROUP BY 1)"""
    )
    assert "weixin.qq.com" in popular
    events = one("SELECT list(DISTINCT event) FROM device_events")
    assert {"attach", "detach", "power_on", "power_off", "location_update", "sim_change"} <= set(
        events
    )


def test_complaints_are_mostly_about_planted_numbers(one: Callable[[str], Any]) -> None:
    share = one(
        """SELECT avg((reported_number IN (SELECT entity_id FROM labels
                   WHERE entity_type = 'msisdn' AND label <> 'benign'))::INT) FROM complaints"""
    )
    assert 0.5 < share < 1.0  # mostly planted, with some noise
