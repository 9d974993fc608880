"""The relations graph build on DuckDB and on Spark, on one workspace: times and equality.

    flock /tmp/fraudwall-heavy.lock .venv/bin/python benchmarks/graph_engines.py \\
        --workspace WS --spark-master 'local[2]' --json out.json

Builds the workspace's graph once per engine (each build replaces the current one), DuckDB
first, and prints each build's wall time, its steps' seconds (from ``build.json``) and the
Spark session's start-up separately (the JVM starts once per process, not per build). Then
checks the two builds are the same graph: nodes equal, edges equal in the order written
(weights within 1e-6), behaviour features equal within 1e-9, as the graph reads them.
``--workspace`` is an ingested workspace (e.g. of ``fraudwall simulate`` + ``fraudwall ingest``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq


def _build(ws_path: Path, engine: str, keep: Path) -> dict[str, Any]:
    from fraudwall.graph.store import build_graph, current_build
    from fraudwall.store import Workspace

    ws = Workspace(ws_path)
    t = time.perf_counter()
    build_graph(ws, engine=engine)
    wall = time.perf_counter() - t
    d = current_build(ws)
    assert d is not None
    shutil.rmtree(keep, ignore_errors=True)
    shutil.copytree(d, keep)
    meta = json.loads((d / "build.json").read_text("utf-8"))
    return {"wall_s": round(wall, 2), "seconds": meta["seconds"], "counts": meta["counts"]}


def _same(a: Path, b: Path) -> dict[str, bool]:
    """Whether two builds are the same graph, as its readers see it (the build's schemas):
    DuckDB stores a sum's HUGEINT as DOUBLE where Spark stores int64."""
    from fraudwall.graph.store import EDGE_SCHEMA, NODE_SCHEMA

    def read(d: Path, name: str) -> pa.Table:
        return pq.ParquetFile(d / name).read()

    na, nb = (read(d, "nodes.parquet").cast(NODE_SCHEMA) for d in (a, b))
    ea, eb = (read(d, "edges.parquet").cast(EDGE_SCHEMA) for d in (a, b))
    cols = [c for c in EDGE_SCHEMA.names if c != "weight"]
    out = {
        "nodes": na.equals(nb),
        "edges": ea.select(cols).equals(eb.select(cols))
        and bool(np.allclose(ea["weight"].to_numpy(), eb["weight"].to_numpy(), rtol=1e-6)),
    }
    if (a / "behaviour.parquet").exists():
        ba, bb = (read(d, "behaviour.parquet").sort_by("entity_id") for d in (a, b))
        ok = ba.schema.names == bb.schema.names
        for c in ba.schema.names if ok else []:
            x, y = ba[c], bb[c]
            if pa.types.is_floating(x.type) or pa.types.is_floating(y.type):
                fx, fy = x.to_numpy().astype(float), y.to_numpy().astype(float)
                ok = ok and bool(np.allclose(fx, fy, rtol=1e-9, equal_nan=True))
            else:
                ok = ok and x.cast(y.type).equals(y)
        out["behaviour"] = ok
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workspace", type=Path, required=True)
    ap.add_argument("--spark-master", default="local[2]")
    ap.add_argument("--work", type=Path, default=Path("/tmp/fraudwall-graph-engines"))
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    res: dict[str, Any] = {"workspace": str(args.workspace), "load_before": os.getloadavg()}
    res["duckdb"] = _build(args.workspace, "duckdb", args.work / "duckdb")

    from fraudwall.store.engine_spark import spark_session

    t = time.perf_counter()
    spark_session(args.spark_master)
    res["spark_start_s"] = round(time.perf_counter() - t, 2)
    res["spark"] = _build(args.workspace, "spark", args.work / "spark")
    res["same"] = _same(args.work / "duckdb", args.work / "spark")
    res["load_after"] = os.getloadavg()
    text = json.dumps(res, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text, "utf-8")


if __name__ == "__main__":
    main()
