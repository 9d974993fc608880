"""One simulated day: where everybody is that day, and where they are at a given second."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from fraudwall.simulate.geo import CITY_PROVINCE, CITY_WEIGHTS, PROVINCES
from fraudwall.simulate.params import (
    HIGH_RISK_REGIONS,
    HOURS_WEEKDAY,
    HOURS_WEEKEND,
    TRAVEL_REGIONS,
    profile_cdf,
)
from fraudwall.simulate.world import DAY_S, World

#: Every roaming region code: domestic provinces, then foreign countries.
ROAM_CODES = PROVINCES + TRAVEL_REGIONS + HIGH_RISK_REGIONS
#: Share of ordinary people on a trip to another city on a given day.
DAY_TRIP_SHARE = 0.004
WORK_START_H, WORK_END_H = 9, 18
P_AT_WORK = 0.75


def roam_code(code: str) -> int:
    return ROAM_CODES.index(code)


@dataclass
class Day:
    """The state of one day: anchors (home and work cell), roaming and the call rhythm."""

    world: World
    index: int
    date: dt.date
    home: np.ndarray  # anchor cell for off-work hours
    work: np.ndarray  # anchor cell for working hours
    intl: np.ndarray  # int16 roaming code when abroad (no own cell), else -1

    @property
    def t0(self) -> int:
        """Start of the day, seconds since the period start."""
        return self.index * DAY_S

    @property
    def weekend(self) -> bool:
        return self.date.weekday() >= 5

    @property
    def hours_cdf(self) -> np.ndarray:
        return profile_cdf(HOURS_WEEKEND if self.weekend else HOURS_WEEKDAY)

    def go_to(self, subs: np.ndarray, cells: np.ndarray) -> None:
        """Put subscribers at ``cells`` for the whole day (a trip, a den, a border town)."""
        self.home[subs] = cells
        self.work[subs] = cells

    def go_abroad(self, subs: np.ndarray, code: str) -> None:
        self.intl[subs] = roam_code(code)

    def locate(self, subs: np.ndarray, t: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Serving cell of each ``subs[i]`` at second ``t[i]``; -1 while abroad."""
        w = self.world
        subs = np.asarray(subs, dtype=np.int64)
        hour = (np.asarray(t) - self.t0) // 3600
        at_work = (
            (not self.weekend)
            & (hour >= WORK_START_H)
            & (hour < WORK_END_H)
            & (rng.random(subs.size) < P_AT_WORK)
        )
        cell = np.where(at_work, self.work[subs], self.home[subs])
        wander = rng.random(subs.size) < w.mobility[subs]
        if wander.any():
            city = w.cells.city[cell[wander]]
            cell[wander] = w.cells.random_in_city(rng, city)
        cell[self.intl[subs] >= 0] = -1
        return cell

    def roaming(self, subs: np.ndarray) -> np.ndarray:
        """Roaming region code of each subscriber today (index into ROAM_CODES), -1 at home."""
        w = self.world
        subs = np.asarray(subs, dtype=np.int64)
        here = CITY_PROVINCE[w.cells.city[self.home[subs]]]
        home = CITY_PROVINCE[w.home_city[subs]]
        code = np.where(here != home, here, -1).astype(np.int16)
        abroad = self.intl[subs]
        return np.where(abroad >= 0, abroad, code)


def make_day(world: World, index: int, rng: np.random.Generator) -> Day:
    """The state of day ``index``: everybody at their anchors, a few on day trips, then each
    plant moves its own subscribers."""
    day = Day(
        world=world,
        index=index,
        date=world.start + dt.timedelta(days=index),
        home=world.home_cell.copy(),
        work=world.work_cell.copy(),
        intl=np.full(world.n, -1, dtype=np.int16),
    )
    ordinary = np.flatnonzero(world.social & ~world.planted)
    trips = ordinary[rng.random(ordinary.size) < DAY_TRIP_SHARE]
    dest = rng.choice(CITY_WEIGHTS.size, size=trips.size, p=world.city_weights())
    day.go_to(trips, world.cells.random_in_city(rng, dest))
    for plant in world.plants:
        plant.adjust_day(day)
    return day
