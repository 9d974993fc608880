"""The truth says what the data shows: nobody outside a labelled population behaves like it.

Border cells are where several plants can land by chance (a den in a rented flat, a card sold
on to a border town); the labels must follow what each entity does, not which plant made it.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import numpy as np

from fraudwall.simulate.geo import CITY_MAX_RISK, CITY_PROVINCE, CITY_WEIGHTS, build_cells
from fraudwall.simulate.scenarios.base import far_cities
from fraudwall.simulate.seeds import rng_for

#: Numbers seen in border cells of risk 2+ outside their home city on two days or more.
BORDER_PRESENCE = """
    SELECT c.msisdn FROM calls c JOIN cells USING (cell_id) JOIN subscribers s USING (msisdn)
    WHERE cells.risk_area >= 2 AND cells.city <> s.home_city
    GROUP BY 1 HAVING count(DISTINCT c.started_at::DATE) >= 2"""


def test_every_number_present_near_the_border_is_labelled(one: Callable[[str], Any]) -> None:
    # High-risk presence, or a SIM box / fraud gang working from there (narrower scenarios).
    unexplained = one(
        f"""SELECT count(*) FROM ({BORDER_PRESENCE}) p WHERE msisdn NOT IN (
              SELECT entity_id FROM labels
              WHERE label IN ('high_risk_roaming', 'fraud_caller', 'simbox_sim'))"""
    )
    assert unexplained == 0


def test_travellers_stay_out_of_high_risk_cells_away_from_home(one: Callable[[str], Any]) -> None:
    away = one(
        """SELECT count(*) FROM calls c JOIN cells USING (cell_id) JOIN subscribers s
           USING (msisdn) WHERE cells.risk_area >= 2 AND cells.city <> s.home_city
           AND msisdn IN (SELECT entity_id FROM labels WHERE detail = 'traveller')"""
    )
    assert away == 0


def test_far_cities_can_keep_away_from_the_border() -> None:
    rng = rng_for(3, "test_far_cities")
    home = np.zeros(5_000, dtype=np.int16)
    # far_cities draws from the world's city weights alone (the default profile's here).
    world = SimpleNamespace(city_weights=lambda: CITY_WEIGHTS)
    anywhere = far_cities(world, rng, home)  # type: ignore[arg-type]
    calm = far_cities(world, rng, home, max_risk=1)  # type: ignore[arg-type]
    assert (CITY_PROVINCE[anywhere] != CITY_PROVINCE[home]).all()
    assert (CITY_PROVINCE[calm] != CITY_PROVINCE[home]).all()
    assert (CITY_MAX_RISK[anywhere] >= 2).any()  # border cities are reachable by default
    assert (CITY_MAX_RISK[calm] <= 1).all()


def test_risky_in_city_picks_high_risk_cells_of_that_city() -> None:
    cells = build_cells(rng_for(3, "test_cells"), 3_000)
    border = np.flatnonzero(CITY_MAX_RISK >= 2)
    city = np.repeat(border, 200)
    got = cells.risky_in_city(rng_for(3, "test_pick"), city, 2)
    assert (cells.city[got] == city).all()
    assert (cells.risk[got] >= 2).all()
    assert len(np.unique(got)) > border.size  # not always the same cell
