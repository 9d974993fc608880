"""Ordinary life, one block of subscribers at a time: calls and texts among contacts, machine
SMS, app usage, network events.

A block's events depend only on the world, the day and the block's own random stream, so the
output is the same however blocks are grouped into files.
"""

from __future__ import annotations

import numpy as np

from fraudwall.simulate.day import Day
from fraudwall.simulate.events import Batch
from fraudwall.simulate.params import UNANSWERED_MEAN
from fraudwall.simulate.rhythm import durations, sample_seconds
from fraudwall.simulate.social import pick_contacts
from fraudwall.simulate.world import DAY_S, World

#: Subscribers per generation block (fixed: part of what makes the output reproducible).
BLOCK = 1 << 16
WEEKEND_CALLS = 0.85
#: Shares of machine SMS from banks and from the operator; the rest from 106 senders.
BANK_SMS, OPERATOR_SMS = 0.08, 0.04
POWER_CYCLE, NIGHT_OFF = 0.03, 0.08
TAIL_SHARE = 0.2
SERVICE_CALLS = 0.06  # calls to banks and hotlines per person per day


def blocks(world: World) -> list[tuple[int, int]]:
    """The fixed ``[lo, hi)`` subscriber blocks of a world."""
    return [(lo, min(lo + BLOCK, world.n)) for lo in range(0, world.n, BLOCK)]


def domain_cdf(world: World) -> np.ndarray:
    """CDF over popular and long-tail domains: Zipf-like, the tail holding a fifth of use."""
    if "domain_cdf" not in world.cache:
        pop = world.domain_indices("popular").size
        tail = world.domain_indices("tail").size
        wp = 1.0 / np.arange(1, pop + 1)
        wt = 1.0 / np.arange(1, tail + 1) ** 0.8
        w = np.concatenate([wp / wp.sum() * (1 - TAIL_SHARE), wt / wt.sum() * TAIL_SHARE])
        world.cache["domain_cdf"] = np.cumsum(w) / w.sum()
    return world.cache["domain_cdf"]


def background_block(world: World, day: Day, lo: int, hi: int, rng: np.random.Generator) -> Batch:
    """Every background event of subscribers ``lo..hi-1`` on ``day``."""
    batch = Batch()
    subs = np.arange(lo, hi, dtype=np.int64)
    _calls(world, day, subs, rng, batch)
    _texts(world, day, subs, rng, batch)
    _sessions(world, day, subs, rng, batch)
    _signals(world, day, subs, rng, batch)
    return batch


def _calls(
    world: World, day: Day, subs: np.ndarray, rng: np.random.Generator, batch: Batch
) -> None:
    n = world.n
    f = WEEKEND_CALLS if day.weekend else 1.0
    if day.index == world.profile.holiday_day:
        f *= world.profile.holiday_factor  # a holiday: everybody calls family and friends
    cdf = day.hours_cdf
    # Outbound to contacts, closer contacts more often.
    a = np.repeat(subs, rng.poisson(world.call_rate[subs] * f))
    b = pick_contacts(world, rng, a)
    p_un = np.where(b < n, world.unanswered[np.minimum(b, n - 1)], UNANSWERED_MEAN)
    batch.call(a, b, day.t0 + sample_seconds(rng, a.size, cdf), durations(rng, p_un, a.size))
    # Off-net contacts call back as often as they are called.
    share = world.cache["off_share"][subs]
    callee = np.repeat(subs, rng.poisson(world.call_rate[subs] * f * share))
    caller = pick_contacts(world, rng, callee, offnet_only=True)
    t = day.t0 + sample_seconds(rng, callee.size, cdf)
    batch.call(caller, callee, t, durations(rng, world.unanswered[callee], callee.size))
    # Everybody calls a bank or a hotline now and then (victims are not the only ones).
    people = subs[world.social[subs]]
    a = np.repeat(people, rng.poisson(SERVICE_CALLS, people.size))
    blo, bhi = world.numbers.range("bank")
    slo, shi = world.numbers.range("service")
    svc = np.where(
        rng.random(a.size) < 0.4, rng.integers(blo, bhi, a.size), rng.integers(slo, shi, a.size)
    )
    t = day.t0 + sample_seconds(rng, a.size, cdf)
    batch.call(a, svc, t, durations(rng, 0.05, a.size, median_s=150, sigma=0.8))


