"""Social circles: who knows whom, and how close they are.

The contact graph is undirected among own subscribers (if A knows B, B knows A, with the same
tie strength), so calls flow both ways. Each person also knows some off-net numbers. Contacts
are stored as CSR arrays with on-net contacts first; a cumulative tie-strength array lets a
call pick its callee in proportion to closeness with one ``searchsorted``.
"""

from __future__ import annotations

import numpy as np

from fraudwall.simulate.params import SAME_CITY_SHARE
from fraudwall.simulate.world import World

MIN_DEGREE, MAX_DEGREE = 5, 40
FOREIGN_CONTACT_SHARE = 0.01


def build_graph(world: World, rng: np.random.Generator) -> None:
    """Draw every social subscriber's contacts and store the CSR arrays on ``world``."""
    n = world.n
    soc = np.flatnonzero(world.social)
    want = world.degree[soc] if world.degree.size else np.zeros(soc.size, np.int64)
    drawn = np.clip(
        np.rint(np.exp(rng.normal(np.log(12), 0.55, soc.size))), MIN_DEGREE, MAX_DEGREE
    ).astype(np.int64)
    deg = np.where(want > 0, want, drawn)
    on_k = rng.binomial(deg, world.profile.onnet_share)
    off_k = deg - on_k

    # On-net: stubs bucketed by city (most ties are local), paired at random within a bucket.
    owner = np.repeat(soc, on_k)
    city = world.cells.city[world.home_cell[owner]].astype(np.int64)
    far = rng.random(owner.size) >= SAME_CITY_SHARE
    city[far] = rng.integers(0, world.cells.city_count.size, int(far.sum()))
    stubs = owner[np.lexsort((rng.random(owner.size), city))]
    stubs = stubs[: stubs.size // 2 * 2]
    u, v = stubs[0::2], stubs[1::2]
    if world.extra_edges:
        extra = np.concatenate(world.extra_edges).reshape(-1, 2)
        u, v = np.concatenate([u, extra[:, 0]]), np.concatenate([v, extra[:, 1]])
    keep = u != v
    lo, hi = np.minimum(u[keep], v[keep]), np.maximum(u[keep], v[keep])
    pair = np.unique(lo * n + hi)
    lo, hi = pair // n, pair % n
    strength = np.exp(rng.normal(0.0, 1.0, lo.size))

    # Off-net: numbers of the off-net pool, a few foreign ones (relatives abroad).
    off_owner = np.repeat(soc, off_k)
    olo, ohi = world.numbers.range("offnet")
    off_num = rng.integers(olo, ohi, off_owner.size)
    flo, fhi = world.numbers.range("foreign")
    abroad = rng.random(off_owner.size) < FOREIGN_CONTACT_SHARE
    off_num[abroad] = rng.integers(flo, fhi, int(abroad.sum()))
    off_strength = np.exp(rng.normal(-0.3, 1.0, off_owner.size))

    src = np.concatenate([lo, hi, off_owner])
    dst = np.concatenate([hi, lo, off_num])
    w = np.concatenate([strength, strength, off_strength])
    is_off = np.concatenate([np.zeros(2 * lo.size, np.int8), np.ones(off_owner.size, np.int8)])
    order = np.lexsort((dst, is_off, src))
    src, dst, w, is_off = src[order], dst[order], w[order], is_off[order]
    counts = np.bincount(src, minlength=n)
    world.nbr_ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    world.nbr_onnet_end = world.nbr_ptr[:-1] + np.bincount(src[is_off == 0], minlength=n)
    world.nbr = dst.astype(np.int32)
    world.nbr_cum = np.cumsum(w)


def pick_contacts(
    world: World, rng: np.random.Generator, subs: np.ndarray, offnet_only: bool = False
) -> np.ndarray:
    """A contact of each ``subs[i]``, chosen in proportion to tie strength (number indices).

    Every subscriber passed must have at least one contact (of the requested kind).
    """
    lo = world.nbr_onnet_end[subs] if offnet_only else world.nbr_ptr[subs]
    hi = world.nbr_ptr[subs + 1]
    cum = world.nbr_cum
    base = np.where(lo > 0, cum[np.maximum(lo - 1, 0)], 0.0)
    top = cum[hi - 1]
    target = base + rng.random(subs.size) * (top - base)
    pos = np.searchsorted(cum, target, side="right")
    return world.nbr[np.clip(pos, lo, hi - 1)].astype(np.int64)


def contact_counts(world: World) -> tuple[np.ndarray, np.ndarray]:
    """Number of on-net and off-net contacts of every subscriber."""
    on = world.nbr_onnet_end - world.nbr_ptr[:-1]
    off = world.nbr_ptr[1:] - world.nbr_onnet_end
    return on, off


def off_share(world: World) -> np.ndarray:
    """Share of each subscriber's tie strength that goes to off-net contacts."""
    lo = world.nbr_ptr[:-1]
    mid = world.nbr_onnet_end
    hi = world.nbr_ptr[1:]
    cum = np.concatenate([[0.0], world.nbr_cum])
    total = cum[hi] - cum[lo]
    off = cum[hi] - cum[mid]
    return np.divide(off, total, out=np.zeros_like(total), where=total > 0)
