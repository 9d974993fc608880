"""The faster graph build gives the same graph as the plain formulations it replaced.

The reference functions below are the build's earlier definitions, kept verbatim: the cell and
co-location edges straight from every located record (the build reads co-location's distinct
cell-hours from one materialised table), and the behaviour features projected from the whole
``number_calls`` family. On a small simulated world (and under tighter
parameters, so the co-location pruning has work to do) the new definitions must give exactly
the same rows and values.
"""

from __future__ import annotations

from pathlib import Path

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pytest

from fraudwall.features.base import TableMap, load_families
from fraudwall.features.number_edges import call_edges
from fraudwall.graph import edges as E
from fraudwall.graph.behaviour import BEHAVIOUR, _per_day, _share, behaviour_table
from fraudwall.graph.edges import EdgeParams
from fraudwall.store import Tables, Workspace, connect


def _ref_places(t: TableMap, p: EdgeParams) -> ir.Table:
    r = E._located(t)
    g = r.group_by(src_id=r.msisdn, dst_id=r.cell).agg(
        n=ibis._.count(), first_seen=r.at.min(), last_seen=r.at.max()
    )
    g = g.mutate(share=g.n / g.n.sum().over(group_by=g.src_id))
    g = g.filter(g.share >= p.cell_min_share)
    return E._shape(g, src_type="msisdn", dst_type="cell_id", kind="cell", weight=g.share)


def _ref_together(t: TableMap, p: EdgeParams) -> ir.Table:
    r = E._located(t)
    r = r.select(msisdn=r.msisdn, cell=r.cell, hour=r.at.truncate("h"))
    seen = r.distinct()
    crowd = seen.group_by("cell", "hour").agg(k=ibis._.count())
    quiet = crowd.filter((crowd.k >= 2) & (crowd.k <= p.colocation_max_crowd)).drop("k")
    seen = seen.join(quiet, ["cell", "hour"])
    a = seen.select(a_m="msisdn", cell="cell", hour="hour")
    b = seen.select(b_m="msisdn", cell="cell", hour="hour")
    pairs = a.join(b, ["cell", "hour"])
    pairs = pairs.filter(pairs.a_m < pairs.b_m)
    g = pairs.group_by(src_id=pairs.a_m, dst_id=pairs.b_m).agg(
        n=ibis._.count(), first_seen=pairs.hour.min(), last_seen=pairs.hour.max()
    )
    g = g.filter(g.n >= p.colocation_min_windows)
    return E._shape(
        g,
        src_type="msisdn",
        dst_type="msisdn",
        kind="colocation",
        weight=0.1 + 0.5 * ibis.least(g.n / 20.0, 1.0),
    )


def _ref_calls_between(t: TableMap, p: EdgeParams) -> ir.Table:
    e = call_edges(t["calls"])
    e = e.filter(e.caller != e.callee)
    e = E._ordered(e, "caller", "callee")
    g = e.group_by("src_id", "dst_id").agg(
        n=ibis._.count(),
        talk=e.duration_s.sum(),
        first_seen=e.started_at.min(),
        last_seen=e.started_at.max(),
    )
    strength = 1 - (-(g.n + g.talk / 600.0) / 4.0).exp()
    return E._shape(
        g, src_type="msisdn", dst_type="msisdn", kind="call", weight=strength, talk_s=g.talk
    )


def _ref_device_records(t: TableMap, column: str) -> ir.Table:
    parts = []
    sources = {"calls": "started_at", "sms": "sent_at", "device_events": "at"}
    for name, time_col in sources.items():
        if name in t and column in t[name].columns:
            x = t[name]
            x = x.filter(x[column].notnull() & (x[column] != ""))
            parts.append(x.select(msisdn=x.msisdn, value=x[column], at=x[time_col]))
    out = parts[0]
    for more in parts[1:]:
        out = out.union(more)
    return out


def _ref_share_edges(t: TableMap, column: str, entity: str, kind: str) -> ir.Table:
    r = _ref_device_records(t, column)
    g = r.group_by(src_id=r.msisdn, dst_id=r.value).agg(
        n=ibis._.count(), first_seen=r.at.min(), last_seen=r.at.max()
    )
    share = g.n / g.n.sum().over(group_by=g.src_id)
    return E._shape(g, src_type="msisdn", dst_type=entity, kind=kind, weight=share)


def _ref_devices_used(t: TableMap, p: EdgeParams) -> ir.Table:
    return _ref_share_edges(t, "imei", "imei", "device")


