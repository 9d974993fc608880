"""Look-alikes of police seeds: numbers that behave like the GOIP numbers police hand over.

Behaviour (:mod:`fraudwall.graph.behaviour`: calls, power on/off, SMS, mobility) is put on one
scale (log of counts, then z-scores over all numbers) and the nearest neighbours of each seed
are found with scikit-learn; closeness in the graph (within two hops of a seed, through the
strong relations the trace walks) adds to the score. Every result says what makes it similar:
the features where it sits as far from the typical number as the seed does, and its link to a
seed if it has one.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import StandardScaler

from fraudwall.errors import InputError
from fraudwall.graph.behaviour import BEHAVIOUR, COUNT_FEATURES
from fraudwall.graph.model import EntityGraph
from fraudwall.graph.records import Record, show_many
from fraudwall.graph.store import behaviour_path
from fraudwall.graph.trace import neighbourhood

#: Weight of behaviour against graph closeness in the score.
BEHAVIOUR_WEIGHT = 0.7


def read_seeds(path: str | Path) -> list[str]:
    """Seeds from a file: one number or IMEI per line (a CSV's first column); a header line,
    blank lines and ``#`` comments are skipped. :class:`InputError` for an empty file."""
    p = Path(path)
    if not p.is_file():
        raise InputError("seeds file not found", file=str(p))
    seeds: list[str] = []
    for raw in p.read_text("utf-8-sig").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        first = line.split(",", 1)[0].strip().strip('"')
        if first.lower() in ("msisdn", "imei", "number", "entity_id", "seed"):
            continue
        seeds.append(first)
    if not seeds:
        raise InputError("no seeds in the file (one number or IMEI per line)", file=str(p))
    return seeds


def lookalikes(
    g: EntityGraph,
    seeds: Iterable[str],
    *,
    top: int = 100,
    unmasked: bool = False,
    source: str | None = None,
) -> tuple[list[Record], list[str]]:
    """The ``top`` numbers most like the seeds, and the seeds unknown to the workspace.

    An IMEI seed stands for the numbers that live in that device. :class:`InputError` when no
    seed is known (naming ``source``, the seeds file, or else the field ``seeds``).
    """
    seeds = list(seeds)
    table = pq.read_table(behaviour_path(g))
    ids = np.asarray(table["entity_id"].to_pylist(), dtype=object)
    row_of = {v: i for i, v in enumerate(ids.tolist())}
    seed_rows: list[int] = []
    seed_node: dict[int, int] = {}
    unknown: list[str] = []
    found_nodes = g.find_many(seeds)
    for seed in seeds:
        rows = _seed_rows(g, found_nodes[seed], row_of)
        if not rows:
            unknown.append(seed)
        for r, node in rows:
            if r not in seed_node:
                seed_rows.append(r)
                seed_node[r] = node
    if not seed_rows:
        raise InputError(
            f"none of the {len(seeds)} seed(s) is a number or device with calls in this "
            f"workspace (first: {seeds[0]!r})",
            file=source,
            field=None if source else "seeds",
        )
    raw = np.column_stack([table[f].to_numpy(zero_copy_only=False) for f in BEHAVIOUR])
    raw = np.nan_to_num(raw.astype(np.float64))
    x = raw.copy()
    counts = [i for i, f in enumerate(BEHAVIOUR) if f in COUNT_FEATURES]
    x[:, counts] = np.log1p(np.maximum(x[:, counts], 0))
    z = StandardScaler().fit_transform(x)
    k = min(len(ids), top + len(seed_rows) + 1)
    # Brute force: a few seeds against every number is one matrix product; trees cost more
    # to build than they save here.
    nn = NearestNeighbors(n_neighbors=k, algorithm="brute").fit(z)
    dist, idx = nn.kneighbors(z[seed_rows])
    sim: dict[int, tuple[float, int]] = {}
    for si, (drow, irow) in enumerate(zip(dist, idx, strict=True)):
        for d, i in zip(drow.tolist(), irow.tolist(), strict=True):
            alike = 1.0 / (1.0 + d)
            if i not in sim or alike > sim[i][0]:
                sim[i] = (alike, seed_rows[si])
    # Graph closeness: numbers within two hops of a seed through strong relations.
    nb = neighbourhood(g, list(seed_node.values()), hops=2)
    hop_of = nb.hop
    node_of_row = _node_rows(g, ids)
    seeds_set = set(seed_rows)
    median = np.median(raw, axis=0)
    scored = []
    for i, (alike, via) in sim.items():
        if i in seeds_set:
            continue
        found = node_of_row.get(i)
        h = hop_of.get(found, 0) if found is not None else 0
        close = {1: 1.0, 2: 0.5}.get(h, 0.0)
        scored.append((BEHAVIOUR_WEIGHT * alike + (1 - BEHAVIOUR_WEIGHT) * close, i, via, h))
    scored.sort(key=lambda x: (-x[0], x[1]))
    scored = scored[:top]
    # Ids as shown, masked in one vectorised pass (answers first, then the seeds they are like).
    shown_ids = [_display(g, node_of_row.get(i), ids[i]) for _, i, _, _ in scored]
    shown_seeds = [_display(g, seed_node[via], ids[via]) for _, _, via, _ in scored]
    masked = show_many("msisdn", shown_ids + shown_seeds, unmasked=unmasked)
    out = []
    for k, (score, i, via, h) in enumerate(scored):
        like = masked[len(scored) + k]
        reasons = [_why(raw[i], raw[via], z[i], z[via], median, like)]
        if h:
            reasons.append(f"{h} hop(s) from a seed in the graph")
        found = node_of_row.get(i)
        out.append(
            Record(
                entity_type="msisdn",
                entity_id=masked[k],
                score=score,
                reasons=reasons,
                extra={"like": like},
                nodes=[found] if found is not None else [],
            )
        )
    out.sort(key=lambda r: (-r.score, r.entity_id))
    return out[:top], unknown


def _seed_rows(g: EntityGraph, found: list[int], row_of: dict[str, int]) -> list[tuple[int, int]]:
    from fraudwall.graph.model import KIND_CODE

    out: list[tuple[int, int]] = []
    for node in found:
        t = g.types([node])[0]
        if t == "msisdn":
            eid = g.entity_ids([node])[0]
            if eid in row_of:
                out.append((row_of[eid], node))
        elif t == "imei":
            e = g.incident(np.asarray([node]))
            e = e[(g.kind[e] == KIND_CODE["device"]) & (g.weight[e] >= 0.3)]
            for other in np.unique(np.concatenate([g.src[e], g.dst[e]])).tolist():
                if other == node:
                    continue
                eid = g.entity_ids([other])[0]
                if eid in row_of:
                    out.append((row_of[eid], int(other)))
    return out


def _node_rows(g: EntityGraph, ids: np.ndarray) -> dict[int, int]:
    import pyarrow as pa
    import pyarrow.compute as pc

    # Behaviour rows are numbers: look them up among the number nodes only.
    numbers = np.flatnonzero(g.node_type_mask("msisdn"))
    pos = pc.index_in(
        pa.array(ids.tolist(), pa.string()), value_set=g.nodes["entity_id"].take(numbers)
    )
    at = pc.fill_null(pos, -1).to_numpy(zero_copy_only=False)
    rows = np.flatnonzero(at >= 0)
    return dict(zip(rows.tolist(), numbers[at[rows]].tolist(), strict=True))


def _display(g: EntityGraph, node: int | None, fallback: str) -> str:
    return g.displays([node])[0] if node is not None else fallback


def _why(
    cand: np.ndarray,
    seed: np.ndarray,
    zc: np.ndarray,
    zs: np.ndarray,
    median: np.ndarray,
    seed_shown: str,
) -> str:
    """The features that make the candidate like the seed: both far from typical, close to
    each other."""
    names = list(BEHAVIOUR)
    # far from typical (|z| of the seed) and close to the seed (small gap)
    merit = np.abs(zs) - np.abs(zc - zs)
    best = np.argsort(-merit)[:3]
    parts = [
        f"{BEHAVIOUR[names[j]]} {_fmt(cand[j])} (seed {_fmt(seed[j])}, typical {_fmt(median[j])})"
        for j in best.tolist()
    ]
    return f"like seed {seed_shown}: " + "; ".join(parts)


def _fmt(v: float) -> str:
    return f"{v:.0%}" if 0 < abs(v) < 1 and v != round(v) else f"{v:,.1f}".rstrip("0").rstrip(".")
