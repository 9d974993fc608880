"""Build a whole world: background population, planted scenarios, social graph, identities."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

from fraudwall.simulate.geo import build_cells
from fraudwall.simulate.ids import hex_strings, imeis, unique_ints
from fraudwall.simulate.params import OWN_IMSI_PREFIXES
from fraudwall.simulate.population import build_world, dual_phones
from fraudwall.simulate.profile import PROFILES, WorldProfile
from fraudwall.simulate.scenarios import plant_all
from fraudwall.simulate.seeds import rng_for
from fraudwall.simulate.social import build_graph, off_share
from fraudwall.simulate.world import World

MIN_SUBSCRIBERS = 2_000
N_TACS = 400


def build(
    seed: int, n: int, start: dt.date, days: int, profile: WorldProfile = PROFILES["default"]
) -> World:
    """The world of ``n`` subscribers over ``days`` days from ``start``, ready to generate."""
    if n < MIN_SUBSCRIBERS:
        raise ValueError(f"need at least {MIN_SUBSCRIBERS} subscribers to plant every scenario")
    if days < 1:
        raise ValueError("need at least one day")
    n_cells = int(np.clip(n // 150, 300, 20_000))
    cells = build_cells(rng_for(seed, "cells"), n_cells)
    world = build_world(seed, n, start, days, cells, profile)
    plant_all(world)
    dual_phones(world, rng_for(seed, "dual_phones"))
    build_graph(world, rng_for(seed, "graph"))
    world.cache["off_share"] = off_share(world)
    _freeze_identities(world, rng_for(seed, "identities"))
    return world


def _freeze_identities(world: World, rng: np.random.Generator) -> None:
    """Strings for every handset, SIM and ID holder handed out while building."""
    tacs = unique_ints(rng, 0, 10**6, N_TACS) + rng.choice([35, 86], N_TACS) * 10**6
    world.imeis.strings = imeis(rng, world.imeis.size, tacs)
    k = world.imsis.size
    prefix = np.asarray(OWN_IMSI_PREFIXES, dtype=np.int64)[rng.integers(0, 2, k)]
    world.imsis.strings = pa.array(prefix * 10**10 + unique_ints(rng, 0, 10**10, k)).cast(
        pa.string()
    )
    world.holders.strings = hex_strings(rng, world.holders.size)
