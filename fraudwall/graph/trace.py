"""Tracing a case number (涉案号码溯源): everything related to it, ranked, with the path in words.

From the entity the neighbourhood is cut out hop by hop (vectorised masks over the edge
arrays); hubs (an outlet or cell with thousands of numbers, a bank's hotline) are reported
but not walked through, because everyone is two hops from everyone through them. igraph then
finds each related entity's strongest path (the product of edge strengths, i.e. the shortest
path under ``-log(weight)``); that product is the entity's score.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fraudwall.graph.flags import Flag
from fraudwall.graph.model import EntityGraph
from fraudwall.graph.records import (
    TYPE_WORDS,
    Record,
    edge_words,
    shares_words,
    show,
    shown_names,
)


@dataclass(frozen=True)
class Neighbourhood:
    """The part of the graph within ``hops`` of a seed: node ids, edge ids and hop of each node."""

    seed: int
    nodes: np.ndarray
    edges: np.ndarray
    hop: dict[int, int]


def neighbourhood(
    g: EntityGraph,
    seeds: list[int],
    *,
    hops: int = 2,
    hub_degree: int = 200,
    min_weight: float = 0.3,
) -> Neighbourhood:
    """Nodes and edges within ``hops`` of ``seeds``.

    Beyond the seeds only edges of strength ``min_weight`` or more are walked (one short call
    to a stranger links nobody), and things with more than ``hub_degree`` links (a big outlet,
    a busy cell, a popular domain) are reached but not walked through.
    """
    if hops < 1:
        raise ValueError("hops must be at least 1")
    hop = {s: 0 for s in seeds}
    reached = np.zeros(g.n_nodes, dtype=bool)  # the nodes in ``hop``, as a mask
    reached[np.asarray(seeds, dtype=np.int64)] = True
    frontier = np.asarray(seeds, dtype=np.int64)
    edge_parts = []
    deg = g.degree
    is_number = g.node_type_mask("msisdn")
    seed_arr = np.asarray(seeds, dtype=np.int64)
    for h in range(1, hops + 1):
        hub = (deg[frontier] > hub_degree) & ~is_number[frontier]
        walk = frontier[~hub | np.isin(frontier, seed_arr)]
        e = g.incident(walk)
        if h > 1:
            e = e[g.weight[e] >= min_weight]
        if e.size == 0:
            break
        edge_parts.append(e)
        # the edges' ends not reached before, ascending (a mask, not a sort of every end)
        ends = np.zeros(g.n_nodes, dtype=bool)
        ends[g.src[e]] = True
        ends[g.dst[e]] = True
        new = np.flatnonzero(ends & ~reached)
        reached[new] = True
        hop.update(dict.fromkeys(new.tolist(), h))
        frontier = new.astype(np.int64)
        if frontier.size == 0:
            break
    edges = _sorted_unique(edge_parts, g.n_edges)
    nodes = np.flatnonzero(reached).astype(np.int64)
    return Neighbourhood(seeds[0], nodes, edges, hop)


def _sorted_unique(parts: list[np.ndarray], size: int) -> np.ndarray:
    """The distinct values of ``parts`` (ids below ``size``), ascending; a mask when many."""
    if not parts:
        return np.empty(0, np.int64)
    total = sum(p.size for p in parts)
    if total < size // 64:
        return np.unique(np.concatenate(parts))
    mask = np.zeros(size, dtype=bool)
    for p in parts:
        mask[p] = True
    return np.flatnonzero(mask).astype(np.int64)


def pass_factor(degree: np.ndarray) -> np.ndarray:
    """How much of a relation passes through a node with ``degree`` links.

    Sharing a phone with 2 others is a strong tie, sharing an outlet with 2,000 a weak one:
    full up to 4 links, then falling with the square root of the degree.

    >>> pass_factor(np.array([2, 4, 16, 400])).round(2).tolist()
    [1.0, 1.0, 0.5, 0.1]
    """
    return np.minimum(1.0, np.sqrt(4.0 / np.maximum(degree, 1)))


def strongest_paths(
    g: EntityGraph, nb: Neighbourhood, hops: int
) -> tuple[np.ndarray, list[list[int]]]:
    """Per neighbourhood node: its strongest relation to the seed over at most ``hops`` edges
    (product of edge strengths and of :func:`pass_factor` of the nodes passed), and that path
    as edge ids. A vectorised Bellman-Ford limited to ``hops`` rounds."""
    n = nb.nodes.size
    pos = np.full(g.n_nodes, -1, dtype=np.int64)
    pos[nb.nodes] = np.arange(n)
    s, d = pos[g.src[nb.edges]], pos[g.dst[nb.edges]]
    w = g.weight[nb.edges].astype(np.float64)
    through = pass_factor(g.degree[nb.nodes])
    seed = int(pos[nb.seed])
    through[seed] = 1.0
    best = np.zeros(n)
    best[seed] = 1.0
    preds: list[np.ndarray] = []
    for _ in range(hops):
        # both directions of every edge
        u = np.concatenate([s, d])
        v = np.concatenate([d, s])
        cand = best[u] * through[u] * np.concatenate([w, w])
        cand[v == seed] = 0.0
        new = best.copy()
        pred = np.full(n, -1, dtype=np.int64)
        order = np.argsort(cand, kind="stable")  # the last write per v is the largest
        vv, cc = v[order], cand[order]
        better = cc > new[vv]
        idx = np.flatnonzero(better)
        new[vv[idx]] = cc[idx]
        pred[vv[idx]] = np.concatenate([np.arange(s.size), np.arange(s.size)])[order][idx]
        # pred holds the local edge index; the start of that edge is the other end
        preds.append(pred)
        best = new
    # Walk back: the latest round that improved a node names its last edge.
    paths: list[list[int]] = []
    for i in range(n):
        path: list[int] = []
        cur, k = i, len(preds) - 1
        while cur != seed and k >= 0:
            e = int(preds[k][cur])
            if e < 0:
                k -= 1
                continue
            path.append(int(nb.edges[e]))
            cur = int(s[e] if d[e] == cur else d[e])
            k -= 1
        paths.append(path[::-1] if cur == seed else [])
    # A node's strength is what its recorded path gives (consistent with the words shown).
    strength = np.zeros(n)
    for i, p in enumerate(paths):
        if p:
            strength[i] = _path_strength(g, nb.seed, p)
    return strength, paths


def _path_strength(g: EntityGraph, seed: int, path: list[int]) -> float:
    value, cur = 1.0, seed
    for j, e in enumerate(path):
        if j > 0:
            value *= float(pass_factor(g.degree[[cur]])[0])
        value *= float(g.weight[e])
        cur = int(g.dst[e]) if int(g.src[e]) == cur else int(g.src[e])
    return value


def trace(
    g: EntityGraph,
    entity: str,
    *,
    hops: int = 2,
    top: int = 50,
    hub_degree: int = 200,
    flags: dict[int, Flag] | None = None,
    unmasked: bool = False,
) -> list[Record]:
    """Entities related to ``entity`` within ``hops``, strongest first (at most ``top``).

    Each record's ``path`` lists the steps from the entity (masked ids and the relation in
    words); its ``reasons`` say the path in one sentence, and the run's flag when the entity
    was flagged. :class:`~fraudwall.errors.NotFound` when ``entity`` is not in the graph.
    """
    flags = flags or {}
    seed = g.resolve(entity)
    nb = neighbourhood(g, [seed], hops=hops, hub_degree=hub_degree)
    if nb.edges.size == 0:
        return []
    strength, paths = strongest_paths(g, nb, hops)
    order = np.argsort(-strength, kind="stable")
    chosen: list[int] = []
    for li in order.tolist():
        node = int(nb.nodes[li])
        if node == seed or not np.isfinite(strength[li]) or strength[li] <= 0:
            continue
        chosen.append(li)
        if len(chosen) >= top:
            break
    # Every id the answer shows (the entities and the nodes on their paths), masked at once.
    on_paths = [seed]
    for li in chosen:
        on_paths.append(int(nb.nodes[li]))
        for e in paths[li]:
            on_paths += [int(g.src[e]), int(g.dst[e])]
    names = shown_names(g, on_paths, unmasked=unmasked)
    out: list[Record] = []
    seed_words = "the case " + TYPE_WORDS.get(g.types([seed])[0], "entity")
    for li in chosen:
        node = int(nb.nodes[li])
        epath = paths[li]
        steps, sentence = _describe(
            g, seed, epath, unmasked=unmasked, seed_words=seed_words, names=names
        )
        etype = g.types([node])[0]
        reasons = [sentence]
        if g.degree[node] > hub_degree and etype != "msisdn":
            reasons.append(f"a hub ({int(g.degree[node])} links): not traced through")
        if node in flags:
            reasons.append(flags[node].words())
        rec = Record(
            entity_type=etype,
            entity_id=names[node],
            score=float(strength[li]),
            reasons=reasons,
            path=steps,
            extra={"hops": len(epath), "flagged": node in flags},
        )
        out.append(rec)
    return out


def _describe(
    g: EntityGraph,
    seed: int,
    epath: list[int],
    *,
    unmasked: bool,
    seed_words: str,
    names: dict[int, str] | None = None,
) -> tuple[list[dict[str, object]], str]:
    """The path's steps and one sentence for it ("shares device 86…12 with the case number")."""
    steps: list[dict[str, object]] = []
    cur = seed
    nodes = [seed]
    for e in epath:
        nxt = int(g.dst[e]) if int(g.src[e]) == cur else int(g.src[e])
        t = g.types([nxt])[0]
        steps.append(
            {
                "entity_type": t,
                "entity_id": names[nxt]
                if names is not None and nxt in names
                else show(t, g.displays([nxt])[0], unmasked=unmasked),
                "relation": edge_words(g, e, cur, nxt, unmasked=unmasked, names=names),
                "strength": round(float(g.weight[e]), 3),
            }
        )
        nodes.append(nxt)
        cur = nxt
    parts: list[str] = []
    i = 0
    types = g.types(np.asarray(nodes))
    while i < len(epath):
        # number - thing - number reads "shares <thing> with"
        if (
            i + 1 < len(epath)
            and types[i] == "msisdn"
            and types[i + 2] == "msisdn"
            and types[i + 1] != "msisdn"
        ):
            parts.append(
                shares_words(
                    g, epath[i], nodes[i + 1], epath[i + 1], unmasked=unmasked, names=names
                )
            )
            i += 2
        else:
            parts.append(
                edge_words(g, epath[i], nodes[i], nodes[i + 1], unmasked=unmasked, names=names)
            )
            i += 1
    sentence = "; then ".join(parts) + f" (from {seed_words})"
    return steps, sentence
