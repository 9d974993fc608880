"""SIM boxes (GOIP devices) in dens: one handset identity rotating many SIMs at a static cell.

A den is a cell hosting 2-6 devices. Each device has a few ports working from morning to
night; every port serves a SIM for a session of a few hours (``sim_change``, ``power_on``,
``attach`` at the start; ``detach``, ``power_off`` at the end), then the next SIM in the
device's rotation. During a session the SIM dials strangers heavily; SIM-box SIMs never receive
SMS or use data, and nobody calls them. Each den runs one kind of scam, and some of its callees
become victims.
"""

from __future__ import annotations

import numpy as np

from fraudwall.contract import FRAUD_TYPES
from fraudwall.simulate.day import Day
from fraudwall.simulate.events import Batch
from fraudwall.simulate.geo import CITY_WEIGHTS
from fraudwall.simulate.params import scaled
from fraudwall.simulate.rhythm import mixed_durations
from fraudwall.simulate.scenarios.base import BasePlant, distinct_targets, random_cities, register
from fraudwall.simulate.scenarios.fraud import FraudCallers, Victims, victim_events
from fraudwall.simulate.scenarios.registration import Registration
from fraudwall.simulate.world import DAY_S, World

SESSIONS_PER_PORT = 6
OPEN_H, CLOSE_H = 8.0, 22.0
SIMS_PER_PORT = 6
VICTIMS_PER_DEVICE_DAY = 0.25


