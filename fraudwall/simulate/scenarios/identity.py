"""Identity scenarios: IDs holding too many cards, cards resold to strangers far away, and
long-silent cards that suddenly wake up."""

from __future__ import annotations

import numpy as np

from fraudwall.simulate.day import Day
from fraudwall.simulate.events import Batch
from fraudwall.simulate.geo import CITY_MAX_RISK
from fraudwall.simulate.params import scaled
from fraudwall.simulate.population import add_other_cards, shop_time
from fraudwall.simulate.rhythm import mixed_durations
from fraudwall.simulate.scenarios.base import (
    BasePlant,
    distinct_targets,
    far_cities,
    new_handsets,
    random_cities,
    register,
)
from fraudwall.simulate.world import DAY_S, World


class ManyCards(BasePlant):
    """IDs holding 6-15 cards, some of them at other operators (一证多卡)."""

    name = "id_many_cards"

    def __init__(self, world: World, rng: np.random.Generator) -> None:
        n = scaled(world.n, 1, 12)
        total = rng.integers(6, 16, n)
        other = np.minimum(rng.integers(0, 6, n), total - 2)
        own = total - other
        holders = world.new_holders(n)
        which = np.repeat(np.arange(n), own)
        subs = world.take(which.size)
        city = random_cities(world, rng, n)
        world.home_city[subs] = city[which]
        register(world, rng, subs, (20, 3 * 365), holder=holders[which])
        world.home_cell[subs] = world.cells.random_in_city(rng, city[which])
        world.work_cell[subs] = world.cells.random_in_city(rng, city[which])
        # About half of such cards lie unused; the others are someone's everyday phone.
        idle = subs[rng.random(subs.size) < 0.5]
        world.silence(idle)
        world.loc_rate[idle] = 0.0
        ow = np.repeat(np.arange(n), other)
        add_other_cards(
            world,
            rng,
            "other_cards_many",
            holders[ow],
            city[ow],
            shop_time(rng, -rng.integers(20, 3 * 365, ow.size)),
        )
        world.labels.add("holder_id_hash", holders, "id_many_cards", 0)


class CardResale(BasePlant):
    """Holders whose cards are used by strangers with their own phones in far-away provinces.

    The holder keeps one card for himself at home; the other 2-4 were sold on. Their users
    live ordinary lives (own social circles) in another province, so the cards roam there
    every day on handsets unrelated to the holder. A card sold on to a border city is used in
    its border cells (risk 2+), every day: that is high-risk presence by construction, and
    the card is labelled ``high_risk_roaming`` (``border_cells``).
    """

    name = "card_resale"

    def __init__(self, world: World, rng: np.random.Generator) -> None:
        n = scaled(world.n, 1, 12)
        holders = world.new_holders(n)
        city = random_cities(world, rng, n)
        sold = rng.integers(2, 5, n)
        which = np.repeat(np.arange(n), 1 + sold)
        subs = world.take(which.size)
        world.home_city[subs] = city[which]
        register(world, rng, subs, (30, 400), holder=holders[which])
        first = np.cumsum(1 + sold) - (1 + sold)
        keep = np.zeros(subs.size, dtype=bool)
        keep[first] = True
        world.home_cell[subs[keep]] = world.cells.random_in_city(rng, city)
        world.work_cell[subs[keep]] = world.cells.random_in_city(rng, city)
        resold = subs[~keep]
        far = far_cities(world, rng, city[which[~keep]])
        world.home_cell[resold] = world.cells.random_in_city(rng, far)
        world.work_cell[resold] = world.cells.random_in_city(rng, far)
        border = CITY_MAX_RISK[far] >= 2
        if border.any():
            for anchor in (world.home_cell, world.work_cell):
                anchor[resold[border]] = world.cells.risky_in_city(rng, far[border], 2)
            world.labels.add("msisdn", resold[border], "high_risk_roaming", 0, "border_cells")
        new_handsets(world, resold)
        world.labels.add("holder_id_hash", holders, "card_resale", 0)


class SilentAwakened(BasePlant):
    """Cards activated years ago, silent and cheap, that start dialling strangers one day."""

    name = "silent_awakened"

    def __init__(self, world: World, rng: np.random.Generator) -> None:
        n = scaled(world.n, 1.5, 12)
        self.subs = world.take(n)
        world.silence(self.subs)
        world.loc_rate[self.subs] = 0.0
        world.home_city[self.subs] = random_cities(world, rng, n)
        register(world, rng, self.subs, (2 * 365, 8 * 365))
        world.kyc[self.subs] = np.nan  # registered before face checks
        world.arpu[self.subs] = np.round(rng.uniform(3, 12, n), 2)
        cell = world.cells.random_in_city(rng, world.home_city[self.subs])
        world.pin(self.subs, cell, mobility=0.1)
        new_handsets(world, self.subs)
        # Wake up between a third and three quarters into the period, in the daytime.
        frac = rng.uniform(0.35, 0.75, n)
        wake_day = np.minimum((frac * world.days).astype(np.int64), world.days - 1)
        self.wake = wake_day * DAY_S + rng.integers(8 * 3600, 16 * 3600, n)
        self.rate = rng.integers(30, 100, n)
        world.labels.add("msisdn", self.subs, "silent_awakened", self.wake)

    def events(self, day: Day, rng: np.random.Generator, batch: Batch) -> None:
        end = day.t0 + DAY_S
        awake = self.wake < end
        subs, wake = self.subs[awake], np.maximum(self.wake[awake], day.t0)
        if subs.size == 0:
            return
        woke_today = self.wake[awake] >= day.t0
        batch.signal(subs[woke_today], "power_on", wake[woke_today])
        batch.signal(subs[woke_today], "attach", wake[woke_today] + 5)
        # A full day's burst to strangers, squeezed into the hours that remain on waking day.
        share = (end - wake) / DAY_S
        k = rng.poisson(self.rate[awake])
        a = np.repeat(subs, k)
        t = np.repeat(wake, k) + (rng.random(a.size) * np.repeat(end - wake - 60, k)).astype(
            np.int64
        )
        batch.call(
            a,
            distinct_targets(day.world, rng, k),
            t,
            mixed_durations(rng, a.size, 0.45, (5, 60), 0.1, 300),
        )
        ks = rng.poisson(8 * share)
        sa = np.repeat(subs, ks)
        batch.text(
            sa,
            distinct_targets(day.world, rng, ks),
            np.repeat(wake, ks) + rng.integers(0, 3600, sa.size),
            rng.integers(20, 120, sa.size),
        )
        kl = rng.poisson(2 * share)
        lu = np.repeat(np.arange(subs.size), kl)
        batch.signal(
            subs[lu],
            "location_update",
            wake[lu] + (rng.random(lu.size) * (end - wake[lu])).astype(np.int64),
        )
