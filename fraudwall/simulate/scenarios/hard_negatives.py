"""More hard legitimate cases (label ``benign``): kept in the world, never moved out of the way.

Each kind looks like a planted scenario in one respect and differs in the evidence an operator
really holds: who the card is registered to, who calls back or calls in, whom the messages go
to, how many swaps there are and what follows them.
"""

from __future__ import annotations

import numpy as np

from fraudwall.simulate.day import Day
from fraudwall.simulate.events import Batch
from fraudwall.simulate.params import (
    HIGH_RISK_REGIONS,
    HOURS_ANY,
    HOURS_DAY,
    HOURS_OFFICE,
    POPULAR_DOMAINS,
    scaled,
)
from fraudwall.simulate.rhythm import durations, mixed_durations, sample_in_profile
from fraudwall.simulate.scenarios.base import (
    BasePlant,
    distinct_targets,
    new_handsets,
    random_cities,
    register,
)
from fraudwall.simulate.world import DAY_S, ENTERPRISE, IOT, World


def _company_lines(
    world: World, rng: np.random.Generator, n_sites: int, size: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray]:
    """Company lines registered years ago to enterprise holders, grouped in offices."""
    per = rng.integers(size[0], size[1] + 1, n_sites)
    which = np.repeat(np.arange(n_sites), per)
    subs = world.take(which.size)
    world.silence(subs)
    register(world, rng, subs, (365, 6 * 365), holder=world.new_holders(n_sites)[which])
    world.holder_type[subs] = ENTERPRISE
    world.kyc[subs] = np.nan
    city = random_cities(world, rng, n_sites)
    world.home_city[subs] = city[which]
    world.pin(subs, world.cells.random_in_city(rng, city)[which])
    return subs, which


class NotificationSenders(BasePlant):
    """Enterprise cards sending one-way notices (codes, deliveries, bills) to their customers.

    Hundreds to thousands of SMS a day like a bulk sender, but to a customer base: the same
    customers get several notices (a code, then a confirmation), and a verification code
    follows the customer's own app session by seconds.
    """

    name = "notification_sender"

    def __init__(self, world: World, rng: np.random.Generator) -> None:
        n = scaled(world.n, 0.5, 10)
        self.subs, _ = _company_lines(world, rng, n, (1, 1))
        self.rate = np.exp(rng.uniform(np.log(300), np.log(2500), n)) * world.profile.sms_volume
        size = np.maximum(50, (self.rate * rng.uniform(0.8, 2.0, n)).astype(np.int64))
        self.base_ptr = np.concatenate([[0], np.cumsum(size)])
        self.customers = world.random_parties(rng, int(size.sum()), p_own=0.7)
        world.labels.add("msisdn", self.subs, "benign", 0, "notification_sender")

    def events(self, day: Day, rng: np.random.Generator, batch: Batch) -> None:
        w = day.world
        k = rng.poisson(self.rate * (0.8 if day.weekend else 1.0))
        who = np.repeat(np.arange(self.subs.size), k)
        lo, hi = self.base_ptr[who], self.base_ptr[who + 1]
        b = self.customers[lo + (rng.random(who.size) * (hi - lo)).astype(np.int64)]
        t = day.t0 + sample_in_profile(rng, who.size, HOURS_ANY)
        batch.text(self.subs[who], b, t, rng.integers(30, 71, who.size))
        # Verification codes: the customer opened an app a few seconds before.
        code = (b < w.n) & (rng.random(who.size) < 0.3)
        apps = rng.integers(0, len(POPULAR_DOMAINS), int(code.sum()))
        batch.session(b[code], t[code] - rng.integers(5, 60, int(code.sum())), apps, rng, 0.1)


class InboundLines(BasePlant):
    """Customer-service hotlines: many inbound calls from different numbers, call-backs out."""

    name = "inbound_line"

    def __init__(self, world: World, rng: np.random.Generator) -> None:
        self.subs, _ = _company_lines(world, rng, max(2, scaled(world.n, 0.03, 2)), (4, 10))
        self.rate = rng.integers(120, 400, self.subs.size)
        world.labels.add("msisdn", self.subs, "benign", 8 * 3600, "inbound_line")

    def events(self, day: Day, rng: np.random.Generator, batch: Batch) -> None:
        w = day.world
        k = rng.binomial(self.rate, 0.6 if day.weekend else 1.0)
        line = np.repeat(self.subs, k)
        caller = w.random_parties(rng, line.size)
        t = day.t0 + sample_in_profile(rng, line.size, HOURS_DAY)
        batch.call(caller, line, t, durations(rng, 0.08, line.size, median_s=200, sigma=0.8))
        # Call-backs: the agent rings back a customer who called in (a few hours later).
        back = rng.random(line.size) < 0.15
        tb = np.minimum(t[back] + rng.integers(600, 4 * 3600, int(back.sum())), day.t0 + DAY_S - 1)
        batch.call(
            line[back], caller[back], tb, durations(rng, 0.25, int(back.sum()), median_s=150)
        )


