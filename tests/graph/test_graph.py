"""Graph build, persistence, trace, rings, dens and look-alikes on a tiny hand-made operator."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from fraudwall.cli import app
from fraudwall.errors import InputError, NotFound, WorkspaceError
from fraudwall.graph.dens import find_dens
from fraudwall.graph.lookalike import lookalikes, read_seeds
from fraudwall.graph.rings import find_rings
from fraudwall.graph.store import build_graph, current_build, open_graph
from fraudwall.graph.trace import trace
from fraudwall.store import Workspace

from .conftest import BOX_A, BOX_B, GANG, PEOPLE, make_workspace

runner = CliRunner()


def test_build_has_every_kind_its_tables_allow_and_is_reused(ws: Workspace):
    g = build_graph(ws)
    edges = g.meta["counts"]["edges"]
    assert edges["shared_victim"] == 3  # the three gang pairs
    assert edges["co_registration"] == 3
    assert edges["holder"] == len(GANG) + len(BOX_A) + len(BOX_B) + len(PEOPLE)
    # no sms, device_events or data_sessions: domain edges need data_sessions
    assert g.meta["skipped"] == {"domain": "no table 'data_sessions'"}
    first = current_build(ws)
    again = open_graph(ws)
    assert again.meta["build_id"] == g.meta["build_id"] and current_build(ws) == first


def test_build_is_coded_deterministic_and_leaves_no_scratch(ws: Workspace):
    import numpy as np
    import pyarrow.parquet as pq

    g = build_graph(ws)
    d = current_build(ws)
    assert d is not None
    # per-kind files and engine spills are removed; only the build's own files stay
    assert sorted(p.name for p in d.iterdir()) == [
        "behaviour.parquet",
        "build.json",
        "edges.parquet",
        "nodes.parquet",
    ]
    stored = pq.read_schema(d / "edges.parquet")
    assert str(stored.field("src").type) == "int32" and str(stored.field("dst").type) == "int32"
    assert g.src.dtype == np.int32 and g.kind.dtype == np.int8 and g.n.dtype == np.int32
    # edges are stored sorted, so a rebuild of the same data gives the same edge ids
    order = np.lexsort((g.kind, g.dst, g.src))
    assert (order == np.arange(g.n_edges)).all()
    again = build_graph(ws)
    for col in ("src", "dst", "kind", "weight", "n", "talk_s", "first_s", "last_s"):
        assert np.array_equal(getattr(g, col), getattr(again, col)), col
    assert g.nodes.equals(again.nodes)


def test_graph_from_batches_equals_graph_from_one_table(ws: Workspace):
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    from fraudwall.graph.model import EntityGraph

    build_graph(ws)
    d = current_build(ws)
    assert d is not None
    nodes, edges = pq.read_table(d / "nodes.parquet"), pq.read_table(d / "edges.parquet")
    one = EntityGraph.from_tables(nodes, edges)
    many = EntityGraph.from_batches(nodes, edges.to_batches(max_chunksize=7), edges.num_rows)
    for col in ("src", "dst", "kind", "weight", "n", "talk_s", "first_s", "last_s"):
        assert np.array_equal(getattr(one, col), getattr(many, col)), col
    with pytest.raises(ValueError, match="announced"):
        EntityGraph.from_batches(nodes, edges.to_batches(), edges.num_rows + 1)
    kind_at = edges.schema.get_field_index("kind")
    bad = edges.set_column(kind_at, "kind", pa.array(["nonsense"] * edges.num_rows, pa.string()))
    with pytest.raises(ValueError, match="unknown kind"):
        EntityGraph.from_tables(nodes, bad)


def test_new_data_makes_the_graph_stale(ws: Workspace, tmp_path: Path):
    g = open_graph(ws)
    make_workspace(ws.path, tables=("calls",))  # rewrite the calls table
    g2 = open_graph(ws)
    assert g2.meta["build_id"] != g.meta["build_id"]
    assert len(list((ws.path / "graph" / "builds").iterdir())) == 1  # the old build is gone


def test_trace_finds_gang_mates_with_the_path_in_words(ws: Workspace):
    g = open_graph(ws)
    recs = trace(g, GANG[0][3:], hops=2)  # as the operator writes it, without +86
    numbers = {r.entity_id: r for r in recs if r.entity_type == "msisdn"}
    mates = {"139****0002", "139****0003"}
    assert mates <= set(numbers)
    why = " ".join(numbers["139****0002"].reasons)
    assert "same strangers" in why or "shares" in why or "same outlet" in why
    assert all(r.path for r in recs)
    assert recs == sorted(recs, key=lambda r: -r.score)
    # ids are masked: no full number anywhere in the answer
    text = json.dumps([r.to_dict() for r in recs])
    assert GANG[1][3:] not in text and GANG[1] not in text


def test_trace_does_not_link_strangers(ws: Workspace):
    g = open_graph(ws)
    recs = trace(g, PEOPLE[0], hops=2)
    ids = {r.entity_id for r in recs}
    assert "138****0001" in ids  # the friend
    assert not any(i.startswith("139") for i in ids)  # nobody of the gang


def test_trace_unknown_entity_is_a_clear_error(ws: Workspace):
    g = open_graph(ws)
    with pytest.raises(NotFound, match="'19999999999' is not in the graph"):
        trace(g, "19999999999")


def test_a_gang_on_one_handset_of_one_holder_is_no_ring(ws: Workspace):
    # The three cold callers share their victims, but on one phone and of one holder: a device's
    # SIMs, not a gang working from several handsets (see tests/graph/test_rings.py).
    g = open_graph(ws)
    everyone = np.ones(g.n_nodes, bool)
    assert find_rings(g, flagged=everyone) == []


def test_rings_of_an_empty_graph_are_empty(tmp_path: Path):
    ws = make_workspace(tmp_path / "ws", tables=("subscribers",))
    g = open_graph(ws)
    assert find_rings(g) == []


def test_workspace_without_calls_or_subscribers_names_what_is_missing(tmp_path: Path):
    ws = make_workspace(tmp_path / "ws", tables=("cells",))
    with pytest.raises(WorkspaceError, match="neither 'calls' nor 'subscribers'"):
        open_graph(ws)
    with pytest.raises(WorkspaceError, match="no table 'calls'"):
        find_dens(ws)
    with pytest.raises(WorkspaceError, match="does not exist"):
        open_graph(tmp_path / "nowhere")


def test_dens_group_boxes_in_neighbouring_cells(ws: Workspace):
    dens = find_dens(ws)
    boxes = [d for d in dens if {"CELL-1", "CELL-2"} & set(d.extra.get("cells", []))]
    assert len(boxes) == 1, [d.to_dict() for d in dens]
    den = boxes[0]
    assert set(den.extra["cells"]) == {"CELL-1", "CELL-2"}
    roles = [m.role for m in den.members or []]
    assert roles.count("simbox") == 2 and roles.count("sim") == 8
    assert "lat" in den.extra


def test_dens_apart_stay_apart(ws: Workspace):
    # 600 m apart is a neighbour at 1.5 km, but not at 0.2 km when rank does not count
    from fraudwall.graph.dens import DenParams

    dens = find_dens(ws, params=DenParams(near_km=0.2, near_cells=0))
    box_dens = [d for d in dens if {"CELL-1", "CELL-2"} & set(d.extra.get("cells", []))]
    assert len(box_dens) == 2


def test_lookalikes_of_a_box_sim_are_box_sims(ws: Workspace, tmp_path: Path):
    g = open_graph(ws)
    res, unknown = lookalikes(g, [BOX_A[0], "19999999999"], top=6)
    assert unknown == ["19999999999"]
    top = {r.entity_id for r in res}
    assert "137****0010" not in top  # the seed itself is not an answer
    box = {f"137****00{i}" for i in ("11", "12", "13", "20", "21", "22", "23")}
    assert len(top & box) >= 5
    assert all(r.reasons[0].startswith("like seed") for r in res)


def test_imei_seed_stands_for_its_sims(ws: Workspace):
    g = open_graph(ws)
    res, unknown = lookalikes(g, ["860000000000010"], top=3)
    assert unknown == [] and res


def test_seeds_none_known_is_a_clear_error(ws: Workspace, tmp_path: Path):
    g = open_graph(ws)
    with pytest.raises(InputError, match="none of the 2 seed"):
        lookalikes(g, ["19999999999", "nobody"], source="s.txt")
    empty = tmp_path / "empty.txt"
    empty.write_text("msisdn\n# nothing\n\n", "utf-8")
    with pytest.raises(InputError, match="no seeds"):
        read_seeds(empty)


def test_cli_commands_print_the_promised_json(ws: Workspace, tmp_path: Path):
    svg = tmp_path / "t.svg"
    r = runner.invoke(
        app, ["trace", GANG[0], "--workspace", str(ws.path), "--json", "--svg", str(svg)]
    )
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out and {"entity_type", "entity_id", "score", "reasons", "path"} <= set(out[0])
    assert svg.read_text("utf-8").startswith("<svg") and GANG[1] not in svg.read_text("utf-8")

    r = runner.invoke(app, ["rings", "--workspace", str(ws.path), "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout) == []  # no ring here; test_rings.py checks a ring's JSON

    r = runner.invoke(app, ["dens", "--workspace", str(ws.path), "--json"])
    assert r.exit_code == 0, r.output
    assert all("members" in d for d in json.loads(r.stdout))

    seeds = tmp_path / "seeds.txt"
    seeds.write_text(f"{BOX_A[0][3:]}\n19999999999\n", "utf-8")
    r = runner.invoke(
        app,
        ["lookalike", "--workspace", str(ws.path), "--seeds", str(seeds), "--json", "--top", "3"],
    )
    assert r.exit_code == 0, r.output
    assert len(json.loads(r.stdout)) == 3


def test_cli_bad_input_exits_2_with_the_reason(ws: Workspace, tmp_path: Path):
    r = runner.invoke(app, ["trace", "19999999999", "--workspace", str(ws.path)])
    assert r.exit_code == 2 and "not in the graph" in " ".join(r.output.split())
    seeds = tmp_path / "seeds.txt"
    seeds.write_text("19999999999\n", "utf-8")
    r = runner.invoke(app, ["lookalike", "--workspace", str(ws.path), "--seeds", str(seeds)])
    assert r.exit_code == 2 and "none of the 1 seed" in " ".join(r.output.split())
    r = runner.invoke(
        app, ["lookalike", "--workspace", str(ws.path), "--seeds", str(tmp_path / "no.txt")]
    )
    assert r.exit_code == 2 and "not found" in " ".join(r.output.split())


def test_the_simulator_records_ring_membership(tmp_path: Path):
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from fraudwall.simulate import generate

    generate(tmp_path / "w", subscribers=2_000, days=1, seed=5)
    truth = pq.read_table(tmp_path / "w" / "truth" / "labels.parquet")
    ring = truth.filter(pc.equal(truth["label"], "fraud_ring"))
    assert ring.num_rows >= 4 * 6
    rings = set(ring["detail"].to_pylist())
    assert len(rings) >= 4 and all(r.startswith("ring-") for r in rings)
    callers = truth.filter(pc.equal(truth["label"], "fraud_caller"))
    assert set(ring["entity_id"].to_pylist()) <= set(callers["entity_id"].to_pylist())
