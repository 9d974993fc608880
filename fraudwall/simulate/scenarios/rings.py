"""Fraud rings: gangs of callers that work one list of victims from rotating numbers.

A ring is 6-10 cards registered in a batch (minutes apart, in an abnormal outlet's burst) to ID
holders of at most four cards each who sold them on: the resold cards feed the gang. The gang
sits in two neighbouring cells of one city (a flat and the one next door: a den that spreads
over cells) and runs its cards three or more to a handset, on two handsets or more. Its
numbers rotate: each works a stretch of the period, so no single number carries the whole
operation. All of them dial from the ring's shared list of
targets (a victim hung up on by one number is called again from another) and strangers beyond
it; the victims who engage are worked by two or three of the ring's numbers.

Truth: every card is a ``fraud_caller`` and a ``fraud_ring`` member (``detail`` = the ring,
``ring-000`` ...), both cells are a ``den`` (``fraud_ring``), engaged callees are ``victim``;
the outlet is already labelled ``abnormal_registration`` for its burst.
"""

from __future__ import annotations

import numpy as np

from fraudwall.contract import FRAUD_TYPES
from fraudwall.simulate.day import Day
from fraudwall.simulate.events import Batch
from fraudwall.simulate.params import HOURS_DAY, scaled
from fraudwall.simulate.rhythm import mixed_durations, sample_in_profile
from fraudwall.simulate.scenarios.base import BasePlant, distinct_targets
from fraudwall.simulate.scenarios.fraud import Victims, victim_events
from fraudwall.simulate.scenarios.registration import Registration
from fraudwall.simulate.world import DAY_S, World

#: Targets on a ring's list per member.
LIST_PER_MEMBER = 40
CARDS_PER_HANDSET = 3


