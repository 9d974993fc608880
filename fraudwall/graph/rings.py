"""Fraud rings: gangs working one list of victims from several handsets.

A ring is a gang, not a device or a holder. Its parts, read from the entity graph:

- **Gang handsets.** A cold caller's handset is the one most of its records went through; a
  handset is a gang's when at least ``min_numbers_per_handset`` cold callers run on it: more
  cards than a dual-SIM phone holds, so a gang rotating cards through its phones, not a person
  with two cards in one phone.
- **Several of them.** A ring spans at least ``min_handsets`` gang handsets: the SIMs of one
  device (one phone, one SIM-box) are a device, not a gang.
- **One list of victims.** Two handsets belong together when at least ``min_victim_share`` of
  the pairs of numbers across them called the same strangers (``shared_victim`` edges): a gang
  works one target list from all its phones, while cold callers dialling at random share
  strangers with only a few others.
- **One source of cards.** And when their cards came from one source: at least
  ``min_source_ties`` pairs across them registered at one outlet minutes apart
  (``co_registration``, a registration batch) or registered to the same ID holder (a holder who
  sold cards on). Strangers' lists can overlap by chance; their cards do not share a batch.
- **Several holders.** Its cards belong to at least ``min_holders`` ID holders: one holder's own
  cards are that holder's, whatever phones they sit in.

A ring is a connected set of gang handsets under those ties, with the numbers on them; the
other cards of its holders (kept for themselves, on their own phones) are not members. A
shop's walk-in customers share a batch but neither handsets nor victims, so they are no ring.

A ring's score is the mean of three shares: pairs of its numbers on different handsets that
called the same strangers, its numbers tied by batch or holder to a number on another of its
handsets, and its numbers the run's fraud detectors flagged (given as ``flagged``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import ibis.expr.types as ir
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from fraudwall.features.base import TableMap
from fraudwall.graph.model import KIND_CODE, EntityGraph
from fraudwall.graph.records import Member, Record, shown_names

if TYPE_CHECKING:
    from fraudwall.graph.edges import EdgeParams

#: The edge kinds a ring is read from (the rest of the graph does not change a ring).
RING_KINDS = ("device", "holder", "outlet", "co_registration", "shared_victim")


@dataclass(frozen=True)
class RingParams:
    """What makes a ring (see the module docstring)."""

    #: gang handsets a ring spans
    min_handsets: int = 2
    #: cold callers on a handset for it to be a gang's (a dual-SIM phone holds two)
    min_numbers_per_handset: int = 3
    #: share of the number pairs across two handsets that called the same strangers
    min_victim_share: float = 0.5
    #: number pairs across two handsets registered together or to one holder
    min_source_ties: int = 1
    #: ID holders a ring's cards belong to
    min_holders: int = 2
    #: rings scoring lower are not reported
    min_score: float = 0.4


def ring_graph(
    tables: TableMap, collect: Callable[[ir.Table], pa.Table], params: EdgeParams | None = None
) -> EntityGraph:
    """The part of the entity graph that rings are read from (:data:`RING_KINDS`), built in
    memory from the stored tables; ``collect`` runs an expression on the engine.

    A run's ``fraud_ring`` detector reads this instead of building the whole graph (calls,
    cells, co-location, domains and behaviour features are for trace, dens and look-alikes).
    Nodes are numbered in a full build's order (type, then id), so :func:`find_rings` gives
    the same rings, scores and names on either.
    """
    from fraudwall.graph.edges import BUILDERS, EdgeParams, available_kinds
    from fraudwall.graph.store import EDGE_SCHEMA, NODE_SCHEMA

    p = params or EdgeParams()
    can = available_kinds(tables)
    parts = [collect(BUILDERS[k](tables, p)) for k in RING_KINDS if can.get(k, "") is None]
    parts = [t for t in parts if t.num_rows]
    if not parts:
        return EntityGraph.from_tables(NODE_SCHEMA.empty_table(), EDGE_SCHEMA.empty_table())
    raw = pa.concat_tables([t.cast(parts[0].schema) for t in parts])
    # One key per (type, id): no type is a prefix of another and ids hold no control
    # characters, so sorting the keys sorts by type, then id, as a full build numbers them.
    sep = "\x1f"
    src = pc.binary_join_element_wise(raw["src_type"], raw["src_id"], sep)
    dst = pc.binary_join_element_wise(raw["dst_type"], raw["dst_id"], sep)
    keys = pc.unique(pa.concat_arrays([src.combine_chunks(), dst.combine_chunks()]))
    keys = keys.take(pc.sort_indices(keys))
    parts_of = pc.split_pattern(keys, sep, max_splits=1)
    nodes = pa.table(
        {
            "node_id": pa.array(np.arange(len(keys), dtype=np.int32)),
            "entity_type": pc.list_element(parts_of, 0),
            "entity_id": pc.list_element(parts_of, 1),
            "display": pc.list_element(parts_of, 1),
        }
    ).cast(NODE_SCHEMA)
    edges = pa.table(
        {
            "src": pc.index_in(src, value_set=keys).cast(pa.int32()),
            "dst": pc.index_in(dst, value_set=keys).cast(pa.int32()),
            "kind": raw["kind"],
            "n": raw["n"],
            "talk_s": raw["talk_s"],
            "weight": raw["weight"],
            "first_seen": raw["first_seen"],
            "last_seen": raw["last_seen"],
        }
    )
    return EntityGraph.from_tables(nodes, edges.cast(EDGE_SCHEMA, safe=False))


def number_mask(g: EntityGraph, ids: pa.Array | pa.ChunkedArray | list[str]) -> np.ndarray:
    """Boolean per node: the numbers among ``ids`` (stored or as written)."""
    values = pa.array(ids, pa.string()) if isinstance(ids, list) else ids.cast(pa.string())
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    hit = pc.or_(
        pc.is_in(g.nodes["entity_id"], value_set=values),
        pc.is_in(g.nodes["display"], value_set=values),
    )
    return g.node_type_mask("msisdn") & hit.to_numpy(zero_copy_only=False)


def _ends(g: EntityGraph, kind: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Both ends and the weight of every edge of ``kind``."""
    e = np.flatnonzero(g.kind == KIND_CODE[kind])
    return g.src[e].astype(np.int64), g.dst[e].astype(np.int64), g.weight[e]