class SimBoxes(BasePlant):
    """Dens, their SIM boxes and the SIMs the boxes rotate."""

    name = "simbox"

    def __init__(
        self, world: World, rng: np.random.Generator, reg: Registration, fraud: FraudCallers
    ) -> None:
        n_dens = scaled(world.n, 0.06, 7)
        self.fraud = fraud
        # Dens sit in ordinary cells of ordinary cities (a rented flat), never two in one cell.
        cells = world.cells
        p = CITY_WEIGHTS[cells.city] / cells.city_count[cells.city]
        den_cell = rng.choice(len(cells), size=n_dens, replace=False, p=p / p.sum())
        self.den_type = rng.integers(0, len(FRAUD_TYPES), n_dens)
        per_den = rng.integers(2, 7, n_dens)
        dev_den = np.repeat(np.arange(n_dens), per_den)
        n_dev = dev_den.size
        hi = int(np.clip(8 + world.n // 2500, 10, 32))
        self.n_sims = rng.integers(8, hi + 1, n_dev)
        self.ports = np.maximum(2, -(-self.n_sims // SIMS_PER_PORT))
        self.device = world.imeis.new(n_dev)
        self.dev_cell = den_cell[dev_den]
        self.dev_type = self.den_type[dev_den]
        self.sim_base = np.concatenate([[0], np.cumsum(self.n_sims)[:-1]])

        sims = world.take(int(self.n_sims.sum()))
        self.sims = sims
        sim_dev = np.repeat(np.arange(n_dev), self.n_sims)
        world.silence(sims)
        world.loc_rate[sims] = 0.0  # their network events come from the sessions
        world.home_city[sims] = random_cities(world, rng, sims.size)
        register(world, rng, sims, (1, 45))
        reg.enrol(world, rng, sims[rng.random(sims.size) < 0.6])
        world.arpu[sims] = np.round(rng.uniform(8, 40, sims.size), 2)
        world.pin(sims, self.dev_cell[sim_dev])
        world.imei.default[sims] = self.device[sim_dev]  # type: ignore[union-attr]
        self._schedule(world, rng)
        self._victims(world, rng)

        first_use = np.full(sims.size, world.horizon, dtype=np.int64)
        np.minimum.at(first_use, self.s_sim, self.s_start)
        dev_first = np.full(n_dev, world.horizon, dtype=np.int64)
        np.minimum.at(dev_first, self.s_dev, self.s_start)
        labels = world.labels
        labels.add("imei", self.device, "simbox", dev_first)
        labels.add("msisdn", sims, "simbox_sim", first_use)
        labels.add("msisdn", sims, "fraud_caller", first_use, "simbox")
        den_first = np.full(n_dens, world.horizon, dtype=np.int64)
        np.minimum.at(den_first, dev_den, dev_first)
        labels.add("cell_id", den_cell, "den", den_first, "simbox")

    def _schedule(self, world: World, rng: np.random.Generator) -> None:
        """Every session of the period: device, port, SIM (position in ``sims``), start, end."""
        n_dev = self.device.size
        days = world.days
        per_dev_day = self.ports * SESSIONS_PER_PORT
        # rows: (device, day, j) for j < ports * SESSIONS_PER_PORT
        reps = np.repeat(per_dev_day, days)
        dev = np.repeat(np.repeat(np.arange(n_dev), days), reps)
        day = np.repeat(np.tile(np.arange(days), n_dev), reps)
        j = np.arange(dev.size) - np.repeat(np.cumsum(reps) - reps, reps)
        slot = j // np.repeat(np.repeat(self.ports, days), reps)  # j = slot * ports + port
        # Random cut points per (device, day) split the opening hours into sessions; all ports
        # of a device switch together, so a SIM is never in two ports at once.
        span = (CLOSE_H - OPEN_H) * 3600
        cuts = np.sort(rng.random((n_dev * days, SESSIONS_PER_PORT - 1)), axis=1)
        even = np.arange(1, SESSIONS_PER_PORT) / SESSIONS_PER_PORT
        cuts = cuts * 0.5 + even * 0.5  # half random, half even: no session of a few minutes
        edges = np.hstack([np.zeros((n_dev * days, 1)), cuts, np.ones((n_dev * days, 1))])
        row = np.repeat(np.arange(n_dev * days), reps)
        start = edges[row, slot] * span
        end = edges[row, slot + 1] * span
        # Rotation: the device's SIMs in turn, continuing from one day to the next.
        rot = (day * per_dev_day[dev] + j) % self.n_sims[dev]
        self.s_dev = dev
        self.s_sim = self.sim_base[dev] + rot
        base = day * DAY_S + int(OPEN_H * 3600)
        self.s_start = (base + start).astype(np.int64) + rng.integers(0, 60, dev.size)
        self.s_end = (base + end).astype(np.int64) - rng.integers(60, 300, dev.size)
        self.s_end = np.maximum(self.s_end, self.s_start + 600)

    def _victims(self, world: World, rng: np.random.Generator) -> None:
        """Victims of each den: hooked during one of the den's sessions."""
        n_sess = self.s_dev.size
        k = rng.poisson(VICTIMS_PER_DEVICE_DAY / (self.ports[self.s_dev] * SESSIONS_PER_PORT))
        if k.sum() == 0:
            k[rng.integers(0, n_sess)] = 1
        sess = np.repeat(np.arange(n_sess), k)
        victim = world.take(sess.size)
        t0 = self.s_start[sess] + (
            rng.random(sess.size) * 0.6 * (self.s_end[sess] - self.s_start[sess])
        ).astype(np.int64)
        ftype = self.dev_type[self.s_dev[sess]]
        self.victims = Victims(victim, self.sims[self.s_sim[sess]], t0, ftype)
        types = np.array(FRAUD_TYPES, dtype=object)
        world.labels.add("msisdn", victim, "victim", t0, types[ftype])

    def events(self, day: Day, rng: np.random.Generator, batch: Batch) -> None:
        today = (self.s_start >= day.t0) & (self.s_start < day.t0 + DAY_S)
        sim_pos = self.s_sim[today]
        start, end = self.s_start[today], self.s_end[today]
        sim = self.sims[sim_pos]
        batch.signal(sim, "sim_change", start)
        batch.signal(sim, "power_on", start + 1)
        batch.signal(sim, "attach", start + 4)
        batch.signal(sim, "detach", end - 3)
        batch.signal(sim, "power_off", end)
        # Heavy dialling through the session: 15-40 calls an hour.
        hours = (end - start) / 3600
        k = rng.poisson(rng.uniform(15, 40, sim.size) * hours)
        who = np.repeat(np.arange(sim.size), k)
        t = start[who] + (rng.random(who.size) * (end[who] - start[who] - 30)).astype(np.int64)
        dur = mixed_durations(rng, who.size, 0.55, (3, 30), 0.04, 600)
        batch.call(sim[who], distinct_targets(day.world, rng, k), t, dur)
        victim_events(
            day.world, day, rng, batch, self.victims, self.fraud.domains, call_backs=False
        )