def _texts(
    world: World, day: Day, subs: np.ndarray, rng: np.random.Generator, batch: Batch
) -> None:
    cdf = day.hours_cdf
    a = np.repeat(subs, rng.poisson(world.sms_rate[subs]))
    b = pick_contacts(world, rng, a)
    batch.text(a, b, day.t0 + sample_seconds(rng, a.size, cdf), rng.integers(2, 70, a.size))
    share = world.cache["off_share"][subs]
    to = np.repeat(subs, rng.poisson(world.sms_rate[subs] * share))
    frm = pick_contacts(world, rng, to, offnet_only=True)
    batch.text(frm, to, day.t0 + sample_seconds(rng, to.size, cdf), rng.integers(2, 70, to.size))
    # Machine SMS: codes, bills, parcels from 106 senders; banks; the operator.
    to = np.repeat(subs, rng.poisson(world.notif_rate[subs]))
    slo, shi = world.numbers.range("sms_sender")
    rank = np.minimum(rng.zipf(1.6, to.size) - 1, shi - slo - 1)
    sender = slo + rank
    u = rng.random(to.size)
    blo, bhi = world.numbers.range("bank")
    sender[u < BANK_SMS] = rng.integers(blo, bhi, int((u < BANK_SMS).sum()))
    op = (u >= BANK_SMS) & (u < BANK_SMS + OPERATOR_SMS)
    sender[op] = world.numbers.range("service")[0]  # 10086
    batch.text(
        sender, to, day.t0 + sample_seconds(rng, to.size, cdf), rng.integers(30, 70, to.size)
    )


def _sessions(
    world: World, day: Day, subs: np.ndarray, rng: np.random.Generator, batch: Batch
) -> None:
    who = np.repeat(subs, rng.poisson(world.data_rate[subs]))
    iot = world.iot_domain[who] >= 0
    dom = np.searchsorted(domain_cdf(world), rng.random(who.size), side="right")
    dom = np.where(iot, world.iot_domain[who], dom)
    # People browse in waking hours; machines report around the clock.
    t = np.where(
        iot, rng.integers(0, DAY_S, who.size), sample_seconds(rng, who.size, day.hours_cdf)
    )
    batch.session(who, day.t0 + t, dom, rng, scale=np.where(iot, 0.01, 1.0))  # IoT: tiny


def _signals(
    world: World, day: Day, subs: np.ndarray, rng: np.random.Generator, batch: Batch
) -> None:
    on = subs[world.loc_rate[subs] > 0]
    who = np.repeat(on, rng.poisson(world.loc_rate[on]))
    batch.signal(who, "location_update", day.t0 + rng.integers(0, DAY_S, who.size))
    # Occasional restarts: off, a few minutes later on again and re-attached.
    cyc = on[rng.random(on.size) < POWER_CYCLE]
    t_off = day.t0 + rng.integers(6 * 3600, 23 * 3600, cyc.size)
    t_on = t_off + rng.integers(20, 900, cyc.size)
    batch.signal(cyc, "power_off", t_off)
    batch.signal(cyc, "power_on", t_on)
    batch.signal(cyc, "attach", t_on + rng.integers(2, 15, cyc.size))
    # Some switch off at night: attach in the morning, detach late in the evening.
    night = on[rng.random(on.size) < NIGHT_OFF]
    batch.signal(night, "attach", day.t0 + rng.integers(6 * 3600, 8 * 3600, night.size))
    batch.signal(night, "detach", day.t0 + rng.integers(22 * 3600 + 1800, DAY_S, night.size))
