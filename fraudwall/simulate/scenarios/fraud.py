"""Fraud callers of five kinds, their victims, and the fraud domains victims are sent to.

A fraud caller is a recently registered card (some from abnormal outlets) with no social
circle: it dials many strangers spread over many cities, most of whom hang up at once or do not
answer; few call back. A few callees engage and become victims: long, repeated calls, and then
calls to their bank and visits to a fraud domain. Callers work in small gangs at one static
cell, often several cards in one handset.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fraudwall.contract import FRAUD_TYPES
from fraudwall.simulate.day import Day
from fraudwall.simulate.events import Batch
from fraudwall.simulate.params import (
    HOURS_DAY,
    HOURS_EVENING,
    HOURS_OFFICE,
    scaled,
)
from fraudwall.simulate.population import host_names, partition
from fraudwall.simulate.rhythm import durations, mixed_durations, sample_in_profile, talk_time
from fraudwall.simulate.scenarios.base import (
    BasePlant,
    distinct_targets,
    new_handsets,
    random_cities,
    register,
)
from fraudwall.simulate.scenarios.registration import Registration
from fraudwall.simulate.world import DAY_S, World


@dataclass(frozen=True)
class Profile:
    """How one fraud type works: volume, hours, how calls go, how much SMS."""

    calls: tuple[int, int]  # outbound calls per day
    hours: np.ndarray
    p_unanswered: float
    short: tuple[int, int]  # seconds before a callee hangs up
    p_long: float  # share of long calls (a callee who listens)
    long_median_s: float
    sms: tuple[int, int]  # SMS per day
    weekend: float  # weekend activity relative to weekdays


PROFILES: dict[str, Profile] = {
    "click_farming": Profile((40, 120), HOURS_EVENING, 0.45, (5, 40), 0.05, 420, (10, 40), 1.0),
    "fake_investment": Profile((30, 90), HOURS_DAY, 0.50, (5, 60), 0.08, 900, (0, 10), 0.8),
    "fake_loan": Profile((60, 180), HOURS_OFFICE, 0.55, (3, 30), 0.04, 300, (30, 120), 0.5),
    "fake_customer_service": Profile((60, 160), HOURS_DAY, 0.50, (3, 40), 0.06, 600, (20, 80), 0.9),
    "police_impersonation": Profile((20, 70), HOURS_OFFICE, 0.50, (5, 60), 0.10, 1800, (0, 3), 0.3),
}
VICTIMS_PER_CALLER_DAY = 0.45
STRAY_VISITS = 0.1  # visits a day to a fraud domain by people who are not victims
FRAUD_WORDS = ("invest", "gold", "coin", "loan", "quick", "vip", "trade", "fund", "pay", "app")


@dataclass
class Victims:
    """Scheduled engagements: ``victim[i]`` is hooked by ``caller[i]`` at ``t0[i]``."""

    victim: np.ndarray
    caller: np.ndarray
    t0: np.ndarray
    ftype: np.ndarray  # index into FRAUD_TYPES


def schedule_victims(
    world: World,
    rng: np.random.Generator,
    callers: np.ndarray,
    rate_per_day: float | np.ndarray,
    active: np.ndarray | None = None,
) -> Victims:
    """Pick victims among ordinary subscribers and when each is hooked.

    ``active`` (optional, ``(callers, days)`` bool) limits engagements to days a caller works.
    """
    n_days = world.days
    k = rng.poisson(np.broadcast_to(rate_per_day, (callers.size,))[:, None] * np.ones(n_days))
    if active is not None:
        k = k * active
    if k.sum() == 0:  # every scenario needs instances; hook one victim on the first day
        k[rng.integers(0, callers.size), 0] = 1
    ci, di = np.nonzero(k)
    reps = k[ci, di]
    caller_idx, day = np.repeat(ci, reps), np.repeat(di, reps)
    victim = world.take(caller_idx.size)
    t0 = day * DAY_S + rng.integers(9 * 3600, 17 * 3600, caller_idx.size)
    return Victims(victim, callers[caller_idx], t0, np.zeros(caller_idx.size, np.int64))


def victim_events(
    world: World,
    day: Day,
    rng: np.random.Generator,
    batch: Batch,
    v: Victims,
    domains: np.ndarray,
    call_backs: bool = True,
) -> None:
    """The day's engagements: long calls, call-backs, a link by SMS, then bank calls and visits
    to the fraud domain of the scam. SIM-box SIMs take no calls (``call_backs=False``)."""
    sel = (v.t0 >= day.t0) & (v.t0 < day.t0 + DAY_S)
    victim, caller, t0, ftype = v.victim[sel], v.caller[sel], v.t0[sel], v.ftype[sel]
    if victim.size == 0:
        return
    long_med = np.array([PROFILES[t].long_median_s for t in FRAUD_TYPES])[ftype]
    # Repeated long calls from the fraudster.
    n_calls = rng.integers(2, 6, victim.size)
    who = np.repeat(np.arange(victim.size), n_calls)
    gap = rng.integers(300, 1800, who.size)
    first = np.cumsum(n_calls) - n_calls
    gap[first] = 0
    t = t0[who] + np.cumsum(gap) - np.repeat(np.cumsum(gap)[first], n_calls)
    dur = np.rint(long_med[who] * np.exp(rng.normal(0.0, 0.5, who.size))).astype(np.int64)
    dur = np.clip(dur, 180, 4 * 3600)
    batch.call(caller[who], victim[who], t, dur)
    end = np.zeros(victim.size, dtype=np.int64)
    np.maximum.at(end, who, t + dur)
    # The victim calls back, and receives the "link".
    back = np.repeat(np.arange(victim.size), rng.integers(0, 3, victim.size) * call_backs)
    batch.call(
        victim[back],
        caller[back],
        t0[back] + rng.integers(600, 5400, back.size),
        talk_time(rng, back.size, 300, 0.6, lo=30),
    )
    sms = np.repeat(np.arange(victim.size), rng.integers(1, 3, victim.size))
    batch.text(
        caller[sms],
        victim[sms],
        t0[sms] + rng.integers(60, 3600, sms.size),
        rng.integers(60, 140, sms.size),
        ftype[sms],
    )
    # Afterwards: the bank, and the fraud site.
    blo, bhi = world.numbers.range("bank")
    bank = np.repeat(np.arange(victim.size), rng.integers(1, 4, victim.size))
    batch.call(
        victim[bank],
        rng.integers(blo, bhi, bank.size),
        end[bank] + rng.integers(300, 7200, bank.size),
        talk_time(rng, bank.size, 240, 0.6, lo=30),
    )
    visit = np.repeat(np.arange(victim.size), rng.integers(3, 11, victim.size))
    dom = domains[ftype[visit], rng.integers(0, domains.shape[1], visit.size)]
    batch.session(victim[visit], t0[visit] + rng.integers(0, 10_800, visit.size), dom, rng)
    # Some report it, a few hours later.
    rep = rng.random(victim.size) < 0.4
    at = np.minimum(end[rep] + rng.integers(3600, 72_000, int(rep.sum())), world.horizon - 1)
    world.complaints.add(victim[rep], caller[rep], at, "fraud")


class FraudCallers(BasePlant):
    """Fraud callers of the five types, their victims and the fraud domains."""

    name = "fraud_caller"

    def __init__(self, world: World, rng: np.random.Generator, reg: Registration) -> None:
        n = scaled(world.n, 4, 15)
        self.subs = world.take(n)
        self.ftype = rng.permutation(np.arange(n) % len(FRAUD_TYPES))
        world.silence(self.subs)
        # Verification codes still arrive (apps registered for the scam), just few of them.
        world.notif_rate[self.subs] = rng.uniform(0.2, 1.0, n)
        burst = rng.random(n) < 0.4
        world.home_city[self.subs] = random_cities(world, rng, n)
        register(world, rng, self.subs, (1, 60))
        reg.enrol(world, rng, self.subs[burst])
        world.arpu[self.subs] = np.round(rng.uniform(10, 60, n), 2)
        self._gangs(world, rng)
        self._domains(world, rng)
        self.victims = schedule_victims(
            world, rng, self.subs, VICTIMS_PER_CALLER_DAY * world.profile.victim_rate
        )
        self.victims.ftype = self._type_of(self.victims.caller)
        labels = world.labels
        types = np.array(FRAUD_TYPES, dtype=object)
        labels.add("msisdn", self.subs, "fraud_caller", 0, types[self.ftype])
        labels.add(
            "msisdn", self.victims.victim, "victim", self.victims.t0, types[self.victims.ftype]
        )

    def _type_of(self, callers: np.ndarray) -> np.ndarray:
        order = np.argsort(self.subs)
        return self.ftype[order[np.searchsorted(self.subs[order], callers)]]

    def _gangs(self, world: World, rng: np.random.Generator) -> None:
        """Gangs of 1-4 cards at one static cell; most gangs share one handset."""
        n = self.subs.size
        gang = partition(rng, self.subs, rng.choice([1, 2, 3, 4], n, p=[0.35, 0.3, 0.2, 0.15]))
        n_gangs = gang.max() + 1
        cell = world.cells.random_in_city(rng, random_cities(world, rng, n_gangs))
        world.pin(self.subs, cell[gang], mobility=0.01)
        new_handsets(world, self.subs)
        size = np.bincount(gang)
        shares = (size >= 2) & (rng.random(n_gangs) < 0.6)
        dev = world.imeis.new(n_gangs)
        sharing = shares[gang]
        world.imei.default[self.subs[sharing]] = dev[gang[sharing]]  # type: ignore[union-attr]
        # A room where several fraud SIMs share handsets is a den too.
        world.labels.add("cell_id", cell[shares], "den", 0, "fraud_phones")

    def _domains(self, world: World, rng: np.random.Generator) -> None:
        per_type = -(-scaled(world.n, 0.3, 12) // len(FRAUD_TYPES))
        names = host_names(rng, per_type * len(FRAUD_TYPES), set(world.domains), words=FRAUD_WORDS)
        dom = world.add_domains("fraud", names)
        #: (fraud type, k) matrix of the domains each type sends victims to
        self.domains = dom.reshape(per_type, len(FRAUD_TYPES)).T.copy()
        world.labels.add("domain", dom, "fraud_domain", 0)

    def events(self, day: Day, rng: np.random.Generator, batch: Batch) -> None:
        world = w = day.world
        for ti, tname in enumerate(FRAUD_TYPES):  # five fraud types
            p = PROFILES[tname]
            callers = self.subs[self.ftype == ti]
            scale = p.weekend if day.weekend else 1.0
            volume = rng.integers(p.calls[0], p.calls[1] + 1, callers.size)
            k = rng.binomial(np.rint(volume * w.profile.fraud_calls).astype(np.int64), scale)
            a = np.repeat(callers, k)
            b = distinct_targets(world, rng, k)
            t = day.t0 + sample_in_profile(rng, a.size, p.hours)
            dur = mixed_durations(rng, a.size, p.p_unanswered, p.short, p.p_long, p.long_median_s)
            batch.call(a, b, t, dur)
            # A few call back: people curious about a missed call, or who were cut off.
            cb = rng.random(a.size) < np.where(dur > 0, 0.04, 0.02)
            batch.call(
                b[cb],
                a[cb],
                t[cb] + rng.integers(60, 3600, int(cb.sum())),
                durations(rng, 0.3, int(cb.sum()), median_s=20),
            )
            # Callees who hang up within seconds are part of the truth: not victims.
            hung = np.unique(b[(b < w.n) & (dur > 0) & (dur <= 10)])
            hung = hung[~np.isin(hung, self.victims.victim)]  # a victim hooked by another call
            w.labels.add("msisdn", hung, "benign", day.t0, "hung_up_callee")
            # ... and so are those who listened for a minute or more and did not fall for it.
            heard = np.unique(b[(b < w.n) & (dur >= 60)])
            heard = heard[~np.isin(heard, self.victims.victim)]
            w.labels.add("msisdn", heard, "benign", day.t0, "listened_to_fraudster")
            rep = (b < w.n) & (dur > 0) & (rng.random(a.size) < 0.012)
            at = np.minimum(t[rep] + rng.integers(600, 36_000, int(rep.sum())), w.horizon - 1)
            w.complaints.add(b[rep], a[rep], at, "fraud")
            ks = rng.binomial(rng.integers(p.sms[0], p.sms[1] + 1, callers.size), scale)
            sa = np.repeat(callers, ks)
            batch.text(
                sa,
                distinct_targets(world, rng, ks),
                day.t0 + sample_in_profile(rng, sa.size, p.hours),
                rng.integers(50, 140, sa.size),
                ti,
            )
            # Little data: each day someone of the gang checks each of the type's sites.
            doms = self.domains[ti]
            site = np.repeat(doms, rng.integers(1, 4, doms.size))
            who = callers[rng.integers(0, callers.size, site.size)]
            t = day.t0 + sample_in_profile(rng, site.size, p.hours)
            batch.session(who, t, site, rng, scale=0.2)
        victim_events(world, day, rng, batch, self.victims, self.domains)
        self._stray_visits(day, rng, batch)

    def _stray_visits(self, day: Day, rng: np.random.Generator, batch: Batch) -> None:
        """A stranger now and then follows a link in a fraud SMS."""
        dom = self.domains.ravel()
        hits = np.repeat(dom, rng.poisson(STRAY_VISITS, dom.size))
        who = day.world.random_parties(rng, hits.size, p_own=1.0)
        batch.session(
            who, day.t0 + sample_in_profile(rng, hits.size, HOURS_DAY), hits, rng, scale=0.3
        )
