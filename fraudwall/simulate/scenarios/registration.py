"""Registration outlets: abnormal bursts (planted), flagship stores and promotion days (benign).

An abnormal outlet registers a burst of cards in one to three days, well above its own steady
baseline, mostly through one agent and with many poor face-match scores. Fraud callers and
SIM-box SIMs draw part of their cards from these bursts (:meth:`Registration.enrol`); the rest
of a burst lies idle. A promotion day is a burst too, but with genuine customers: normal
face-match scores, cards used by ordinary people.
"""

from __future__ import annotations

import numpy as np

from fraudwall.simulate.params import scaled
from fraudwall.simulate.population import face_scores, pick_agents, shop_time
from fraudwall.simulate.scenarios.base import BasePlant
from fraudwall.simulate.world import DAY_S, World

LOW_FACE_SHARE = 0.6
CORRUPT_AGENT_SHARE = 0.85


class Registration(BasePlant):
    """Abnormal outlets and their bursts; flagship and promotion-day outlets."""

    name = "abnormal_registration"

    def __init__(self, world: World, rng: np.random.Generator) -> None:
        o = world.outlets
        assert o is not None
        k = scaled(world.n, 0.1, 10)
        candidates = np.setdiff1d(np.arange(o.city.size), o.flagship)
        chosen = rng.choice(candidates, size=k + scaled(world.n, 0.1, 10), replace=False)
        self.outlets, self.promo_outlets = chosen[:k], chosen[k:]
        self.first_day = -rng.integers(5, 90, k)  # days before the period
        self.length = rng.integers(1, 4, k)
        self.agent = pick_agents(world, rng, self.outlets)
        self.size = rng.integers(15, 46, k)
        self.enrolled = np.zeros(k, dtype=np.int64)
        self._next = 0

    def enrol(
        self,
        world: World,
        rng: np.random.Generator,
        subs: np.ndarray,
        which: np.ndarray | None = None,
    ) -> None:
        """Register ``subs`` in the bursts of abnormal outlets (spread over them in turn)."""
        k = self.outlets.size
        if which is None:
            which = (self._next + np.arange(subs.size)) % k
            self._next += subs.size
        o = world.outlets
        assert o is not None
        day = self.first_day[which] + rng.integers(0, self.length[which])
        world.activated[subs] = shop_time(rng, day)
        world.outlet[subs] = self.outlets[which]
        other_agent = pick_agents(world, rng, self.outlets[which])
        world.agent[subs] = np.where(
            rng.random(subs.size) < CORRUPT_AGENT_SHARE, self.agent[which], other_agent
        )
        kyc = face_scores(rng, subs.size)
        low = rng.random(subs.size) < LOW_FACE_SHARE
        kyc[low] = np.round(rng.uniform(0.3, 0.75, int(low.sum())), 3)
        world.kyc[subs] = kyc
        world.home_city[subs] = o.city[self.outlets[which]]
        self.enrolled += np.bincount(which, minlength=k)

    def finish(self, world: World, rng: np.random.Generator) -> None:
        """Fill each burst up with idle cards; label the outlets; plant promotion days."""
        filler = np.maximum(self.size - self.enrolled, 3)
        idle = world.take(int(filler.sum()))
        world.silence(idle)
        world.loc_rate[idle] = 0.0  # a SIM lying in a drawer never registers on the network
        self.enrol(world, rng, idle, np.repeat(np.arange(self.outlets.size), filler))
        world.holder[idle] = world.new_holders(idle.size)
        at = self.first_day * DAY_S + 9 * 3600
        world.labels.add("outlet_id", self.outlets, "abnormal_registration", at)
        o = world.outlets
        assert o is not None
        world.labels.add("outlet_id", o.flagship, "benign", 0, "flagship_outlet")
        self._promotions(world, rng)

    def _promotions(self, world: World, rng: np.random.Generator) -> None:
        o = world.outlets
        assert o is not None
        outlets = self.promo_outlets
        day = -rng.integers(3, 120, outlets.size)
        size = rng.integers(10, 26, outlets.size)
        which = np.repeat(np.arange(outlets.size), size)
        subs = world.take(which.size)
        world.activated[subs] = shop_time(rng, day[which])
        world.outlet[subs] = outlets[which]
        world.agent[subs] = pick_agents(world, rng, outlets[which])
        world.kyc[subs] = face_scores(rng, subs.size)
        city = o.city[outlets[which]]
        world.home_city[subs] = city
        world.home_cell[subs] = world.cells.random_in_city(rng, city)
        world.work_cell[subs] = world.cells.random_in_city(rng, city)
        world.labels.add("outlet_id", outlets, "benign", day * DAY_S + 9 * 3600, "promotion_day")
