"""Fraud SMS senders: cards that text one fraud type's pitch to lists of strangers.

A gang buys fresh cards and runs each in an SMS modem at one place, sending hundreds to
thousands of messages a day, each to a different number: click-farming jobs, investment
groups, loans, fake customer service, fake police. By volume they are mass senders (also
labelled ``bulk_sms``); what sets them apart is what they say, which the operator sees only in
the messages it holds (reports, spam traps): :mod:`fraudwall.simulate.sms_content` gives their
messages texts of their fraud type and labels them ``fraud_sms`` from the first one held.
"""

from __future__ import annotations

import numpy as np

from fraudwall.contract import FRAUD_TYPES
from fraudwall.simulate.day import Day
from fraudwall.simulate.events import Batch
from fraudwall.simulate.params import scaled
from fraudwall.simulate.scenarios.base import (
    BasePlant,
    distinct_targets,
    new_handsets,
    random_cities,
    register,
)
from fraudwall.simulate.world import World


class FraudSmsSenders(BasePlant):
    """400-2,500 fraud SMS a weekday (x the profile's SMS volume) to different numbers, 8-22 h."""

    name = "fraud_sms"

    def __init__(self, world: World, rng: np.random.Generator) -> None:
        n = scaled(world.n, 1, 12)
        self.subs = world.take(n)
        self.ftype = rng.permutation(np.arange(n) % len(FRAUD_TYPES))
        world.silence(self.subs)
        world.home_city[self.subs] = random_cities(world, rng, n)
        register(world, rng, self.subs, (1, 45))
        new_handsets(world, self.subs)
        world.pin(self.subs, world.cells.random_in_city(rng, world.home_city[self.subs]))
        self.rate = np.exp(rng.uniform(np.log(400), np.log(2500), n)) * world.profile.sms_volume
        world.labels.add("msisdn", self.subs, "bulk_sms", 8 * 3600)

    def events(self, day: Day, rng: np.random.Generator, batch: Batch) -> None:
        k = rng.poisson(self.rate * (0.7 if day.weekend else 1.0))
        who = np.repeat(np.arange(self.subs.size), k)
        a = self.subs[who]
        b = distinct_targets(day.world, rng, k)
        t = day.t0 + rng.integers(8 * 3600, 22 * 3600, a.size)
        batch.text(a, b, t, rng.integers(40, 141, a.size), self.ftype[who])
        rep = (b < day.world.n) & (rng.random(a.size) < 0.002)
        day.world.complaints.add(b[rep], a[rep], t[rep] + 3600, "spam")