def _ref_sims_used(t: TableMap, p: EdgeParams) -> ir.Table:
    seen = _ref_share_edges(t, "imsi", "imsi", "sim")
    s = t["subscribers"]
    s = s.filter(s.imsi.notnull() & (s.imsi != ""))
    reg = s.select(
        src_id=s.msisdn,
        dst_id=s.imsi,
        n=ibis.literal(1),
        first_seen=s.activated_at,
        last_seen=s.activated_at,
    )
    reg = E._shape(reg, src_type="msisdn", dst_type="imsi", kind="sim", weight=ibis.literal(1.0))
    both = seen.union(reg)
    return both.group_by(E.EDGE_COLUMNS[:5]).agg(
        n=both.n.max(),
        talk_s=both.talk_s.max(),
        weight=both.weight.max(),
        first_seen=both.first_seen.min(),
        last_seen=both.last_seen.max(),
    )


def _ref_shared_victims(t: TableMap, p: EdgeParams) -> ir.Table:
    e = call_edges(t["calls"])
    pairs = e.group_by("caller", "callee").agg(at=e.started_at.min(), last=e.started_at.max())
    callers_of = pairs.group_by("callee").agg(k=ibis._.count())
    callees_of = pairs.group_by("caller").agg(m=ibis._.count())
    pairs = pairs.join(callers_of, "callee").join(callees_of, "caller")
    pairs = pairs.filter(
        (pairs.k >= 2) & (pairs.k <= p.victim_max_callers) & (pairs.m >= p.victim_min_callees)
    )
    a = pairs.select(
        a_m=pairs.caller, callee=pairs.callee, a_at=pairs.at, a_last=pairs.last, a_n=pairs.m
    )
    b = pairs.select(
        b_m=pairs.caller, callee=pairs.callee, b_at=pairs.at, b_last=pairs.last, b_n=pairs.m
    )
    j = a.join(b, "callee")
    j = j.filter(j.a_m < j.b_m)
    g = j.group_by(src_id=j.a_m, dst_id=j.b_m).agg(
        n=ibis._.count(),
        fewer=ibis.least(j.a_n, j.b_n).max(),
        first_seen=ibis.least(j.a_at, j.b_at).min(),
        last_seen=ibis.greatest(j.a_last, j.b_last).max(),
    )
    g = g.filter(g.n >= p.victim_min_shared)
    overlap = g.n.cast("float64") / ibis.greatest(g.fewer, 1).cast("float64")
    return E._shape(
        g,
        src_type="msisdn",
        dst_type="msisdn",
        kind="shared_victim",
        weight=0.1 + 0.8 * ibis.least(overlap * 3.0, 1.0),
    )


def _ref_behaviour(t: TableMap) -> ir.Table:
    c = load_families()["number_calls"].compute(t)
    days = c.active_days
    out = c.select(
        entity_id=c.entity_id,
        days=days,
        calls_out_per_day=_per_day(c.calls_out, days),
        calls_in_per_day=_per_day(c.calls_in, days),
        callees_per_day=_per_day(c.callees, days),
        unanswered_share=_share(c.out_unanswered, c.calls_out),
        short_share=_share(c.out_short, c.calls_out - c.out_unanswered),
        callback_share=_share(c.callees_called_back, c.callees),
        night_share=_share(c.night_out, c.calls_out),
        hours_per_day=_per_day(c.active_hours, days),
        peak_hour_out=c.peak_hour_out.cast("float64"),
        cells=c.cells.cast("float64"),
        imeis=c.imeis.cast("float64"),
    )
    zero = ibis.literal(0.0)
    if "sms" in t:
        s = t["sms"]
        sg = s.group_by(entity_id=s.msisdn).agg(
            so=(s.direction == "MO").sum(), si=(s.direction == "MT").sum()
        )
        out = out.left_join(sg, "entity_id").drop("entity_id_right")
        out = out.mutate(
            sms_out_per_day=_per_day(out.so.fill_null(0), out.days),
            sms_in_per_day=_per_day(out.si.fill_null(0), out.days),
        ).drop("so", "si")
    else:
        out = out.mutate(sms_out_per_day=zero, sms_in_per_day=zero)
    if "device_events" in t:
        d = t["device_events"]
        dg = d.group_by(entity_id=d.msisdn).agg(
            pc_=d.event.isin(("power_on", "power_off")).sum(),
            sc_=(d.event == "sim_change").sum(),
        )
        out = out.left_join(dg, "entity_id").drop("entity_id_right")
        out = out.mutate(
            power_cycles_per_day=_per_day(out.pc_.fill_null(0), out.days),
            sim_changes=out.sc_.fill_null(0).cast("float64"),
        ).drop("pc_", "sc_")
    else:
        out = out.mutate(power_cycles_per_day=zero, sim_changes=zero)
    if "data_sessions" in t:
        x = t["data_sessions"]
        xg = x.group_by(entity_id=x.msisdn).agg(ds_=ibis._.count())
        out = out.left_join(xg, "entity_id").drop("entity_id_right")
        out = out.mutate(data_per_day=_per_day(out.ds_.fill_null(0), out.days)).drop("ds_")
    else:
        out = out.mutate(data_per_day=zero)
    return out.select("entity_id", *BEHAVIOUR).order_by("entity_id")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    from fraudwall.ingest import ingest
    from fraudwall.simulate import generate

    root: Path = tmp_path_factory.mktemp("equiv")
    generate(root / "data", subscribers=3_000, days=3, seed=11)
    ws = Workspace(root / "ws")
    ingest(root / "data", ws)
    return ws


