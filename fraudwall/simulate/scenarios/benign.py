"""Hard legitimate cases: behaviour that looks like a scenario but is not (label ``benign``)."""

from __future__ import annotations

import numpy as np

from fraudwall.simulate.day import Day
from fraudwall.simulate.events import Batch
from fraudwall.simulate.params import HOURS_DAY, HOURS_OFFICE, scaled
from fraudwall.simulate.rhythm import durations, sample_in_profile
from fraudwall.simulate.scenarios.base import BasePlant, distinct_targets, random_cities
from fraudwall.simulate.world import ENTERPRISE, World


class CallCentres(BasePlant):
    """Company lines in one office: heavy outbound in office hours, longer answered calls,
    customers calling in."""

    name = "call_centre"

    def __init__(self, world: World, rng: np.random.Generator) -> None:
        centres = max(2, scaled(world.n, 0.03, 2))
        size = rng.integers(6, 16, centres)
        which = np.repeat(np.arange(centres), size)
        self.subs = world.take(which.size)
        world.silence(self.subs)  # work lines: no private social life on them
        holders = world.new_holders(centres)
        city = random_cities(world, rng, centres)
        world.holder[self.subs] = holders[which]
        world.holder_type[self.subs] = ENTERPRISE
        world.kyc[self.subs] = np.nan
        world.home_city[self.subs] = city[which]
        world.pin(self.subs, world.cells.random_in_city(rng, city)[which])
        self.rate = rng.integers(50, 151, self.subs.size)
        world.labels.add("msisdn", self.subs, "benign", 9 * 3600, "call_centre")

    def events(self, day: Day, rng: np.random.Generator, batch: Batch) -> None:
        if day.date.weekday() == 6:
            return
        scale = 0.3 if day.weekend else 1.0
        k = rng.binomial(self.rate, scale)
        a = np.repeat(self.subs, k)
        t = day.t0 + sample_in_profile(rng, a.size, HOURS_OFFICE)
        batch.call(
            a,
            distinct_targets(day.world, rng, k),
            t,
            durations(rng, 0.25, a.size, median_s=150, sigma=0.8),
        )
        ki = rng.binomial(k, 0.2)
        b = np.repeat(self.subs, ki)
        batch.call(
            day.world.random_parties(rng, b.size),
            b,
            day.t0 + sample_in_profile(rng, b.size, HOURS_OFFICE),
            durations(rng, 0.1, b.size, median_s=180, sigma=0.8),
        )


def _local_people(world: World, rng: np.random.Generator, city: np.ndarray, k: int) -> np.ndarray:
    """``k`` numbers per entry of ``city``: ordinary people living there, 30% off-net."""
    own = world.ordinary()
    out = world.random_parties(rng, city.size * k, p_own=0.0).reshape(city.size, k)
    by_city = world.home_city[own]
    for i, c in enumerate(city):  # one draw per courier (a few dozen at most)
        local = own[by_city == c]
        if local.size:
            pick = rng.random(k) < 0.7
            out[i, pick] = local[rng.integers(0, local.size, int(pick.sum()))]
    return out