class SurveyLines(BasePlant):
    """Outbound sales and survey lines: company cards dialling many different numbers in office
    hours; many refuse after seconds, some take the survey, a few call back."""

    name = "survey_line"

    def __init__(self, world: World, rng: np.random.Generator) -> None:
        self.subs, _ = _company_lines(world, rng, max(2, scaled(world.n, 0.03, 2)), (5, 12))
        self.rate = rng.integers(60, 200, self.subs.size)
        world.labels.add("msisdn", self.subs, "benign", 9 * 3600, "survey_line")

    def events(self, day: Day, rng: np.random.Generator, batch: Batch) -> None:
        if day.weekend:
            return
        w = day.world
        k = rng.poisson(self.rate)
        a = np.repeat(self.subs, k)
        b = distinct_targets(w, rng, k)
        t = day.t0 + sample_in_profile(rng, a.size, HOURS_OFFICE)
        dur = mixed_durations(rng, a.size, 0.4, (4, 30), 0.25, 180)
        batch.call(a, b, t, dur)
        back = rng.random(a.size) < np.where(dur > 0, 0.06, 0.03)
        batch.call(
            b[back],
            a[back],
            t[back] + rng.integers(300, 7200, int(back.sum())),
            durations(rng, 0.1, int(back.sum()), median_s=90),
        )


class BorderVisitors(BasePlant):
    """People who spend one day in border cells of risk 2-3 or in a high-risk country (a trade
    trip, a family visit), and are at home on the other days. Only planted in worlds of three
    days or more, where one day is short of the planted scenario's half of the days."""

    name = "border_traveller"

    def __init__(self, world: World, rng: np.random.Generator) -> None:
        self.subs = np.empty(0, np.int64)
        if world.days < 3:
            return
        n = scaled(world.n, 2, 12)
        self.subs = world.take(n)
        self.abroad = rng.random(n) < 0.4
        self.region = rng.choice(HIGH_RISK_REGIONS, n)
        border = world.cells.where_risk(2)
        self.cells = border[rng.integers(0, border.size, n)]
        self.day = rng.integers(0, world.days, n)
        world.labels.add("msisdn", self.subs, "benign", self.day * DAY_S, "border_traveller")

    def adjust_day(self, day: Day) -> None:
        if self.subs.size == 0:
            return
        on = self.day == day.index
        away = on & self.abroad
        for region in np.unique(self.region[away]):
            day.go_abroad(self.subs[away & (self.region == region)], str(region))
        there = on & ~self.abroad
        day.go_to(self.subs[there], self.cells[there])


class SharedDevices(BasePlant):
    """Family members who share one handset (a parent and a child taking turns)."""

    name = "shared_device"

    def __init__(self, world: World, rng: np.random.Generator) -> None:
        n = scaled(world.n, 2, 12)
        a, b = world.take(n), world.take(n)
        holders = world.new_holders(n)
        world.holder[a] = holders
        world.holder[b] = holders
        world.home_city[b] = world.home_city[a]
        world.home_cell[b] = world.home_cell[a]
        world.work_cell[b] = world.cells.random_in_city(rng, world.home_city[a])
        world.imei.default[b] = world.imei.default[a]  # type: ignore[union-attr]
        world.extra_edges.append(np.column_stack([a, b]).ravel())
        world.labels.add("msisdn", np.concatenate([a, b]), "benign", 0, "shared_device")


