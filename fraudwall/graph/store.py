"""Building the entity graph from a workspace and keeping it there, so queries don't rebuild it.

Layout::

    WS/graph/current.json                 which build is current (replaced atomically)
    WS/graph/builds/ID/nodes.parquet      node_id, entity_type, entity_id, display
    WS/graph/builds/ID/edges.parquet      src, dst, kind, n, talk_s, weight, first_seen, last_seen
    WS/graph/builds/ID/behaviour.parquet  per-number behaviour features (look-alikes)
    WS/graph/builds/ID/build.json         build id, when, source fingerprint, counts, timings

A build is written into its own directory and becomes current only when ``current.json`` is
replaced; readers see the old build or the new one, never half of one. The fingerprint lists
the store's files (path, size, modification time): when ingestion adds data the graph is stale
and the next query rebuilds it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pyarrow.parquet as pq

from fraudwall.errors import WorkspaceError
from fraudwall.features.base import TableMap
from fraudwall.graph.edges import (
    BUILDERS,
    EDGE_COLUMNS,
    SHARED,
    EdgeParams,
    available_kinds,
    with_shared,
)
from fraudwall.graph.model import EntityGraph
from fraudwall.store import Tables, Workspace
from fraudwall.store.engine import Engine, engine_class, open_engine

log = logging.getLogger(__name__)
GRAPH_DIR = "graph"
EDGE_SCHEMA = pa.schema(
    [
        pa.field("src", pa.int32()),
        pa.field("dst", pa.int32()),
        pa.field("kind", pa.string()),
        pa.field("n", pa.int64()),
        pa.field("talk_s", pa.int64()),
        pa.field("weight", pa.float32()),
        pa.field("first_seen", pa.timestamp("us")),
        pa.field("last_seen", pa.timestamp("us")),
    ]
)
NODE_SCHEMA = pa.schema(
    [
        pa.field("node_id", pa.int32()),
        pa.field("entity_type", pa.string()),
        pa.field("entity_id", pa.string()),
        pa.field("display", pa.string()),
    ]
)


def graph_dir(ws: Workspace) -> Path:
    return ws.path / GRAPH_DIR


def fingerprint(ws: Workspace) -> str:
    """A digest of the store's files; changes whenever ingestion adds or replaces one."""
    h = hashlib.sha256()
    for table in ws.tables():
        for p in ws.parquet_files(table):
            st = p.stat()
            h.update(f"{p.relative_to(ws.store_dir)}|{st.st_size}|{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:16]


def build_graph(
    ws: Workspace,
    *,
    engine: str = "duckdb",
    params: EdgeParams | None = None,
    with_behaviour: bool = True,
) -> EntityGraph:
    """Build the graph from the workspace's stored tables and make it the current build.

    Needs at least ``subscribers`` or ``calls``; each edge kind whose tables are absent is left
    out and listed under ``skipped`` in ``build.json``.

    Memory stays bounded at any scale: every edge kind is written straight to a Parquet file
    (the engine holds one kind's aggregation at a time, never all edges), node codes and the
    coded edges are computed from those files by the engine, and an engine that runs in this
    process has its memory capped (:data:`BUILD_MEMORY`; DuckDB: or
    ``$FRAUDWALL_DUCKDB_MEMORY``) so it spills to the build's own directory rather than growing.

    ``engine`` names the engine that computes it (``duckdb`` or ``spark``, see
    :mod:`fraudwall.store.engine`); the build's files are the same either way.
    """
    if not ws.path.is_dir():
        raise WorkspaceError(f"workspace {ws.path} does not exist")
    if not ws.has("calls") and not ws.has("subscribers"):
        raise WorkspaceError(
            f"workspace {ws.path} has neither 'calls' nor 'subscribers'; "
            "the graph needs at least one of them (ingest them first)"
        )
    params = params or EdgeParams()
    t0 = time.perf_counter()
    build_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:6]
    base = graph_dir(ws)
    staging = base / "builds" / f".{build_id}.tmp"
    staging.mkdir(parents=True, exist_ok=True)
    eng = open_engine(
        engine, **engine_class(engine).bounded_options(BUILD_MEMORY, staging / "spill")
    )
    try:
        tables = Tables(ws, eng.con)
        seconds: dict[str, float] = {}
        skipped = {k: f"no table {m!r}" for k, m in available_kinds(tables).items() if m}
        raw_dir = staging / "raw"
        raw_dir.mkdir()
        raw_files = []
        shared: dict[str, ibis.Table] = {}
        for key, (define, readers) in SHARED.items():
            if all(k in skipped for k in readers):
                continue
            # Read by more than one kind: summed once, kept beside the per-kind files.
            name = key.removeprefix("graph:")
            log.info("graph build: %s", name, extra={"step": name})
            t = time.perf_counter()
            eng.write_parquet(define(tables), raw_dir / f"{name}.parquet")
            shared[key] = eng.read_parquet([raw_dir / f"{name}.parquet"], f"graph_{name}")
            seconds[name] = round(time.perf_counter() - t, 3)
        inputs: TableMap = with_shared(tables, shared)
        for kind, fn in BUILDERS.items():
            if kind in skipped:
                continue
            log.info("graph build: %s edges", kind, extra={"step": kind})
            t = time.perf_counter()
            raw_files.append(raw_dir / f"{kind}.parquet")
            eng.write_parquet(fn(inputs, params), raw_files[-1])
            seconds[kind] = round(time.perf_counter() - t, 3)
        log.info("graph build: nodes and edges", extra={"step": "nodes_and_edges"})
        t = time.perf_counter()
        counts = _write_nodes_and_edges(eng, tables, raw_files, staging)
        shutil.rmtree(raw_dir)
        seconds["nodes_and_edges"] = round(time.perf_counter() - t, 3)
        if with_behaviour and "calls" in tables:
            from fraudwall.graph.behaviour import behaviour_table

            log.info("graph build: behaviour", extra={"step": "behaviour"})
            t = time.perf_counter()
            eng.write_parquet(behaviour_table(tables), staging / "behaviour.parquet")
            seconds["behaviour"] = round(time.perf_counter() - t, 3)
        eng.close()
        shutil.rmtree(staging / "spill", ignore_errors=True)
        meta = {
            "build_id": build_id,
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "workspace": str(ws.path),
            "fingerprint": fingerprint(ws),
            "params": params.__dict__,
            "tables": ws.tables(),
            "skipped": skipped,
            "counts": counts,
            "seconds": {**seconds, "total": round(time.perf_counter() - t0, 3)},
        }
        (staging / "build.json").write_text(json.dumps(meta, indent=2), "utf-8")
        final = base / "builds" / build_id
        os.replace(staging, final)
    except BaseException:
        eng.close()
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _set_current(base, build_id)
    log.info("graph build: load", extra={"step": "load"})
    return load_build(final)


