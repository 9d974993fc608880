"""Nuisance and misuse: auto-dialers, harassers, wangiri, bulk SMS, IoT cards used as phones;
and IoT cards that legitimately call their platform."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from fraudwall.simulate.day import Day
from fraudwall.simulate.events import Batch
from fraudwall.simulate.params import HOURS_ANY, scaled
from fraudwall.simulate.rhythm import durations, sample_in_profile
from fraudwall.simulate.scenarios.base import (
    BasePlant,
    distinct_targets,
    random_cities,
    register,
    sequential_targets,
)
from fraudwall.simulate.sms_templates import KIND
from fraudwall.simulate.world import DAY_S, ENTERPRISE, IOT, World


def _machines(
    world: World, rng: np.random.Generator, n: int, enterprise_share: float
) -> np.ndarray:
    """Cards that serve a machine: no social life, one static cell."""
    subs = world.take(n)
    world.silence(subs)
    world.home_city[subs] = random_cities(world, rng, n)
    register(world, rng, subs, (30, 700))
    ent = rng.random(n) < enterprise_share
    world.holder_type[subs[ent]] = ENTERPRISE
    world.kyc[subs[ent]] = np.nan
    world.pin(subs, world.cells.random_in_city(rng, world.home_city[subs]))
    return subs


def _own_targets(
    world: World, rng: np.random.Generator, counts: np.ndarray, seq: np.ndarray
) -> np.ndarray:
    """Per sender: ascending own numbers (scanners, where ``seq``) or random strangers."""
    out = distinct_targets(world, rng, counts)
    scan = np.repeat(seq, counts)
    if scan.any():
        out[scan] = sequential_targets(world, rng, counts[seq])
    return out


class AutoDialers(BasePlant):
    """Machine-paced dialling: a call every 40-58 s for 3-8 hours (>= 60 calls an hour)."""

    name = "high_frequency"

    def __init__(self, world: World, rng: np.random.Generator) -> None:
        n = scaled(world.n, 0.5, 10)
        self.subs = _machines(world, rng, n, 0.5)
        self.scan = rng.random(n) < 0.5
        world.labels.add("msisdn", self.subs, "high_frequency", 9 * 3600)

    def events(self, day: Day, rng: np.random.Generator, batch: Batch) -> None:
        n = self.subs.size
        start = day.t0 + rng.integers(8 * 3600, 11 * 3600, n)
        hours = rng.uniform(3, 8, n) * (0.5 if day.weekend else 1.0)
        gap = rng.uniform(40, 58, n)
        k = np.maximum((hours * 3600 / gap).astype(np.int64), 1)
        who = np.repeat(np.arange(n), k)
        step = np.arange(who.size) - np.repeat(np.cumsum(k) - k, k)
        jitter = rng.normal(0, 1.5, who.size)
        t = start[who] + np.rint(step * gap[who] + jitter).astype(np.int64)
        dur = np.where(rng.random(who.size) < 0.75, 0, rng.integers(2, 26, who.size))
        b = _own_targets(day.world, rng, k, self.scan)
        batch.call(self.subs[who], b, t, dur)
        rep = (b < day.world.n) & (dur > 0) & (rng.random(who.size) < 0.004)
        day.world.complaints.add(b[rep], self.subs[who][rep], t[rep] + 1800, "spam")


class Harassers(BasePlant):
    """People who call the same one to three people over and over; the targets complain."""

    name = "harassment"

    def __init__(self, world: World, rng: np.random.Generator) -> None:
        n = scaled(world.n, 1, 12)
        self.subs = world.take(n)
        k = rng.integers(1, 4, n)
        self.src = np.repeat(self.subs, k)
        self.dst = world.take(self.src.size)
        self.rate = rng.integers(6, 25, self.src.size)
        # Each target complains once or twice during the period.
        nc = rng.integers(1, 3, self.src.size)
        who = np.repeat(np.arange(self.src.size), nc)
        at = rng.integers(3 * 3600, world.horizon, who.size)
        world.complaints.add(self.dst[who], self.src[who], at, "harassment")
        world.labels.add("msisdn", self.subs, "harassment", 0)

    def events(self, day: Day, rng: np.random.Generator, batch: Batch) -> None:
        k = rng.poisson(self.rate)
        a, b = np.repeat(self.src, k), np.repeat(self.dst, k)
        t = day.t0 + sample_in_profile(rng, a.size, HOURS_ANY)
        u = rng.random(a.size)
        dur = np.where(
            u < 0.8, 0, np.where(u < 0.95, rng.integers(1, 6, a.size), rng.integers(10, 61, a.size))
        )
        batch.call(a, b, t, dur)


class Wangiri(BasePlant):
    """One-ring bursts: 100-300 calls of 0 s in 20-60 minutes; some callees call back."""

    name = "wangiri"

    def __init__(self, world: World, rng: np.random.Generator) -> None:
        n = scaled(world.n, 0.5, 10)
        self.subs = _machines(world, rng, n, 0.0)
        self.scan = rng.random(n) < 0.5
        world.labels.add("msisdn", self.subs, "wangiri", 10 * 3600)

    def events(self, day: Day, rng: np.random.Generator, batch: Batch) -> None:
        w = day.world
        bursts = rng.integers(1, 4, self.subs.size)
        owner = np.repeat(np.arange(self.subs.size), bursts)
        start = day.t0 + rng.integers(10 * 3600, 20 * 3600, owner.size)
        length = rng.integers(20 * 60, 60 * 60, owner.size)
        k = rng.integers(100, 301, owner.size)
        who = np.repeat(np.arange(owner.size), k)
        t = start[who] + (rng.random(who.size) * length[who]).astype(np.int64)
        b = _own_targets(w, rng, k, self.scan[owner])
        a = self.subs[owner[who]]
        batch.call(a, b, t, np.zeros(who.size, dtype=np.int64))
        back = rng.random(who.size) < 0.04
        tb = t[back] + rng.integers(120, 4 * 3600, int(back.sum()))
        batch.call(b[back], a[back], tb, rng.integers(20, 181, int(back.sum())))
        rep = back & (b < w.n) & (rng.random(who.size) < 0.15)
        w.complaints.add(b[rep], a[rep], t[rep] + 5 * 3600, "spam")


class BulkSenders(BasePlant):
    """Hundreds to thousands of SMS a day, each to a different number, in business hours."""

    name = "bulk_sms"

    def __init__(self, world: World, rng: np.random.Generator) -> None:
        n = scaled(world.n, 0.5, 10)
        self.subs = _machines(world, rng, n, 0.4)
        self.rate = np.exp(rng.uniform(np.log(400), np.log(3000), n)) * world.profile.sms_volume
        world.labels.add("msisdn", self.subs, "bulk_sms", 9 * 3600)

    def events(self, day: Day, rng: np.random.Generator, batch: Batch) -> None:
        k = rng.poisson(self.rate * (0.7 if day.weekend else 1.0))
        a = np.repeat(self.subs, k)
        b = distinct_targets(day.world, rng, k)
        t = day.t0 + rng.integers(9 * 3600, 21 * 3600, a.size)
        batch.text(a, b, t, rng.integers(60, 141, a.size), KIND["marketing"])
        rep = (b < day.world.n) & (rng.random(a.size) < 0.002)
        day.world.complaints.add(b[rep], a[rep], t[rep] + 3600, "spam")


class IotCards(BasePlant):
    """IoT cards used as phones (planted), and IoT cards calling their platform (benign)."""

    name = "iot_misuse"

    def __init__(self, world: World, rng: np.random.Generator) -> None:
        iot = rng.permutation(np.flatnonzero((world.holder_type == IOT) & ~world.planted))
        n_bad, n_ok = scaled(world.n, 0.5, 10), scaled(world.n, 1, 12)
        if iot.size < n_bad + n_ok:  # tiny worlds: turn a few personal cards into IoT cards
            extra = world.take(n_bad + n_ok - iot.size)
            world.silence(extra)
            world.holder_type[extra] = IOT
            world.iot_domain[extra] = world.domain_indices("iot")[0]
            world.data_rate[extra] = 24.0
            iot = np.concatenate([iot, extra])
        self.bad, self.ok = iot[:n_bad], iot[n_bad : n_bad + n_ok]
        world.planted[self.bad] = True
        world.planted[self.ok] = True
        numbers = 4008 * 10**6 + rng.choice(10**6, 5, replace=False)
        self.platform = world.numbers.add("iot_platform", pa.array(numbers))
        self.ok_platform = self.platform[rng.integers(0, self.platform.size, n_ok)]
        world.labels.add("msisdn", self.bad, "iot_misuse", 0)
        world.labels.add("msisdn", self.ok, "benign", 0, "iot_platform")

    def events(self, day: Day, rng: np.random.Generator, batch: Batch) -> None:
        # Misused: person-to-person calls and SMS to strangers, in waking hours.
        k = rng.integers(10, 51, self.bad.size)
        a = np.repeat(self.bad, k)
        batch.call(
            a,
            distinct_targets(day.world, rng, k),
            day.t0 + sample_in_profile(rng, a.size, HOURS_ANY),
            durations(rng, 0.3, a.size),
        )
        ks = rng.integers(0, 31, self.bad.size)
        sa = np.repeat(self.bad, ks)
        batch.text(
            sa,
            distinct_targets(day.world, rng, ks),
            day.t0 + sample_in_profile(rng, sa.size, HOURS_ANY),
            rng.integers(10, 120, sa.size),
        )
        # Legitimate: a few short calls a day to the fleet's platform number.
        k = rng.integers(2, 7, self.ok.size)
        who = np.repeat(np.arange(self.ok.size), k)
        batch.call(
            self.ok[who],
            self.ok_platform[who],
            day.t0 + rng.integers(0, DAY_S, who.size),
            rng.integers(5, 41, who.size),
        )