class SecondHandPhones(BasePlant):
    """A handset sold on: its first owner moves to a new phone, a day later a buyer starts
    using the old one. The buyer's card shows an IMEI another number used before."""

    name = "second_hand_phone"

    def __init__(self, world: World, rng: np.random.Generator) -> None:
        n = scaled(world.n, 1.5, 12)
        self.seller, self.buyer = world.take(n), world.take(n)
        old = world.imei.default[self.seller].copy()  # type: ignore[union-attr]
        span = max(world.days - 1, 1)
        self.t_sell = rng.integers(0, span, n) * DAY_S + rng.integers(9 * 3600, 14 * 3600, n)
        gap = DAY_S if world.days > 1 else 3 * 3600
        self.t_buy = np.minimum(
            self.t_sell + gap + rng.integers(0, 6 * 3600, n), world.horizon - 60
        )
        world.imei.add(self.seller, self.t_sell, world.imeis.new(n))  # type: ignore[union-attr]
        world.imei.add(self.buyer, self.t_buy, old)  # type: ignore[union-attr]
        world.labels.add("msisdn", self.seller, "benign", self.t_sell, "phone_changed_once")
        world.labels.add("msisdn", self.buyer, "benign", self.t_buy, "second_hand_phone")

    def events(self, day: Day, rng: np.random.Generator, batch: Batch) -> None:
        for who, t in ((self.seller, self.t_sell), (self.buyer, self.t_buy)):
            sel = (t >= day.t0) & (t < day.t0 + DAY_S)
            batch.signal(who[sel], "power_off", t[sel] - rng.integers(60, 900, int(sel.sum())))
            batch.signal(who[sel], "power_on", t[sel])
            batch.signal(who[sel], "attach", t[sel] + rng.integers(3, 30, int(sel.sum())))


class DormantReturned(BasePlant):
    """Old cards left unused (a drawer SIM, a spell abroad) that come back to ordinary use:
    calls to and from a circle of people they know, messages, data."""

    name = "dormant_returned"

    def __init__(self, world: World, rng: np.random.Generator) -> None:
        n = scaled(world.n, 1.5, 12)
        self.subs = world.take(n)
        world.silence(self.subs)
        world.loc_rate[self.subs] = 0.0
        register(world, rng, self.subs, (2 * 365, 8 * 365))
        world.kyc[self.subs] = np.nan
        world.arpu[self.subs] = np.round(rng.uniform(3, 20, n), 2)
        new_handsets(world, self.subs)
        frac = rng.uniform(0.2, 0.7, n)
        wake_day = np.minimum((frac * world.days).astype(np.int64), world.days - 1)
        self.wake = wake_day * DAY_S + rng.integers(8 * 3600, 16 * 3600, n)
        size = rng.integers(6, 16, n)
        self.ptr = np.concatenate([[0], np.cumsum(size)])
        self.circle = world.random_parties(rng, int(size.sum()), p_own=0.75)
        world.labels.add("msisdn", self.subs, "benign", self.wake, "dormant_returned")

    def _friends(self, rng: np.random.Generator, who: np.ndarray) -> np.ndarray:
        lo, hi = self.ptr[who], self.ptr[who + 1]
        return self.circle[lo + (rng.random(who.size) * (hi - lo)).astype(np.int64)]

    def events(self, day: Day, rng: np.random.Generator, batch: Batch) -> None:
        end = day.t0 + DAY_S
        awake = np.flatnonzero(self.wake < end)
        if awake.size == 0:
            return
        subs = self.subs[awake]
        start = np.maximum(self.wake[awake], day.t0)
        woke = self.wake[awake] >= day.t0
        batch.signal(subs[woke], "power_on", start[woke])
        batch.signal(subs[woke], "attach", start[woke] + 5)
        share = (end - start) / DAY_S

        def times(idx: np.ndarray) -> np.ndarray:
            return start[idx] + (rng.random(idx.size) * (end - start[idx] - 60)).astype(np.int64)

        out = np.repeat(np.arange(awake.size), rng.poisson(3.0 * share))
        batch.call(
            subs[out], self._friends(rng, awake[out]), times(out), durations(rng, 0.15, out.size)
        )
        inc = np.repeat(np.arange(awake.size), rng.poisson(2.5 * share))
        batch.call(
            self._friends(rng, awake[inc]), subs[inc], times(inc), durations(rng, 0.1, inc.size)
        )
        sms = np.repeat(np.arange(awake.size), rng.poisson(2.0 * share))
        batch.text(
            subs[sms], self._friends(rng, awake[sms]), times(sms), rng.integers(5, 70, sms.size)
        )
        ses = np.repeat(np.arange(awake.size), rng.poisson(4.0 * share))
        dom = rng.integers(0, len(POPULAR_DOMAINS), ses.size)
        batch.session(subs[ses], times(ses), dom, rng)
        lu = np.repeat(np.arange(awake.size), rng.poisson(2.0 * share))
        batch.signal(subs[lu], "location_update", times(lu))


def label_iot_fleets(world: World) -> None:
    """IoT fleets: hundreds of cards on one company's ID is how fleets are registered."""
    fleet = np.unique(world.holder[world.holder_type == IOT])
    world.labels.add("holder_id_hash", fleet, "benign", 0, "iot_fleet")