class Couriers(BasePlant):
    """Delivery drivers and sales people: many different numbers, and they call back.

    Drivers make many short answered calls while moving across many cells; sales people call
    a client list, with longer calls and clients calling them.
    """

    name = "delivery_driver"

    def __init__(self, world: World, rng: np.random.Generator) -> None:
        n_drv, n_sales = scaled(world.n, 2, 12), scaled(world.n, 2, 12)
        self.drivers = world.take(n_drv)
        world.mobility[self.drivers] = 0.85
        self.sales = world.take(n_sales)
        world.mobility[self.sales] = 0.4
        self.clients = world.random_parties(rng, n_sales * 120).reshape(n_sales, 120)
        # Drivers deliver in their own city: their customers live there (or are off-net).
        self.local = _local_people(world, rng, world.home_city[self.drivers], 400)
        world.labels.add("msisdn", self.drivers, "benign", 8 * 3600, "delivery_driver")
        world.labels.add("msisdn", self.sales, "benign", 9 * 3600, "sales")

    def events(self, day: Day, rng: np.random.Generator, batch: Batch) -> None:
        k = rng.integers(20, 51, self.drivers.size)
        who = np.repeat(np.arange(self.drivers.size), k)
        a = self.drivers[who]
        b = self.local[who, rng.integers(0, self.local.shape[1], who.size)]
        t = day.t0 + sample_in_profile(rng, a.size, HOURS_DAY)
        batch.call(a, b, t, durations(rng, 0.15, a.size, median_s=30, sigma=0.6))
        back = rng.random(a.size) < 0.4
        batch.call(
            b[back],
            a[back],
            t[back] + rng.integers(60, 3600, int(back.sum())),
            durations(rng, 0.1, int(back.sum()), median_s=25, sigma=0.6),
        )
        # Sales: weekdays, a client list (so some numbers repeat), clients call back.
        if day.weekend:
            return
        k = rng.integers(15, 41, self.sales.size)
        who = np.repeat(np.arange(self.sales.size), k)
        b = self.clients[who, rng.integers(0, self.clients.shape[1], who.size)]
        t = day.t0 + sample_in_profile(rng, who.size, HOURS_OFFICE)
        batch.call(self.sales[who], b, t, durations(rng, 0.3, who.size, median_s=120))
        back = rng.random(who.size) < 0.3
        batch.call(
            b[back],
            self.sales[who[back]],
            t[back] + rng.integers(600, 7200, int(back.sum())),
            durations(rng, 0.1, int(back.sum()), median_s=150),
        )


class Households(BasePlant):
    """Families with 4-5 cards on one ID, companies with many cards, and heavy social callers."""

    name = "family_cards"

    def __init__(self, world: World, rng: np.random.Generator) -> None:
        n_fam = scaled(world.n, 2, 12)
        size = rng.integers(4, 6, n_fam)
        which = np.repeat(np.arange(n_fam), size)
        subs = world.take(which.size)
        holders = world.new_holders(n_fam)
        world.holder[subs] = holders[which]
        city = world.home_city[subs[np.cumsum(size) - size]]
        world.home_city[subs] = city[which]
        home = world.cells.random_in_city(rng, city)
        world.home_cell[subs] = home[which]
        # Members moved into the family's city work there too (not in their old city).
        world.work_cell[subs] = world.cells.random_in_city(rng, city[which])
        # Everyone in a family knows everyone else.
        i, j = np.triu_indices(5, 1)
        first = np.cumsum(size) - size
        ok = (i[None, :] < size[:, None]) & (j[None, :] < size[:, None])
        fam = np.nonzero(ok)
        u = subs[first[fam[0]] + i[fam[1]]]
        v = subs[first[fam[0]] + j[fam[1]]]
        world.extra_edges.append(np.column_stack([u, v]).ravel())
        world.labels.add("holder_id_hash", holders, "benign", 0, "family_cards")

        n_ent = scaled(world.n, 0.3, 10)
        size = rng.integers(10, 41, n_ent)
        which = np.repeat(np.arange(n_ent), size)
        subs = world.take(which.size)
        holders = world.new_holders(n_ent)
        city = random_cities(world, rng, n_ent)
        world.holder[subs] = holders[which]
        world.holder_type[subs] = ENTERPRISE
        world.kyc[subs] = np.nan
        world.home_city[subs] = city[which]
        world.home_cell[subs] = world.cells.random_in_city(rng, city[which])
        world.work_cell[subs] = world.cells.random_in_city(rng, city)[which]
        world.labels.add("holder_id_hash", holders, "benign", 0, "enterprise_cards")

        n_heavy = scaled(world.n, 3, 12)
        heavy = world.take(n_heavy)
        world.degree[heavy] = rng.integers(35, 41, n_heavy)
        world.call_rate[heavy] = rng.uniform(12, 25, n_heavy)
        world.labels.add("msisdn", heavy, "benign", 0, "heavy_social")