#: The engine's memory cap while building, on an engine that takes one (DuckDB spills past
#: it to the build's own directory); the graph's own arrays, read afterwards, come on top.
BUILD_MEMORY = "3GB"


def _write_nodes_and_edges(
    eng: Engine, tables: Tables, raw_files: list[Path], out: Path
) -> dict[str, Any]:
    """Number the edges' ends (int32 node codes, ordered by type and id) and write the nodes
    and the coded edges, all on the engine from the per-kind files."""
    if not raw_files:
        raw_files = [out / "raw" / "none.parquet"]
        empty = ibis.memtable(
            {c: [] for c in EDGE_COLUMNS},
            schema={
                "src_type": "string",
                "src_id": "string",
                "dst_type": "string",
                "dst_id": "string",
                "kind": "string",
                "n": "int64",
                "talk_s": "int64",
                "weight": "float64",
                "first_seen": "timestamp",
                "last_seen": "timestamp",
            },
        )
        eng.write_parquet(empty, raw_files[0])
    raw = eng.read_parquet(raw_files, "graph_edges_raw")
    ends = raw.select(entity_type=raw.src_type, entity_id=raw.src_id).union(
        raw.select(entity_type=raw.dst_type, entity_id=raw.dst_id)
    )
    if "subscribers" in tables:
        s = tables["subscribers"]
        ends = ends.union(s.select(entity_type=ibis.literal("msisdn"), entity_id=s.msisdn))
    ends = ends.distinct()
    node_id = ibis.row_number().over(order_by=["entity_type", "entity_id"])
    nodes = ends.mutate(node_id=node_id.cast("int32"))
    display = nodes.entity_id
    if "subscribers" in tables and "msisdn_raw" in tables["subscribers"].columns:
        s = tables["subscribers"]
        raw_of = s.select(r_id=s.msisdn, r_raw=s.msisdn_raw).distinct(on="r_id", keep="first")
        nodes = nodes.left_join(raw_of, nodes.entity_id == raw_of.r_id)
        display = ibis.ifelse(
            (nodes.entity_type == "msisdn") & nodes.r_raw.notnull(), nodes.r_raw, nodes.entity_id
        )
    nodes = nodes.select("node_id", "entity_type", "entity_id", display=display.cast("string"))
    eng.write_parquet(nodes.order_by("node_id"), out / "nodes.parquet")
    nodes = eng.read_parquet([out / "nodes.parquet"], "graph_nodes")
    a = nodes.select(a_type="entity_type", a_id="entity_id", src="node_id")
    b = nodes.select(b_type="entity_type", b_id="entity_id", dst="node_id")
    e = raw.join(a, (raw.src_type == a.a_type) & (raw.src_id == a.a_id))
    e = e.join(b, (e.dst_type == b.b_type) & (e.dst_id == b.b_id))
    e = e.select(
        src=e.src,
        dst=e.dst,
        kind=e.kind,
        n=e.n,
        talk_s=e.talk_s,
        weight=e.weight.cast("float32"),
        first_seen=e.first_seen,
        last_seen=e.last_seen,
    )
    # Sorted, so the same data gives the same edge ids (and the same rings) on every build.
    eng.write_parquet(e.order_by("src", "dst", "kind"), out / "edges.parquet")
    # One kind a file: its count is in the file's footer (kinds without edges are not listed).
    rows = {p.stem: pq.ParquetFile(p).metadata.num_rows for p in raw_files}
    by_kind = [{"kind": k, "k": v} for k, v in rows.items() if v]
    by_type = eng.collect_arrow(nodes.group_by("entity_type").agg(k=ibis._.count())).to_pylist()
    return {
        "edges": {r["kind"]: int(r["k"]) for r in sorted(by_kind, key=lambda r: r["kind"])},
        "nodes": {
            r["entity_type"]: int(r["k"]) for r in sorted(by_type, key=lambda r: r["entity_type"])
        },
    }


