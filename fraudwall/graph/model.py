"""The entity graph in memory: node and edge columns as arrays, and lookups over them.

Queries (trace, rings, dens, look-alikes) never hold the whole graph as Python objects: edges
stay as numpy columns, a neighbourhood is cut out with vectorised masks, and only that small
part is handed to igraph.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from fraudwall.errors import NotFound

#: Edge kinds, in the order of their integer codes in memory.
KINDS = (
    "call",
    "device",
    "sim",
    "holder",
    "outlet",
    "co_registration",
    "cell",
    "colocation",
    "shared_victim",
    "domain",
)
KIND_CODE = {k: i for i, k in enumerate(KINDS)}
#: Node types (the contract's entity types plus SIMs).
NODE_TYPES = ("msisdn", "imei", "imsi", "holder_id_hash", "outlet_id", "cell_id", "domain")


@dataclass
class EntityGraph:
    """Nodes and undirected weighted edges of one build.

    ``nodes`` has ``node_id, entity_type, entity_id, display`` (display: a number as the operator
    wrote it); edges are the arrays ``src, dst`` (int32 node codes), ``kind`` (int8, see
    :data:`KINDS`), ``weight`` (float32), ``n, talk_s`` (int32) and ``first_s, last_s`` (int64
    seconds since the epoch, naive local): 37 bytes an edge.
    """

    nodes: pa.Table
    src: np.ndarray
    dst: np.ndarray
    kind: np.ndarray
    weight: np.ndarray
    n: np.ndarray
    talk_s: np.ndarray
    first_s: np.ndarray
    last_s: np.ndarray
    meta: dict[str, Any] = field(default_factory=dict)
    _degree: np.ndarray | None = field(default=None, repr=False)

    @classmethod
    def from_tables(
        cls, nodes: pa.Table, edges: pa.Table, meta: dict[str, Any] | None = None
    ) -> EntityGraph:
        """From the stored node and edge tables (see :mod:`fraudwall.graph.store`)."""
        return cls.from_batches(nodes, edges.to_batches(), edges.num_rows, meta)

    @classmethod
    def from_batches(
        cls,
        nodes: pa.Table,
        batches: Iterable[pa.RecordBatch],
        n_edges: int,
        meta: dict[str, Any] | None = None,
    ) -> EntityGraph:
        """From the node table and ``n_edges`` edges in record batches of the stored schema.

        Each batch is copied into preallocated arrays and dropped, so at most one batch is held
        beside the arrays. Counts and talk time are kept as int32 (a pair's talk time would
        need 68 years to overflow; the few larger values are clipped).
        """
        kinds = pa.array(KINDS)
        src = np.empty(n_edges, np.int32)
        dst = np.empty(n_edges, np.int32)
        kind = np.empty(n_edges, np.int8)
        weight = np.empty(n_edges, np.float32)
        n = np.empty(n_edges, np.int32)
        talk_s = np.empty(n_edges, np.int32)
        first_s = np.empty(n_edges, np.int64)
        last_s = np.empty(n_edges, np.int64)
        top = np.iinfo(np.int32).max

        def secs(col: pa.Array) -> np.ndarray:
            arr = pc.cast(col, pa.timestamp("s")).cast(pa.int64())
            return pc.fill_null(arr, 0).to_numpy()

        at = 0
        for b in batches:
            k = b.num_rows
            if at + k > n_edges:
                raise ValueError(f"more than the {n_edges} edges announced")
            idx = pc.index_in(b["kind"], value_set=kinds)
            if k and pc.any(pc.is_null(idx)).as_py():
                raise ValueError("edge table has an unknown kind")
            sl = slice(at, at + k)
            src[sl] = b["src"].to_numpy()
            dst[sl] = b["dst"].to_numpy()
            kind[sl] = idx.to_numpy(zero_copy_only=False)
            weight[sl] = b["weight"].to_numpy()
            n[sl] = np.minimum(b["n"].to_numpy(), top)
            talk_s[sl] = np.minimum(b["talk_s"].to_numpy(), top)
            first_s[sl] = secs(b["first_seen"])
            last_s[sl] = secs(b["last_seen"])
            at += k
        if at != n_edges:
            raise ValueError(f"{at} edges read, {n_edges} announced")
        return cls(
            nodes=nodes.combine_chunks(),
            src=src,
            dst=dst,
            kind=kind,
            weight=weight,
            n=n,
            talk_s=talk_s,
            first_s=first_s,
            last_s=last_s,
            meta=dict(meta or {}),
        )

    # -- sizes ---------------------------------------------------------------------------------
    @property
    def n_nodes(self) -> int:
        return self.nodes.num_rows

    @property
    def n_edges(self) -> int:
        return int(self.src.size)

    @property
    def degree(self) -> np.ndarray:
        """Number of edges at each node."""
        if self._degree is None:
            self._degree = np.bincount(self.src, minlength=self.n_nodes) + np.bincount(
                self.dst, minlength=self.n_nodes
            )
        return self._degree

    # -- nodes ---------------------------------------------------------------------------------
    def types(self, ids: Any) -> list[str]:
        """Node types of ``ids`` (a list or array of node ids)."""
        return [
            str(v) for v in self.nodes["entity_type"].take(pa.array(ids, pa.int64())).to_pylist()
        ]

    def entity_ids(self, ids: Any) -> list[str]:
        """Stored ids of ``ids``."""
        return [str(v) for v in self.nodes["entity_id"].take(pa.array(ids, pa.int64())).to_pylist()]

    def displays(self, ids: Any) -> list[str]:
        """Ids of ``ids`` as the operator wrote them."""
        return [str(v) for v in self.nodes["display"].take(pa.array(ids, pa.int64())).to_pylist()]

    def node_type_mask(self, entity_type: str) -> np.ndarray:
        return pc.equal(self.nodes["entity_type"], entity_type).to_numpy(zero_copy_only=False)

    def find(self, entity: str, entity_type: str | None = None) -> list[int]:
        """Node ids whose id (stored or as written) is ``entity``; numbers in any format.

        >>> import pyarrow as pa
        >>> g = EntityGraph.from_tables(
        ...     pa.table({"node_id": [0], "entity_type": ["msisdn"],
        ...               "entity_id": ["+8613812345678"], "display": ["13812345678"]}),
        ...     empty_edges())
        >>> g.find("138 1234 5678"), g.find("+86 13812345678"), g.find("nobody")
        ([0], [0], [])
        """
        candidates = {entity.strip(), *_number_forms(entity)}
        values = pa.array(sorted(candidates), pa.string())
        hit = pc.or_(
            pc.is_in(self.nodes["entity_id"], value_set=values),
            pc.is_in(self.nodes["display"], value_set=values),
        )
        if entity_type is not None:
            hit = pc.and_(hit, pc.equal(self.nodes["entity_type"], entity_type))
        return np.flatnonzero(hit.to_numpy(zero_copy_only=False)).tolist()

    def find_many(self, entities: list[str]) -> dict[str, list[int]]:
        """:meth:`find` for many strings at once (one pass over the nodes)."""
        forms = {e: {e.strip(), *_number_forms(e)} for e in entities}
        values = pa.array(sorted(set().union(*forms.values())) if forms else [], pa.string())
        where: dict[str, set[int]] = {v: set() for v in values.to_pylist()}
        for col in ("entity_id", "display"):
            # The first node whose id (or display) is the value: a scan of the column against
            # the few values, not a hash table of every node's id.
            column = self.nodes[col]
            hits = np.flatnonzero(pc.is_in(column, value_set=values).to_numpy(zero_copy_only=False))
            first: dict[str, int] = {}
            for i, v in zip(hits.tolist(), column.take(pa.array(hits)).to_pylist(), strict=True):
                first.setdefault(v, i)
            for v, i in first.items():
                where[v].add(i)
        return {e: sorted(set().union(*(where[f] for f in fs))) for e, fs in forms.items()}

    def resolve(self, entity: str, entity_type: str | None = None) -> int:
        """The one node for ``entity``; :class:`NotFound` naming it when there is none."""
        found = self.find(entity, entity_type)
        if not found:
            raise NotFound(
                f"entity {entity!r} is not in the graph of this workspace "
                f"({self.n_nodes} nodes); check the number or id"
            )
        if len(found) > 1:
            # The same string as two types (rare): prefer a number, then the first type.
            types = self.types(np.asarray(found))
            order = sorted(range(len(found)), key=lambda i: NODE_TYPES.index(types[i]))
            return int(found[order[0]])
        return int(found[0])

    # -- edges ---------------------------------------------------------------------------------
    def incident(self, nodes: np.ndarray) -> np.ndarray:
        """Indices of the edges touching any of ``nodes``."""
        if nodes.size == 0 or self.n_edges == 0:
            return np.empty(0, np.int64)
        member = np.zeros(self.n_nodes, dtype=bool)
        member[nodes] = True
        return np.flatnonzero(member[self.src] | member[self.dst])

    def meta_json(self) -> str:
        return json.dumps(self.meta, indent=2, default=str)


def empty_edges() -> pa.Table:
    """An edge table with no rows (the stored schema)."""
    from fraudwall.graph.store import EDGE_SCHEMA

    return EDGE_SCHEMA.empty_table()


def _number_forms(entity: str) -> list[str]:
    """The stored (E.164) forms an entity string may have if it is a phone number."""
    from fraudwall.ingest.normalize import normalize_msisdn

    raw = "".join(ch for ch in entity if ch.isdigit() or ch == "+")
    if not raw:
        return []
    norm, _ok = normalize_msisdn(pa.array([raw], pa.string()))
    value = norm[0].as_py()
    return [raw] + ([value] if value else [])