class FraudRings(BasePlant):
    """Rings of callers sharing victims, handsets, holders and an outlet batch."""

    name = "fraud_ring"

    def __init__(
        self, world: World, rng: np.random.Generator, reg: Registration, domains: np.ndarray
    ) -> None:
        """``reg``: the abnormal outlets whose bursts the cards join; ``domains``: the fraud
        sites of each fraud type (rows), where victims are sent."""
        n_rings = scaled(world.n, 0.15, 4)
        size = rng.integers(6, 11, n_rings)
        ring = np.repeat(np.arange(n_rings), size)
        subs = world.take(int(size.sum()))
        self.subs, self.ring = subs, ring
        self.ftype = rng.integers(0, len(FRAUD_TYPES), n_rings)
        world.silence(subs)
        world.notif_rate[subs] = rng.uniform(0.2, 1.0, subs.size)
        city = self._registration(world, rng, size, reg)
        world.home_city[subs] = city[ring]
        world.arpu[subs] = np.round(rng.uniform(10, 60, subs.size), 2)
        # Two neighbouring cells: a random cell and the nearest other cell of its city.
        cells = world.cells
        a = cells.random_in_city(rng, city)
        b = np.array([_nearest(cells, int(c)) for c in a], dtype=np.int64)
        # Cards share handsets, three to a handset; handsets alternate between the two rooms.
        pos = np.arange(subs.size) - np.repeat(np.cumsum(size) - size, size)
        # At least two handsets (one per room), each running three cards or more.
        n_handsets = np.maximum(2, size // CARDS_PER_HANDSET)
        handset_of = pos % n_handsets[ring]
        base = np.concatenate([[0], np.cumsum(n_handsets)[:-1]])
        dev = world.imeis.new(int(n_handsets.sum()))
        world.imei.default[subs] = dev[base[ring] + handset_of]  # type: ignore[union-attr]
        room = np.where(handset_of % 2 == 0, a[ring], b[ring])
        world.pin(subs, room, mobility=0.02)
        # Rotation: each card works a stretch of at least half the period.
        days = world.days
        span = np.maximum(1, np.ceil(days * rng.uniform(0.5, 1.0, subs.size))).astype(np.int64)
        self.start_day = (rng.random(subs.size) * (days - span + 1)).astype(np.int64)
        self.end_day = self.start_day + span
        self.rate = rng.integers(40, 100, subs.size)
        # The ring's list of targets, one stretch of strangers per ring.
        self.list_size = size * LIST_PER_MEMBER
        self.targets = distinct_targets(world, rng, self.list_size)
        self.list_base = np.concatenate([[0], np.cumsum(self.list_size)[:-1]])
        self.domains = domains
        self._victims(world, rng, n_rings)
        types = np.array(FRAUD_TYPES, dtype=object)
        labels = world.labels
        first = self.start_day * DAY_S
        labels.add("msisdn", subs, "fraud_caller", first, types[self.ftype[ring]])
        ring_names = np.array([f"ring-{i:03d}" for i in range(n_rings)], dtype=object)
        labels.add("msisdn", subs, "fraud_ring", first, ring_names[ring])
        labels.add("cell_id", np.concatenate([a, b]), "den", 0, "fraud_ring")
        self.cells = (a, b)

    def _registration(
        self, world: World, rng: np.random.Generator, size: np.ndarray, reg: Registration
    ) -> np.ndarray:
        """All of a ring's cards in one abnormal outlet's burst, minutes apart, to holders of
        at most four cards each; returns each ring's city (the outlet's)."""
        subs, ring = self.subs, self.ring
        burst = rng.integers(0, reg.outlets.size, size.size)
        reg.enrol(world, rng, subs, burst[ring])
        pos = np.arange(subs.size) - np.repeat(np.cumsum(size) - size, size)
        first = world.activated[subs[np.cumsum(size) - size]]
        world.activated[subs] = first[ring] + pos * rng.integers(40, 120, subs.size)
        # at most four cards a holder: within the 一证五卡 limit, so only resale links them
        n_holders = -(-size // 4)
        hbase = np.concatenate([[0], np.cumsum(n_holders)[:-1]])
        holders = world.new_holders(int(n_holders.sum()))
        world.holder[subs] = holders[hbase[ring] + pos % n_holders[ring]]
        o = world.outlets
        assert o is not None
        return np.asarray(o.city[reg.outlets[burst]])

    def _victims(self, world: World, rng: np.random.Generator, n_rings: int) -> None:
        """Engaged victims: each worked by two or three of the ring's numbers."""
        per_ring = np.maximum(1, rng.poisson(0.3 * world.days, n_rings))
        vring = np.repeat(np.arange(n_rings), per_ring)
        victim = world.take(vring.size)
        k = rng.integers(2, 4, vring.size)
        rep = np.repeat(np.arange(vring.size), k)
        caller = np.empty(rep.size, dtype=np.int64)
        t0 = np.empty(rep.size, dtype=np.int64)
        day = rng.integers(0, world.days, vring.size)
        for r in range(n_rings):  # a handful of rings: choosing members per ring is cheap
            sel = np.flatnonzero(vring[rep] == r)
            own = self.subs[self.ring == r]
            caller[sel] = own[rng.integers(0, own.size, sel.size)]
        t0[:] = day[rep] * DAY_S + rng.integers(9 * 3600, 18 * 3600, rep.size)
        self.victims = Victims(victim[rep], caller, t0, self.ftype[vring[rep]])
        types = np.array(FRAUD_TYPES, dtype=object)
        first = np.full(vring.size, world.horizon, dtype=np.int64)
        np.minimum.at(first, rep, t0)
        world.labels.add("msisdn", victim, "victim", first, types[self.ftype[vring]])

    def events(self, day: Day, rng: np.random.Generator, batch: Batch) -> None:
        world = day.world
        on = (self.start_day <= day.index) & (day.index < self.end_day)
        subs, ring, rate = self.subs[on], self.ring[on], self.rate[on]
        if subs.size:
            k = rng.poisson(rate)
            a = np.repeat(subs, k)
            r = np.repeat(ring, k)
            # Half the calls work the ring's list, half go to fresh strangers.
            from_list = rng.random(a.size) < 0.5
            b = distinct_targets(world, rng, k)
            pick = (rng.random(a.size) * self.list_size[r]).astype(np.int64)
            b = np.where(from_list, self.targets[self.list_base[r] + pick], b)
            t = day.t0 + sample_in_profile(rng, a.size, HOURS_DAY)
            # A listed target has heard the pitch before and hangs up; fresh ones sometimes
            # listen (the engaged victims are worked separately, below).
            dur = mixed_durations(rng, a.size, 0.5, (5, 40), 0.05, 600)
            short = mixed_durations(rng, a.size, 0.5, (3, 20), 0.0, 600)
            dur = np.where(from_list, short, dur)
            batch.call(a, b, t, dur)
            ks = rng.poisson(5, subs.size)
            sa = np.repeat(subs, ks)
            batch.text(
                sa,
                distinct_targets(world, rng, ks),
                day.t0 + sample_in_profile(rng, sa.size, HOURS_DAY),
                rng.integers(50, 140, sa.size),
                self.ftype[np.repeat(ring, ks)],  # the ring's fraud type
            )
        victim_events(world, day, rng, batch, self.victims, self.domains)


def _nearest(cells: object, c: int) -> int:
    """The nearest other cell to ``c`` in its city."""
    lat, lon = cells.lat, cells.lon  # type: ignore[attr-defined]
    city = cells.city  # type: ignore[attr-defined]
    lo = int(cells.city_start[city[c]])  # type: ignore[attr-defined]
    hi = lo + int(cells.city_count[city[c]])  # type: ignore[attr-defined]
    d = (lat[lo:hi] - lat[c]) ** 2 + ((lon[lo:hi] - lon[c]) * np.cos(np.radians(lat[c]))) ** 2
    d[c - lo] = np.inf
    return lo + int(np.argmin(d)) if hi - lo > 1 else c
