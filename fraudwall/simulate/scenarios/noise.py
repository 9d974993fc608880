"""Complaints about ordinary numbers: wrong numbers, salesmen, people who were merely rude."""

from __future__ import annotations

import numpy as np

from fraudwall.simulate.day import Day
from fraudwall.simulate.events import Batch
from fraudwall.simulate.scenarios.base import BasePlant
from fraudwall.simulate.world import DAY_S, World

CATEGORIES = ("other", "spam", "fraud", "harassment")
CATEGORY_P = (0.4, 0.4, 0.1, 0.1)


class NoiseComplaints(BasePlant):
    """A trickle of complaints about numbers that did nothing wrong (or nothing planted)."""

    name = "noise_complaints"

    def __init__(self, world: World, rng: np.random.Generator, busy: np.ndarray) -> None:
        self.rate = 3.0 + world.n * 5e-5
        self.busy = busy  # legitimate heavy callers (call centres, couriers) draw complaints

    def events(self, day: Day, rng: np.random.Generator, batch: Batch) -> None:
        w = day.world
        k = rng.poisson(self.rate)
        reporter = w.random_parties(rng, k, p_own=1.0)
        reported = w.random_parties(rng, k)
        busy = rng.random(k) < 0.3
        if self.busy.size:
            reported[busy] = self.busy[rng.integers(0, self.busy.size, int(busy.sum()))]
        at = day.t0 + rng.integers(8 * 3600, DAY_S, k)
        cat = rng.choice(len(CATEGORIES), k, p=CATEGORY_P)
        for ci, name in enumerate(CATEGORIES):  # four categories
            sel = cat == ci
            w.complaints.add(reporter[sel], reported[sel], at[sel], name)
