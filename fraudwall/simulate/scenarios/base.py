"""Shared pieces of the planted scenarios: the plant base class and target pickers."""

from __future__ import annotations

import numpy as np

from fraudwall.simulate.day import Day
from fraudwall.simulate.events import Batch
from fraudwall.simulate.geo import CITY_MAX_RISK, CITY_PROVINCE, CITY_WEIGHTS
from fraudwall.simulate.population import face_scores, pick_agents, pick_outlets, shop_time
from fraudwall.simulate.seeds import rng_for
from fraudwall.simulate.world import World


class BasePlant:
    """A plant that neither moves anybody nor adds events; subclasses override what they need."""

    name = "base"

    def adjust_day(self, day: Day) -> None:
        return None

    def events(self, day: Day, rng: np.random.Generator, batch: Batch) -> None:
        return None


def register(
    world: World,
    rng: np.random.Generator,
    subs: np.ndarray,
    days_ago: tuple[int, int],
    holder: np.ndarray | None = None,
) -> None:
    """Give cards a fresh registration: activated ``days_ago`` (range) at a home-city outlet."""
    world.activated[subs] = shop_time(rng, -rng.integers(days_ago[0], days_ago[1] + 1, subs.size))
    world.outlet[subs] = pick_outlets(world, rng, world.home_city[subs])
    world.agent[subs] = pick_agents(world, rng, world.outlet[subs])
    world.kyc[subs] = face_scores(rng, subs.size)
    world.holder[subs] = world.new_holders(subs.size) if holder is None else holder


def new_handsets(world: World, subs: np.ndarray) -> np.ndarray:
    """Give each subscriber a handset nobody used before; return the device indices."""
    dev = world.imeis.new(subs.size)
    world.imei.default[subs] = dev  # type: ignore[union-attr]
    return dev


def random_cities(world: World, rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.choice(CITY_WEIGHTS.size, size=n, p=world.city_weights()).astype(np.int16)


def far_cities(
    world: World, rng: np.random.Generator, home: np.ndarray, max_risk: int = 3
) -> np.ndarray:
    """A city in another province for each home city (weighted by population), among the
    cities whose border risk level is at most ``max_risk``."""
    out = random_cities(world, rng, home.size)

    def wrong() -> np.ndarray:
        return (CITY_PROVINCE[out] == CITY_PROVINCE[home]) | (CITY_MAX_RISK[out] > max_risk)

    bad = wrong()
    while bad.any():  # a few redraws; each has a high chance of landing elsewhere
        out[bad] = random_cities(world, rng, int(bad.sum()))
        bad = wrong()
    return out


def _stranger_pool(world: World) -> np.ndarray:
    if "stranger_pool" not in world.cache:
        rng = rng_for(world.seed, "stranger_pool")
        own = world.ordinary()
        lo, hi = world.numbers.range("offnet")
        world.cache["stranger_pool"] = rng.permutation(
            np.concatenate([own, np.arange(lo, hi, dtype=np.int64)])
        )
    return world.cache["stranger_pool"]


def distinct_targets(world: World, rng: np.random.Generator, counts: np.ndarray) -> np.ndarray:
    """For each sender, ``counts[i]`` different strangers (own or off-net); concatenated.

    Each sender walks its own stretch of one shuffled pool of numbers, so its targets do not
    repeat while the stretch lasts.
    """
    pool = _stranger_pool(world)
    counts = np.asarray(counts, dtype=np.int64)
    start = rng.integers(0, pool.size, counts.size)
    offset = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    return pool[(np.repeat(start, counts) + offset) % pool.size]


def sequential_targets(world: World, rng: np.random.Generator, counts: np.ndarray) -> np.ndarray:
    """Like :func:`distinct_targets`, but walking own numbers in ascending numeric order
    (how scanning auto-dialers work through a number range)."""
    if "own_ascending" not in world.cache:
        own = world.ordinary()
        values = world.cache["own_int"][own]
        world.cache["own_ascending"] = own[np.argsort(values)]
    pool = world.cache["own_ascending"]
    counts = np.asarray(counts, dtype=np.int64)
    start = rng.integers(0, pool.size, counts.size)
    offset = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    return pool[(np.repeat(start, counts) + offset) % pool.size]