def _rows(con: ibis.BaseBackend, expr: ir.Table) -> pa.Table:
    t = con.to_pyarrow(expr)
    return t.sort_by([(c, "ascending") for c in t.column_names])


PARAMS = [
    EdgeParams(),
    EdgeParams(colocation_min_windows=2, colocation_max_crowd=4, cell_min_share=0.05),
    EdgeParams(colocation_min_windows=6, colocation_max_crowd=30, victim_min_callees=5),
]
REFERENCE = {
    "call": _ref_calls_between,
    "device": _ref_devices_used,
    "sim": _ref_sims_used,
    "cell": _ref_places,
    "colocation": _ref_together,
    "shared_victim": _ref_shared_victims,
}


@pytest.mark.parametrize("params", PARAMS, ids=["default", "tight", "loose"])
def test_edge_kinds_equal_their_plain_formulation(world: Workspace, params: EdgeParams):
    con = connect("duckdb")
    tables = Tables(world, con)
    # as the build runs them: each shared intermediate table materialised once
    shared = {
        key: con.create_table(key.removeprefix("graph:"), define(tables), temp=True)
        for key, (define, _) in E.SHARED.items()
    }
    built = E.with_shared(tables, shared)
    for kind, ref in REFERENCE.items():
        want = _rows(con, ref(tables, params))
        assert want.num_rows > 0, kind  # the world has such edges to compare
        for inputs in (tables, built):  # inline, and from the materialised tables
            got = _rows(con, E.BUILDERS[kind](inputs, params))
            assert got.schema.equals(want.schema), (kind, got.schema, want.schema)
            assert got.equals(want), kind


def test_behaviour_features_equal_the_number_calls_projection(world: Workspace):
    con = connect("duckdb")
    tables = Tables(world, con)
    want = con.to_pyarrow(_ref_behaviour(tables))
    got = con.to_pyarrow(behaviour_table(tables))
    assert want.num_rows > 1000
    assert got.schema.equals(want.schema)
    assert got.equals(want)


def _ref_neighbourhood(g, seeds, *, hops=2, hub_degree=200, min_weight=0.3):
    import numpy as np

    hop = {s: 0 for s in seeds}
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
        ends = np.unique(np.concatenate([g.src[e], g.dst[e]]))
        new = [int(x) for x in ends.tolist() if int(x) not in hop]
        for x in new:
            hop[x] = h
        frontier = np.asarray(new, dtype=np.int64)
        if frontier.size == 0:
            break
    edges = np.unique(np.concatenate(edge_parts)) if edge_parts else np.empty(0, np.int64)
    nodes = np.asarray(sorted(hop), dtype=np.int64)
    return nodes, edges, hop


def test_neighbourhoods_and_lookups_equal_the_plain_formulation(world: Workspace):
    import numpy as np

    from fraudwall.graph.store import build_graph
    from fraudwall.graph.trace import neighbourhood

    g = build_graph(world)
    rng = np.random.default_rng(3)
    numbers = np.flatnonzero(g.node_type_mask("msisdn"))
    busiest = np.argsort(-g.degree)[:5]
    seed_sets = [[int(x)] for x in rng.choice(numbers, 20, replace=False)]
    seed_sets += [[int(x) for x in busiest], [int(x) for x in rng.choice(numbers, 50)]]
    for seeds in seed_sets:
        for hops in (1, 2, 3):
            nb = neighbourhood(g, seeds, hops=hops)
            nodes, edges, hop = _ref_neighbourhood(g, seeds, hops=hops)
            assert np.array_equal(nb.nodes, nodes) and np.array_equal(nb.edges, edges)
            assert nb.hop == hop and list(nb.hop) == list(hop)
    # find_many gives what find gives, one string at a time (first node per id or display)
    wanted = g.displays(rng.choice(numbers, 30).tolist()) + g.entity_ids([0, 1]) + ["nobody"]
    many = g.find_many(wanted)
    for w in wanted:
        assert many[w] == sorted(set(g.find(w))), w