def _set_current(base: Path, build_id: str) -> None:
    tmp = base / f"current.json.{uuid.uuid4().hex}.tmp"
    tmp.write_text(json.dumps({"build_id": build_id}), "utf-8")
    os.replace(tmp, base / "current.json")
    # Older builds are no longer reachable; a reader that opened one keeps its open files.
    for d in (base / "builds").iterdir():
        if d.name != build_id and not d.name.startswith("."):
            shutil.rmtree(d, ignore_errors=True)


def current_build(ws: Workspace) -> Path | None:
    """The directory of the current build, if there is one."""
    p = graph_dir(ws) / "current.json"
    if not p.exists():
        return None
    d = graph_dir(ws) / "builds" / json.loads(p.read_text("utf-8"))["build_id"]
    return d if d.is_dir() else None


def load_build(d: Path) -> EntityGraph:
    """Read one build's nodes and edges (the edges a batch at a time into their arrays, so the
    whole Arrow edge table is never held beside them)."""
    meta = json.loads((d / "build.json").read_text("utf-8"))
    nodes = pq.read_table(d / "nodes.parquet", schema=NODE_SCHEMA)
    f = pq.ParquetFile(d / "edges.parquet")
    batches = (
        b.cast(EDGE_SCHEMA) for b in f.iter_batches(batch_size=1 << 20, columns=EDGE_SCHEMA.names)
    )
    g = EntityGraph.from_batches(nodes, batches, f.metadata.num_rows, meta)
    g.meta["dir"] = str(d)
    return g


def open_graph(
    workspace: str | os.PathLike[str] | Workspace, *, rebuild: bool = False, engine: str = "duckdb"
) -> EntityGraph:
    """The workspace's current graph; built first when missing, stale or ``rebuild``."""
    ws = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
    if not ws.path.is_dir():
        raise WorkspaceError(f"workspace {ws.path} does not exist")
    d = current_build(ws)
    if d is not None and not rebuild:
        meta = json.loads((d / "build.json").read_text("utf-8"))
        if meta.get("fingerprint") == fingerprint(ws):
            return load_build(d)
    return build_graph(ws, engine=engine)


def behaviour_path(g: EntityGraph) -> Path:
    """Where the build's behaviour features are (:class:`WorkspaceError` when not built)."""
    p = Path(g.meta.get("dir", "")) / "behaviour.parquet"
    if not p.exists():
        raise WorkspaceError(
            "this graph has no behaviour features: the workspace has no 'calls' table"
        )
    return p
