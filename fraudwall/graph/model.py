"""The entity graph in memory: node and edge columns as arrays, and lookups over them.

Queries (trace, rings, dens, look-alikes) never hold the whole graph as Python objects: edges
stay as numpy columns, a neighbourhood is cut out with vectorised masks, and only that small
part is handed to igraph.
"""

from __future__ import annotations

import json
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
    wrote it); edges are the arrays ``src, dst, kind, weight, n, talk_s, first_s, last_s``
    (times as seconds since the epoch, naive local).
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
        kind_idx = pc.index_in(edges["kind"], value_set=pa.array(KINDS))
        if edges.num_rows and pc.any(pc.is_null(kind_idx)).as_py():
            raise ValueError("edge table has an unknown kind")

        def col(name: str, dtype: Any) -> np.ndarray:
            return edges[name].to_numpy().astype(dtype, copy=False)

        def secs(name: str) -> np.ndarray:
            arr = pc.cast(edges[name], pa.timestamp("s")).cast(pa.int64())
            return pc.fill_null(arr, 0).to_numpy()

        return cls(
            nodes=nodes.combine_chunks(),
            src=col("src", np.int32),
            dst=col("dst", np.int32),
            kind=kind_idx.to_numpy(zero_copy_only=False).astype(np.int8),
            weight=col("weight", np.float32),
            n=col("n", np.int64),
            talk_s=col("talk_s", np.int64),
            first_s=secs("first_seen"),
            last_s=secs("last_seen"),
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
        by_id = pc.index_in(values, value_set=self.nodes["entity_id"]).to_pylist()
        by_display = pc.index_in(values, value_set=self.nodes["display"]).to_pylist()
        where: dict[str, set[int]] = {}
        for v, a, b in zip(values.to_pylist(), by_id, by_display, strict=True):
            where[v] = {x for x in (a, b) if x is not None}
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
