"""The background population: ordinary people, companies and IoT fleets, and where they signed up.

Nothing here is a planted scenario; plants later take some of these subscribers and change them.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from fraudwall.simulate.books import NumberBook, Timeline
from fraudwall.simulate.geo import CITIES, CITY_WEIGHTS, Cells
from fraudwall.simulate.ids import digit_strings, prefixed_numbers
from fraudwall.simulate.params import (
    BANK_NUMBERS,
    DOMAIN_TLDS,
    DOMAIN_WORDS,
    FOREIGN_PREFIXES,
    N_SMS_SENDERS,
    OFFNET_PREFIXES,
    OTHER_OPERATORS,
    OWN_PREFIXES,
    POPULAR_DOMAINS,
    SERVICE_NUMBERS,
)
from fraudwall.simulate.profile import WorldProfile
from fraudwall.simulate.seeds import rng_for
from fraudwall.simulate.world import (
    ACTIVE,
    CLOSED,
    DAY_S,
    ENTERPRISE,
    IOT,
    NO_TIME,
    PERSONAL,
    SUSPENDED,
    Outlets,
    World,
)

#: Real-name face checks at registration started in December 2019; older cards have no score.
FACE_CHECK_SINCE = dt.date(2019, 12, 1)
YEARS_BACK = 8
SHOP_OPEN_S, SHOP_CLOSE_S = 9 * 3600, 21 * 3600
IOT_SHARE, ENTERPRISE_SHARE = 0.03, 0.04
IDLE_SUSPENDED, IDLE_CLOSED = 0.005, 0.006
DUAL_PHONE_SHARE = 0.02
OTHER_CARD_SHARE = 0.02


def build_world(
    seed: int, n: int, start: dt.date, days: int, cells: Cells, profile: WorldProfile | None = None
) -> World:
    """A world with ``n`` own subscribers living their ordinary lives (no plants yet)."""
    rng = rng_for(seed, "population")
    world = World(seed=seed, n=n, start=start, days=days, cells=cells, numbers=NumberBook(n))
    if profile is not None:
        world.profile = profile
    _numbers(world, rng)
    _domains(world, rng)
    _holders(world, rng)
    _places(world, rng)
    _outlets(world, rng)
    _registration(world, rng)
    _behaviour(world, rng)
    _devices(world, rng)
    _other_operator_cards(world, rng)
    world.set_pool(rng.permutation(np.flatnonzero(world.social & (world.holder_type == PERSONAL))))
    return world


def _numbers(world: World, rng: np.random.Generator) -> None:
    n = world.n
    own = prefixed_numbers(rng, OWN_PREFIXES, n)
    world.cache["own_int"] = own
    world.numbers.add("own", pa.array(own))
    # One draw for every off-net number, so contacts and other-operator cards never collide.
    n_offnet = max(20_000, int(0.6 * n))
    offnet = prefixed_numbers(rng, OFFNET_PREFIXES, n_offnet + max(2_000, n // 10))
    world.numbers.add("offnet", pa.array(offnet[:n_offnet]))
    world.spare_offnet = offnet[n_offnet:]  # handed out by spare_offnet()
    n_foreign = 50 + n // 500
    pre = rng.integers(0, len(FOREIGN_PREFIXES), n_foreign)
    tails = digit_strings(rng.integers(0, 10**9, n_foreign), 9)
    heads = pa.array(np.array(FOREIGN_PREFIXES, dtype=object)[pre], pa.string())
    world.numbers.add("foreign", pc.binary_join_element_wise(heads, tails, ""))
    world.numbers.add("bank", pa.array(BANK_NUMBERS))
    world.numbers.add("service", pa.array(SERVICE_NUMBERS))
    senders = 1069 * 10**8 + rng.choice(10**8, size=N_SMS_SENDERS, replace=False)
    world.numbers.add("sms_sender", pa.array(senders).cast(pa.string()))


def _domains(world: World, rng: np.random.Generator) -> None:
    world.add_domains("popular", list(POPULAR_DOMAINS))
    n_tail = int(np.clip(world.n // 200, 300, 5_000))
    world.add_domains("tail", host_names(rng, n_tail, exclude=set(world.domains)))


def host_names(
    rng: np.random.Generator, n: int, exclude: set[str], words: tuple[str, ...] = ()
) -> list[str]:
    """Plausible host names from shared vocabulary (plus ``words``), none in ``exclude``."""
    w = np.array(DOMAIN_WORDS + words)
    tlds = np.array(DOMAIN_TLDS)
    names: list[str] = []
    seen = set(exclude)
    while len(names) < n:  # loops over a few rounds of vectorised draws
        k = 2 * (n - len(names))
        a, b = w[rng.integers(0, w.size, k)], w[rng.integers(0, w.size, k)]
        num = rng.integers(0, 1000, k).astype(str)
        num = np.where(rng.random(k) < 0.4, num, "")
        tld = tlds[rng.choice(tlds.size, k, p=_tld_weights())]
        cand = np.char.add(np.char.add(np.char.add(a, b), num), np.char.add(".", tld))
        for c in cand.tolist():
            if c not in seen:
                seen.add(c)
                names.append(c)
    return names[:n]


def _tld_weights() -> np.ndarray:
    w = np.array([30, 20, 10, 8, 6, 5, 4, 3, 2, 2], dtype=float)
    return w / w.sum()


def partition(rng: np.random.Generator, members: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Group ``members`` into consecutive holders of the given sizes; local holder per member."""
    cut = np.searchsorted(np.cumsum(sizes), members.size)
    sizes = sizes[: cut + 1].copy()
    sizes[-1] -= sizes.sum() - members.size
    return np.repeat(np.arange(sizes.size), sizes)


