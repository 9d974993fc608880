"""The relations graph on the Spark engine: the same build as on DuckDB, and the CLI's options.

One small workspace (the hand-made operator of ``conftest``) is built on both engines; the
nodes, the coded edges (in the order the build writes them), the behaviour table and the
build's counts must match. Spark runs on the test process's shared ``local[2]`` session.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from fraudwall.cli import app
from fraudwall.graph.store import EDGE_SCHEMA, NODE_SCHEMA, build_graph, current_build, open_graph
from fraudwall.store import Workspace

from .conftest import make_workspace


def _build(ws: Workspace, engine: str) -> Path:
    build_graph(ws, engine=engine)
    d = current_build(ws)
    assert d is not None
    return d


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory, spark_session: Any) -> dict[str, Path]:
    """The same workspace built on each engine (one workspace per engine)."""
    out = {}
    for engine in ("duckdb", "spark"):
        ws = make_workspace(tmp_path_factory.mktemp(engine) / "ws")
        out[engine] = _build(ws, engine)
    return out


def _read(d: Path, name: str) -> pa.Table:
    # A build's tables are single files (read as files, not as datasets).
    return pq.ParquetFile(d / name).read()


def test_spark_build_gives_the_same_nodes(builds: dict[str, Path]) -> None:
    duck, spark = (_read(builds[e], "nodes.parquet").cast(NODE_SCHEMA) for e in ("duckdb", "spark"))
    assert duck.num_rows > 0
    assert spark.equals(duck)


def test_spark_build_gives_the_same_edges_in_the_same_order(builds: dict[str, Path]) -> None:
    # As the graph reads them: DuckDB stores a sum's HUGEINT as DOUBLE (``n``), Spark as int64.
    duck, spark = (_read(builds[e], "edges.parquet").cast(EDGE_SCHEMA) for e in ("duckdb", "spark"))
    assert duck.num_rows > 0
    for col in ("src", "dst", "kind", "n", "talk_s", "first_seen", "last_seen"):
        assert spark[col].equals(duck[col]), col
    np.testing.assert_allclose(
        spark["weight"].to_numpy(), duck["weight"].to_numpy(), rtol=1e-6, atol=1e-7
    )


def test_spark_build_gives_the_same_behaviour(builds: dict[str, Path]) -> None:
    duck, spark = (
        _read(builds[e], "behaviour.parquet").sort_by("entity_id") for e in ("duckdb", "spark")
    )
    assert duck.num_rows > 0 and spark.schema.names == duck.schema.names
    assert spark["entity_id"].equals(duck["entity_id"])
    for col in duck.schema.names:
        x, y = spark[col], duck[col]
        if pa.types.is_floating(x.type) or pa.types.is_floating(y.type):
            np.testing.assert_allclose(
                x.to_numpy().astype(float), y.to_numpy().astype(float), rtol=1e-9, err_msg=col
            )
        else:
            assert x.cast(y.type).equals(y), col


def test_spark_build_records_the_same_counts(builds: dict[str, Path]) -> None:
    meta = {e: json.loads((builds[e] / "build.json").read_text("utf-8")) for e in builds}
    assert meta["spark"]["counts"] == meta["duckdb"]["counts"]
    assert meta["spark"]["skipped"] == meta["duckdb"]["skipped"]
    # No part-file directories left behind: the build holds single files only.
    assert sorted(p.name for p in builds["spark"].iterdir()) == sorted(
        p.name for p in builds["duckdb"].iterdir()
    )


def test_cli_dens_on_spark_equals_duckdb(tmp_path: Path, spark_session: Any) -> None:
    ws = make_workspace(tmp_path / "ws")
    runner = CliRunner()
    out = {}
    for engine in ("duckdb", "spark"):
        res = runner.invoke(
            app, ["dens", "--workspace", str(ws.path), "--engine", engine, "--json"]
        )
        assert res.exit_code == 0, res.output
        out[engine] = json.loads(res.output)
    assert out["duckdb"], "the hand-made workspace has a den"
    assert _members_sorted(out["spark"]) == _members_sorted(out["duckdb"])


def _members_sorted(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # A den lists its devices in the order the engine returned them (on DuckDB too, run to
    # run), so the members are compared as a set.
    key = ("entity_type", "role", "entity_id")
    return [
        {**r, "members": sorted(r["members"], key=lambda m: [m[k] for k in key])} for r in records
    ]


def test_cli_trace_builds_on_spark_and_reuses_the_graph(tmp_path: Path, spark_session: Any):
    ws = make_workspace(tmp_path / "ws")
    args = ["trace", "+8613900000001", "--workspace", str(ws.path), "--json"]
    res = CliRunner().invoke(app, [*args, "--engine", "spark"])
    assert res.exit_code == 0, res.output
    built = current_build(ws)
    # The current graph is reused whichever engine asks.
    again = CliRunner().invoke(app, [*args, "--engine", "duckdb"])
    assert again.exit_code == 0 and json.loads(again.output) == json.loads(res.output)
    assert current_build(ws) == built
    assert open_graph(ws).meta["dir"] == str(built)


@pytest.mark.parametrize("command", ["trace", "rings", "dens", "lookalike"])
def test_cli_graph_commands_refuse_an_unknown_engine(tmp_path: Path, command: str) -> None:
    ws = make_workspace(tmp_path / "ws")
    args = {"trace": ["+8613900000001"], "lookalike": ["--seeds", str(tmp_path / "s.txt")]}
    res = CliRunner().invoke(
        app, [command, *args.get(command, []), "--workspace", str(ws.path), "--engine", "nope"]
    )
    assert res.exit_code == 2
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and "unknown engine 'nope'" in lines[0], res.output
    assert current_build(ws) is None  # refused before any build