def _number_side(
    g: EntityGraph, kind: str, is_number: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Edges of a number-thing ``kind`` as (number, thing, weight)."""
    a, b, w = _ends(g, kind)
    first = is_number[a]
    return np.where(first, a, b), np.where(first, b, a), w


def _pair_keys(a: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
    """One int64 per unordered pair of node ids."""
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    return lo * np.int64(n) + hi


def find_rings(
    g: EntityGraph,
    *,
    flagged: np.ndarray | None = None,
    params: RingParams | None = None,
    unmasked: bool = False,
) -> list[Record]:
    """Rings of the graph, strongest first. ``flagged``: bool per node (numbers the run's fraud
    detectors flagged; they raise a ring's score, they do not make one)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    p = params or RingParams()
    if g.n_edges == 0:
        return []
    n = g.n_nodes
    is_number = g.node_type_mask("msisdn")
    flagged = np.zeros(n, bool) if flagged is None else flagged
    sv_a, sv_b, _ = _ends(g, "shared_victim")
    cold = np.zeros(n, bool)
    cold[sv_a] = True
    cold[sv_b] = True
    if not cold.any():
        return []
    # Each cold caller's handset: the device edge with the largest share of its records.
    num, dev, w = _number_side(g, "device", is_number)
    keep = cold[num]
    num, dev, w = num[keep], dev[keep], w[keep]
    order = np.lexsort((w, num))
    num, dev = num[order], dev[order]
    main = np.r_[num[1:] != num[:-1], True] if num.size else np.zeros(0, bool)
    handset = np.full(n, -1, np.int64)
    handset[num[main]] = dev[main]
    users = np.bincount(handset[handset >= 0], minlength=n)
    unit = np.where(
        (handset >= 0) & (users[np.maximum(handset, 0)] >= p.min_numbers_per_handset), handset, -1
    )
    in_unit = unit >= 0
    if not in_unit.any():
        return []

    def across(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Pair keys of the handsets of number pairs (a, b) on two different gang handsets."""
        ua, ub = unit[a], unit[b]
        ok = (ua >= 0) & (ub >= 0) & (ua != ub)
        return _pair_keys(ua[ok], ub[ok], n)

    victim_keys, victim_n = np.unique(across(sv_a, sv_b), return_counts=True)
    # Source ties: registered in one batch, or to one holder (a self-join over gang numbers).
    cr_a, cr_b, _ = _ends(g, "co_registration")
    hn, hh, _ = _number_side(g, "holder", is_number)
    held = pd.DataFrame({"num": hn[in_unit[hn]], "holder": hh[in_unit[hn]]})
    same = held.merge(held, on="holder")
    same = same[same["num_x"] < same["num_y"]]
    src_a = np.concatenate([cr_a, same["num_x"].to_numpy(np.int64)])
    src_b = np.concatenate([cr_b, same["num_y"].to_numpy(np.int64)])
    source_keys, source_n = np.unique(across(src_a, src_b), return_counts=True)

    lo, hi = victim_keys // n, victim_keys % n
    share = victim_n / (users[lo] * users[hi])
    at = np.searchsorted(source_keys, victim_keys)
    found = at < source_keys.size
    found[found] = source_keys[at[found]] == victim_keys[found]
    ties = np.zeros(victim_keys.size, np.int64)
    ties[found] = source_n[at[found]]
    tied = (share >= p.min_victim_share) & (ties >= p.min_source_ties)
    if not tied.any():
        return []
    # Rings: connected sets of handsets under the ties.
    hs, local = np.unique(np.concatenate([lo[tied], hi[tied]]), return_inverse=True)
    k = int(tied.sum())
    adj = coo_matrix((np.ones(k), (local[:k], local[k:])), shape=(hs.size, hs.size))
    n_comp, comp = connected_components(adj, directed=False)
    ring_of_handset = np.full(n, -1, np.int64)
    ring_of_handset[hs] = comp
    ring_of = np.where(in_unit, ring_of_handset[np.maximum(unit, 0)], -1)
    sizes = np.bincount(comp, minlength=n_comp)
    # What the records read, cut down once to the gang handsets' numbers.
    both = in_unit[sv_a] & in_unit[sv_b]
    victims = (sv_a[both], sv_b[both])
    both = in_unit[src_a] & in_unit[src_b]
    sources = (src_a[both], src_b[both])
    both = in_unit[cr_a] & in_unit[cr_b]
    batch = (cr_a[both], cr_b[both])
    on, oo, _ = _number_side(g, "outlet", is_number)
    things = {
        "holder": (hn[in_unit[hn]], hh[in_unit[hn]]),
        "outlet": (on[in_unit[on]], oo[in_unit[on]]),
    }
    out: list[Record] = []
    for c in np.flatnonzero(sizes >= p.min_handsets):
        nums = np.flatnonzero(ring_of == c)
        rec = _ring_record(
            g,
            nums,
            unit,
            flagged,
            victims=victims,
            sources=sources,
            batch=batch,
            things=things,
            unmasked=unmasked,
        )
        if rec.extra["holders"] >= p.min_holders and rec.score >= p.min_score:
            out.append(rec)
    # Ordered by score, then the head's stored id (the same in a full graph and a ring graph).
    stored = g.nodes["entity_id"]
    out.sort(key=lambda r: (-r.score, str(stored[int(r.extra["head"])].as_py())))
    for i, r in enumerate(out):
        del r.extra["head"]  # a node id: meaningless outside this graph
        r.extra["ring"] = f"R{i + 1:04d}"
    return out


def _inside(pairs: tuple[np.ndarray, np.ndarray], members: np.ndarray) -> np.ndarray:
    """Which of the number pairs have both ends among ``members``."""
    return np.isin(pairs[0], members) & np.isin(pairs[1], members)


def _ring_record(
    g: EntityGraph,
    nums: np.ndarray,
    unit: np.ndarray,
    flagged: np.ndarray,
    *,
    victims: tuple[np.ndarray, np.ndarray],
    sources: tuple[np.ndarray, np.ndarray],
    batch: tuple[np.ndarray, np.ndarray],
    things: dict[str, tuple[np.ndarray, np.ndarray]],
    unmasked: bool,
) -> Record:
    handsets = np.unique(unit[nums])
    per_handset = np.bincount(np.searchsorted(handsets, unit[nums]), minlength=handsets.size)
    cross = (nums.size**2 - int((per_handset**2).sum())) // 2
    v = _inside(victims, nums)
    va, vb = victims[0][v], victims[1][v]
    across = unit[va] != unit[vb]
    victim_pairs = int(across.sum())
    s = _inside(sources, nums)
    sa, sb = sources[0][s], sources[1][s]
    ok = unit[sa] != unit[sb]
    tied = np.unique(np.concatenate([sa[ok], sb[ok]]))
    batch_pairs = int(_inside(batch, nums).sum())
    n_flag = int(flagged[nums].sum())
    victim_share = victim_pairs / max(cross, 1)
    source_share = tied.size / nums.size
    flag_share = n_flag / nums.size
    score = (victim_share + source_share + flag_share) / 3
    hn, hh = things["holder"]
    holders = np.unique(hh[np.isin(hn, nums)])
    on, oo = things["outlet"]
    outlets = np.unique(oo[np.isin(on, nums)])
    roles = (
        [(int(x), "caller") for x in nums]
        + [(int(x), "device") for x in handsets]
        + [(int(x), "holder") for x in holders]
        + [(int(x), "outlet") for x in outlets]
    )
    names = shown_names(g, [x for x, _ in roles], unmasked=unmasked)
    types = g.types([x for x, _ in roles])
    mem = sorted(
        (Member(t, names[x], role) for (x, role), t in zip(roles, types, strict=True)),
        key=lambda m: (m.entity_type, m.entity_id),
    )
    reasons = [
        f"{nums.size} numbers on {handsets.size} shared handsets "
        f"({', '.join(str(k) for k in sorted(per_handset.tolist(), reverse=True))} a handset), "
        f"{n_flag} of them flagged by the run",
        f"{victim_pairs} of {cross} pairs of its numbers on different handsets called the same "
        "strangers",
    ]
    if batch_pairs:
        reasons.append(f"{batch_pairs} pairs registered at one outlet minutes apart")
    if holders.size:
        reasons.append(f"{holders.size} holder(s) whose cards it uses")
    # The ring is named by the number sharing victims with most of the others.
    deg = np.bincount(np.concatenate([va, vb]), minlength=g.n_nodes)[nums]
    head = int(nums[np.lexsort((nums, -deg))[0]])
    return Record(
        entity_type="msisdn",
        entity_id=shown_names(g, [head], unmasked=unmasked)[head],
        score=float(score),
        reasons=reasons,
        members=mem,
        nodes=[int(x) for x in nums],
        extra={
            "head": head,
            "handsets": int(handsets.size),
            "holders": int(holders.size),
            "victim_share": round(victim_share, 4),
            "source_share": round(source_share, 4),
            "flagged_share": round(flag_share, 4),
        },
    )


def member_rows(
    g: EntityGraph, rings: list[Record], flagged: np.ndarray | None = None
) -> list[dict[str, object]]:
    """One row per member number of each ring (stored id, the ring's score and evidence, and
    when the number was first and last seen in the ring's relations): what ``fraud_ring``
    leads carry.
    ``rings`` must come from :func:`find_rings` (their ``nodes``)."""
    flagged = np.zeros(g.n_nodes, bool) if flagged is None else flagged
    stored = g.nodes["entity_id"]
    # Seen over the ring's own relations, so a full graph and :func:`ring_graph` agree.
    e = np.flatnonzero(np.isin(g.kind, [KIND_CODE[k] for k in RING_KINDS]))
    first = np.full(g.n_nodes, np.iinfo(np.int64).max)
    last = np.zeros(g.n_nodes, dtype=np.int64)
    np.minimum.at(first, g.src[e], g.first_s[e])
    np.minimum.at(first, g.dst[e], g.first_s[e])
    np.maximum.at(last, g.src[e], g.last_s[e])
    np.maximum.at(last, g.dst[e], g.last_s[e])
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