def _holders(world: World, rng: np.random.Generator) -> None:
    n = world.n
    u = rng.random(n)
    htype = np.where(
        u < IOT_SHARE, IOT, np.where(u < IOT_SHARE + ENTERPRISE_SHARE, ENTERPRISE, PERSONAL)
    ).astype(np.int8)
    holder = np.empty(n, dtype=np.int64)
    size_draw = {
        PERSONAL: lambda k: rng.choice([1, 2, 3], size=k, p=[0.74, 0.21, 0.05]),
        ENTERPRISE: lambda k: rng.integers(2, 16, size=k),
        IOT: lambda k: rng.integers(20, 301, size=k),
    }
    for kind, draw in size_draw.items():  # three holder kinds
        members = rng.permutation(np.flatnonzero(htype == kind))
        if members.size == 0:
            continue
        local = partition(rng, members, draw(members.size))
        holder[members] = world.holders.new(local.max() + 1)[local]
    world.holder, world.holder_type = holder, htype


def _places(world: World, rng: np.random.Generator) -> None:
    """Home city per holder (a family or company lives in one city); home and work cells."""
    n = world.n
    city_of = rng.choice(len(CITIES), size=world.holders.size, p=world.city_weights()).astype(
        np.int16
    )
    world.home_city = city_of[world.holder]
    cells = world.cells
    world.home_cell = cells.random_in_city(rng, world.home_city)
    world.work_cell = cells.random_in_city(rng, world.home_city)
    # Company phones and IoT devices stay at one site.
    fixed = world.holder_type != PERSONAL
    site = cells.random_in_city(rng, city_of)
    world.work_cell[fixed] = site[world.holder[fixed]]
    iot = world.holder_type == IOT
    world.home_cell[iot] = world.work_cell[iot]
    world.mobility = np.where(iot, 0.0, rng.beta(2, 12, n)).astype(np.float32)


