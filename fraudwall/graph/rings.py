"""Fraud rings: communities in the suspicious part of the graph.

The suspicious part is the numbers that share victims with cold callers, the numbers a run
flagged, and the numbers tied to either through a shared device, holder, outlet batch or den
cell. Leiden (igraph, modularity on edge strength) splits it into communities; a community of
at least ``min_numbers`` numbers with a flagged or victim-sharing core is a ring, scored by how
much of it is flagged and how tightly it shares victims, devices and holders.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass

import igraph as ig
import numpy as np
import pandas as pd

from fraudwall.graph.model import KIND_CODE, EntityGraph
from fraudwall.graph.records import Member, Record, show

#: Relations that tie numbers into a ring (calls alone do not: a victim calls back).
RING_KINDS = ("shared_victim", "device", "holder", "co_registration", "colocation", "sim")
#: Things through which numbers tie, with the most numbers one may tie (above: a hub).
THING_LIMIT = 30


@dataclass(frozen=True)
class RingParams:
    """What makes a community a ring."""

    min_numbers: int = 3
    #: numbers of the suspicious core (flagged, or sharing victims) a ring needs
    min_core: int = 2
    #: rings scoring lower are not reported
    min_score: float = 0.4
    resolution: float = 1.0
    #: numbers tied to the suspicious core must share this strength with it
    min_tie: float = 0.3


def find_rings(
    g: EntityGraph,
    *,
    flagged: np.ndarray | None = None,
    params: RingParams | None = None,
    unmasked: bool = False,
    seed: int = 1,
) -> list[Record]:
    """Rings of the graph, strongest first. ``flagged``: bool per node (a run's leads)."""
    p = params or RingParams()
    if g.n_edges == 0:
        return []
    is_number = g.node_type_mask("msisdn")
    flagged = np.zeros(g.n_nodes, bool) if flagged is None else flagged
    codes = np.array([KIND_CODE[k] for k in RING_KINDS], dtype=np.int8)
    e = np.flatnonzero(np.isin(g.kind, codes) & (g.weight >= p.min_tie))
    # Things shared by too many numbers (an enterprise holder, a busy cell) tie nobody.
    deg = np.bincount(np.concatenate([g.src[e], g.dst[e]]), minlength=g.n_nodes)
    ok = ((deg[g.src[e]] <= THING_LIMIT) | is_number[g.src[e]]) & (
        (deg[g.dst[e]] <= THING_LIMIT) | is_number[g.dst[e]]
    )
    e = e[ok]
    victim_code = KIND_CODE["shared_victim"]
    core = flagged & is_number
    sv = e[g.kind[e] == victim_code]
    core[g.src[sv]] = True
    core[g.dst[sv]] = True
    if not core.any():
        return []
    # The suspicious part: the core, the things it uses, and numbers using those things.
    # Registering or standing next to a core number (co_registration, colocation) adds no one
    # (a shop's walk-in customers, a neighbour); those ties only count between members.
    grows = ~np.isin(g.kind[e], [KIND_CODE["co_registration"], KIND_CODE["colocation"]])
    touch = (core[g.src[e]] | core[g.dst[e]]) & grows
    part = np.zeros(g.n_nodes, bool)
    part[g.src[e[touch]]] = True
    part[g.dst[e[touch]]] = True
    things = part & ~is_number
    touch2 = (things[g.src[e]] | things[g.dst[e]]) & grows
    part[g.src[e[touch2]]] = True
    part[g.dst[e[touch2]]] = True
    e = e[part[g.src[e]] & part[g.dst[e]]]
    nodes = np.flatnonzero(part)
    pos = np.full(g.n_nodes, -1, np.int64)
    pos[nodes] = np.arange(nodes.size)
    sub = ig.Graph(n=nodes.size, edges=np.column_stack([pos[g.src[e]], pos[g.dst[e]]]).tolist())
    weights = g.weight[e].astype(float).tolist()
    # Leiden is randomised: a fixed generator makes the same workspace give the same rings.
    ig.set_random_number_generator(random.Random(seed))
    try:
        comms = sub.community_leiden(
            objective_function="modularity",
            weights=weights,
            resolution=p.resolution,
            n_iterations=-1,
        )
    finally:
        ig.set_random_number_generator(random)
    out: list[Record] = []
    membership = np.asarray(comms.membership)
    for c in range(int(membership.max()) + 1 if membership.size else 0):
        local = np.flatnonzero(membership == c)
        members = nodes[local]
        nums = members[is_number[members]]
        if nums.size < p.min_numbers or core[nums].sum() < p.min_core:
            continue
        rec = _ring_record(g, members, e, flagged, unmasked=unmasked)
        if rec.score >= p.min_score:
            out.append(rec)
    out.sort(key=lambda r: (-r.score, r.entity_id))
    for i, r in enumerate(out):
        r.extra["ring"] = f"R{i + 1:04d}"
    return out


def _ring_record(
    g: EntityGraph, members: np.ndarray, e: np.ndarray, flagged: np.ndarray, *, unmasked: bool
) -> Record:
    inside = np.zeros(g.n_nodes, bool)
    inside[members] = True
    ee = e[inside[g.src[e]] & inside[g.dst[e]]]
    kinds = Counter(int(k) for k in g.kind[ee].tolist())
    types = g.types(members)
    ids = g.displays(members)
    nums = [m for m, t in zip(members.tolist(), types, strict=True) if t == "msisdn"]
    n_flag = int(flagged[np.asarray(nums)].sum()) if nums else 0
    sv = kinds.get(KIND_CODE["shared_victim"], 0)
    dev = sum(1 for t in types if t == "imei")
    hold = sum(1 for t in types if t == "holder_id_hash")
    batch = kinds.get(KIND_CODE["co_registration"], 0)
    flag_share = n_flag / max(len(nums), 1)
    pairs = max(len(nums) * (len(nums) - 1) / 2, 1)
    density = min(1.0, sv / pairs)
    shared_things = min(1.0, (dev + hold) / max(len(nums) / 3, 1))
    score = min(1.0, 0.45 * flag_share + 0.35 * density + 0.2 * shared_things)
    role = {
        "msisdn": "caller",
        "imei": "device",
        "imsi": "sim",
        "holder_id_hash": "holder",
        "outlet_id": "outlet",
        "cell_id": "den",
    }
    mem = [
        Member(t, show(t, i, unmasked=unmasked), role.get(t, t))
        for t, i in sorted(zip(types, ids, strict=True))
    ]
    reasons = [f"{len(nums)} numbers, {n_flag} of them flagged by the run"]
    if sv:
        reasons.append(f"{sv} pairs of its numbers called the same strangers")
    if dev:
        reasons.append(f"{dev} device(s) shared between its numbers")
    if hold:
        reasons.append(f"{hold} holder(s) whose cards it uses")
    if batch:
        reasons.append(f"{batch} pairs registered at one outlet minutes apart")
    # The ring is named by its most connected number (one lead per member number follows).
    deg_in = np.bincount(np.concatenate([g.src[ee], g.dst[ee]]), minlength=g.n_nodes)
    head = max(nums, key=lambda m: (deg_in[m], -m)) if nums else int(members[0])
    ht = g.types([head])[0]
    return Record(
        entity_type=ht,
        entity_id=show(ht, g.displays([head])[0], unmasked=unmasked),
        score=score,
        reasons=reasons,
        members=mem,
        nodes=[int(x) for x in nums],
    )


def member_rows(
    g: EntityGraph, rings: list[Record], flagged: np.ndarray | None = None
) -> list[dict[str, object]]:
    """One row per member number of each ring (stored id, the ring's score and evidence, and
    when the number was first and last seen in the graph): what ``fraud_ring`` leads carry.
    ``rings`` must come from :func:`find_rings` (their ``nodes``)."""
    flagged = np.zeros(g.n_nodes, bool) if flagged is None else flagged
    stored = g.nodes["entity_id"]
    first = np.full(g.n_nodes, np.iinfo(np.int64).max)
    last = np.zeros(g.n_nodes, dtype=np.int64)
    np.minimum.at(first, g.src, g.first_s)
    np.minimum.at(first, g.dst, g.first_s)
    np.maximum.at(last, g.src, g.last_s)
    np.maximum.at(last, g.dst, g.last_s)
    rows: list[dict[str, object]] = []
    seen: set[int] = set()
    for r in rings:
        roles = [m.role for m in r.members or []]
        for node in r.nodes:
            if node in seen:
                continue
            seen.add(node)
            rows.append(
                {
                    "entity_id": str(stored[node].as_py()),
                    "score": float(r.score),
                    "first_seen": pd.Timestamp(int(first[node]), unit="s"),
                    "last_seen": pd.Timestamp(int(last[node]), unit="s"),
                    "ring": str(r.extra.get("ring", "")),
                    "ring_numbers": len(r.nodes),
                    "ring_flagged": int(flagged[r.nodes].sum()),
                    "ring_devices": roles.count("device"),
                    "ring_holders": roles.count("holder"),
                }
            )
    return rows