def _outlets(world: World, rng: np.random.Generator) -> None:
    n_out = max(80, world.n // 300)
    city = np.sort(rng.choice(len(CITIES), size=n_out, p=CITY_WEIGHTS)).astype(np.int16)
    # Every city needs at least one outlet to register its people.
    missing = np.setdiff1d(np.arange(len(CITIES)), city)
    city = np.sort(np.concatenate([city, missing])).astype(np.int16)
    n_out = city.size
    local = np.arange(n_out) - np.searchsorted(city, city)
    weight = np.exp(rng.normal(0.0, 0.6, n_out))
    # Flagship stores: a steady volume several times that of an ordinary shop.
    flagship = rng.choice(n_out, size=max(10, n_out // 50), replace=False)
    weight[flagship] *= 8.0
    n_agents = rng.integers(1, 7, n_out)
    agent_base = np.concatenate([[0], np.cumsum(n_agents)[:-1]])
    outlet_id = digit_strings(city.astype(np.int64) * 10_000 + local, 6, b"OT")
    agent_outlet = np.repeat(np.arange(n_out), n_agents)
    agent_local = np.arange(agent_outlet.size) - agent_base[agent_outlet]
    agent_id = pc.binary_join_element_wise(
        outlet_id.take(pa.array(agent_outlet)), digit_strings(agent_local + 1, 2, b"-A"), ""
    )
    world.outlets = Outlets(
        outlet_id, city, weight, agent_base, n_agents, agent_id, np.sort(flagship)
    )


def pick_outlets(world: World, rng: np.random.Generator, city: np.ndarray) -> np.ndarray:
    """An outlet in each given city, chosen in proportion to the outlets' steady volume."""
    o = world.outlets
    assert o is not None
    # Outlets are sorted by city; a global CDF where city c's outlets span (c, c + 1] lets one
    # searchsorted serve every city at once.
    first = np.searchsorted(o.city, np.arange(len(CITIES)))
    cw = np.cumsum(o.weight)
    before = np.where(first > 0, cw[np.maximum(first - 1, 0)], 0.0)
    total = np.add.reduceat(o.weight, first)
    cdf = o.city + (cw - before[o.city]) / total[o.city]
    pos = np.searchsorted(cdf, np.asarray(city) + rng.random(np.size(city)), side="right")
    return np.minimum(pos, o.city.size - 1)


def pick_agents(world: World, rng: np.random.Generator, outlet: np.ndarray) -> np.ndarray:
    o = world.outlets
    assert o is not None
    return o.agent_base[outlet] + (rng.random(outlet.size) * o.n_agents[outlet]).astype(np.int64)


def shop_time(rng: np.random.Generator, day_offset: np.ndarray) -> np.ndarray:
    """A moment during opening hours of the given day (days relative to the period start)."""
    return day_offset * DAY_S + rng.integers(SHOP_OPEN_S, SHOP_CLOSE_S, size=np.size(day_offset))


def face_scores(rng: np.random.Generator, n: int) -> np.ndarray:
    """Face-vs-ID match scores of genuine registrations: mostly 0.85-0.99."""
    s = 0.85 + 0.14 * rng.beta(4, 1.5, n)
    low = rng.random(n) < 0.04
    s[low] = rng.uniform(0.6, 0.85, int(low.sum()))
    return np.round(s, 3)


def _registration(world: World, rng: np.random.Generator) -> None:
    n = world.n
    max_age = YEARS_BACK * 365
    age = np.where(
        rng.random(n) < 0.55,
        rng.integers(1, max_age + 1, n),
        np.minimum(1 + rng.exponential(600, n).astype(np.int64), max_age),
    )
    # An IoT fleet is rolled out in a few days.
    iot = world.holder_type == IOT
    fleet_age = rng.integers(30, max_age, world.holders.size)
    age[iot] = fleet_age[world.holder[iot]] + rng.integers(0, 4, int(iot.sum()))
    world.activated = shop_time(rng, -age)
    world.outlet = pick_outlets(world, rng, world.home_city)
    world.agent = pick_agents(world, rng, world.outlet)
    since = (FACE_CHECK_SINCE - world.start).days * DAY_S
    checked = (world.activated >= since) & (world.holder_type == PERSONAL)
    world.kyc = np.where(checked, face_scores(rng, n), np.nan)
    world.status = np.full(n, ACTIVE, dtype=np.int8)
    world.deactivated = np.full(n, NO_TIME, dtype=np.int64)
    u = rng.random(n)
    world.status[u < IDLE_SUSPENDED + IDLE_CLOSED] = CLOSED
    world.status[u < IDLE_SUSPENDED] = SUSPENDED
    closed = world.status == CLOSED
    world.deactivated[closed] = rng.integers(0, world.horizon, int(closed.sum()))
    arpu = np.exp(rng.normal(np.log(45), 0.6, n))
    arpu[world.holder_type == ENTERPRISE] = np.exp(
        rng.normal(np.log(80), 0.5, int((world.holder_type == ENTERPRISE).sum()))
    )
    arpu[iot] = np.exp(rng.normal(np.log(5), 0.5, int(iot.sum())))
    world.arpu = np.round(np.clip(arpu, 1, 800), 2)


def _behaviour(world: World, rng: np.random.Generator) -> None:
    n = world.n
    people = (world.holder_type != IOT) & (world.status == ACTIVE)
    world.social = people.copy()
    world.planted = np.zeros(n, dtype=bool)
    world.degree = np.zeros(n, dtype=np.int64)
    gamma = rng.gamma
    world.call_rate = np.where(people, gamma(2.0, 1.15, n), 0.0)
    world.sms_rate = np.where(people, gamma(1.0, 0.6, n) * world.profile.sms_volume, 0.0)
    world.notif_rate = np.where(people, gamma(2.0, 0.6, n), 0.0)
    data = gamma(1.5, 3.0, n) * (rng.random(n) > 0.08)  # some people never use mobile data
    world.data_rate = np.where(people, data, 0.0)
    world.loc_rate = np.where(world.status == ACTIVE, rng.uniform(1.0, 3.0, n), 0.0)
    world.unanswered = rng.beta(2, 2 / world.profile.unanswered_mean - 2, n).astype(np.float32)
    # IoT fleets report to their own platform many times a day.
    iot = world.holder_type == IOT
    world.iot_domain = np.full(n, -1, dtype=np.int64)
    fleets = np.unique(world.holder[iot])
    if fleets.size:
        names = [
            f"iot{i:03d}.{d}"
            for i, d in enumerate(
                rng.choice(["cmiot.cn", "onenet.com", "ctwing.cn", "aliyun-iot.com"], fleets.size)
            )
        ]
        dom = world.add_domains("iot", names)
        world.iot_domain[iot] = dom[np.searchsorted(fleets, world.holder[iot])]
        world.data_rate[iot] = rng.uniform(12, 48, int(iot.sum()))


def _devices(world: World, rng: np.random.Generator) -> None:
    n = world.n
    world.imei = Timeline(world.imeis.new(n), world.horizon)
    world.imsi = Timeline(world.imsis.new(n), world.horizon)


def dual_phones(world: World, rng: np.random.Generator) -> None:
    """A few ordinary people carry two phones: the second in the evening, the first by day.

    Run after the plants, so planted subscribers keep exactly the handsets they were given.
    """
    ordinary = np.flatnonzero(world.social & ~world.planted)
    dual = ordinary[rng.random(ordinary.size) < DUAL_PHONE_SHARE]
    second = world.imeis.new(dual.size)
    d = np.arange(world.days)
    subs = np.repeat(dual, world.days)
    day = np.tile(d, dual.size)
    evening = day * DAY_S + rng.integers(18 * 3600, 22 * 3600, subs.size)
    morning = (day + 1) * DAY_S + rng.integers(7 * 3600, 9 * 3600, subs.size)
    first = world.imei.default[subs]  # type: ignore[union-attr]
    world.imei.add(  # type: ignore[union-attr]
        np.concatenate([subs, subs]),
        np.concatenate([evening, morning]),
        np.concatenate([np.repeat(second, world.days), first]),
    )


def spare_offnet(world: World, n: int) -> np.ndarray:
    """``n`` fresh off-net numbers (int64) that appear nowhere else yet."""
    pos = world.spare_pos
    if pos + n > world.spare_offnet.size:
        raise ValueError("ran out of spare off-net numbers")
    world.spare_pos = pos + n
    return world.spare_offnet[pos : pos + n]


def add_other_cards(
    world: World,
    rng: np.random.Generator,
    kind: str,
    holders: np.ndarray,
    city: np.ndarray,
    activated: np.ndarray,
) -> np.ndarray:
    """Cards of ``holders`` at other operators (cross-operator ID records); number indices."""
    nums = spare_offnet(world, holders.size)
    idx = world.numbers.add(kind, pa.array(nums))
    prefix = nums // 10**8
    operator = np.where(np.isin(prefix, OTHER_OPERATORS["CUCC"]), 0, 1).astype(np.int8)
    oc = world.other_cards
    oc.number.append(idx)
    oc.holder.append(holders)
    oc.activated.append(activated)
    oc.city.append(city)
    oc.operator.append(operator)
    return idx


def _other_operator_cards(world: World, rng: np.random.Generator) -> None:
    """Some people also hold a card at another operator."""
    people = np.flatnonzero(world.social)
    who = people[rng.random(people.size) < OTHER_CARD_SHARE]
    holders, first = np.unique(world.holder[who], return_index=True)
    city = world.home_city[who[first]]
    activated = shop_time(rng, -rng.integers(30, YEARS_BACK * 365, holders.size))
    add_other_cards(world, rng, "other_cards", holders, city, activated)
