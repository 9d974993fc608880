"""Dens (窝点): SIM-box devices and their SIMs grouped by place and time.

A den is where devices that run many SIMs work side by side. Today's ``den_cell`` detector
looks at one cell at a time and misses a den whose devices spread over neighbouring cells or
move between them. Here a device's places are the cells carrying a good share of its calls;
two devices belong to one den when their places are the same or neighbouring cells (among
each other's nearest cells, or ``near_km`` apart; needs the cells table's coordinates) *and*
they work the same hours; the connected groups (igraph) are the dens. A second kind of den
shows only in the called subscribers' records: a fixed-line GOIP trunk, a block of
consecutive landline numbers that cold-call many subscribers.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import igraph as ig
import numpy as np
import pandas as pd

from fraudwall.errors import WorkspaceError
from fraudwall.features.number_edges import call_edges
from fraudwall.graph.records import Member, Record, show
from fraudwall.store import Tables, Workspace, connect


@dataclass(frozen=True)
class DenParams:
    """What makes a device a SIM box and devices one den."""

    #: distinct numbers calling out through a device
    min_sims: int = 3
    #: share of a device's calls that are outbound
    min_out_share: float = 0.8
    #: outbound calls through the device in the period
    min_calls: int = 50
    #: share of a device's calls for a cell to be one of its places
    place_share: float = 0.1
    #: cells at most this far apart are neighbours (needs cell coordinates)
    near_km: float = 1.5
    #: ... and so are a cell and its nearest few cells, however far (sparse layouts)
    near_cells: int = 2
    #: overlap (Jaccard) of two devices' active clock hours to work "at the same time"
    min_hour_overlap: float = 0.3
    #: fixed-line trunks: numbers in one block of 100, each calling this many subscribers
    trunk_min_numbers: int = 3
    trunk_min_callees: int = 20


def find_dens(
    workspace: str | Workspace,
    *,
    params: DenParams | None = None,
    engine: str = "duckdb",
    unmasked: bool = False,
) -> list[Record]:
    """Dens of the workspace, strongest first (needs ``calls``; uses ``cells`` and
    ``device_events`` when present)."""
    p = params or DenParams()
    ws = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
    if not ws.path.is_dir():
        raise WorkspaceError(f"workspace {ws.path} does not exist")
    if not ws.has("calls"):
        raise WorkspaceError(
            f"workspace {ws.path} has no table 'calls'; dens need it (ingest it first)"
        )
    con = connect(engine)
    t = Tables(ws, con)
    devices, places, hours, sims = _device_profiles(t, p)
    out = _device_dens(t, p, devices, places, hours, sims, unmasked=unmasked)
    out += _trunk_dens(t, p, unmasked=unmasked)
    out.sort(key=lambda r: (-r.score, r.entity_id))
    return out


def _device_profiles(
    t: Tables, p: DenParams
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    c = t["calls"]
    c = c.filter(c.imei.notnull() & (c.imei != ""))
    mo = c.direction == "MO"
    dev = c.group_by(imei=c.imei).agg(
        sims=c.msisdn.nunique(where=mo),
        calls_out=mo.sum(),
        calls=ibis._.count(),
        first_seen=c.started_at.min(),
        last_seen=c.started_at.max(),
    )
    dev = dev.filter(
        (dev.sims >= p.min_sims)
        & (dev.calls_out >= p.min_calls)
        & (dev.calls_out >= p.min_out_share * dev.calls)
    )
    cc = c.semi_join(dev, "imei")
    places = (
        cc.filter(cc.cell_id.notnull())
        .group_by(imei=cc.imei, cell=cc.cell_id)
        .agg(n=ibis._.count())
    )
    places = places.mutate(share=places.n / places.n.sum().over(group_by=places.imei))
    places = places.filter(places.share >= p.place_share)
    hours = cc.group_by(imei=cc.imei, hour=cc.started_at.hour()).agg(n=ibis._.count())
    sims = cc.filter(cc.direction == "MO").select(imei=cc.imei, msisdn=cc.msisdn).distinct()
    if "msisdn_raw" in cc.columns:
        sims = cc.filter(cc.direction == "MO").select(imei=cc.imei, msisdn=cc.msisdn_raw).distinct()
    return (
        dev.to_pandas(),
        places.to_pandas(),
        hours.to_pandas(),
        sims.to_pandas(),
    )


def _power(t: Tables, imeis: list[str]) -> dict[str, float]:
    """Power on/off events per day of each device (all its SIMs)."""
    if "device_events" not in t or not imeis:
        return {}
    d = t["device_events"]
    d = d.filter(d.imei.isin(imeis) & d.event.isin(("power_on", "power_off")))
    g = d.group_by(imei=d.imei).agg(n=ibis._.count(), days=d.at.date().nunique()).to_pandas()
    return {r.imei: r.n / max(r.days, 1) for r in g.itertuples()}


def _neighbours(t: Tables, cells: list[str], p: DenParams) -> set[tuple[str, str]]:
    """Pairs of the candidate cells that are neighbours: one is among the other's
    ``near_cells`` nearest cells of the whole network, or they are at most ``near_km`` apart.

    Adjacency by rank works in sparse rural layouts and dense city ones alike; it needs the
    cells table's coordinates (without them only a shared cell groups devices).
    """
    if "cells" not in t or len(cells) < 2:
        return set()
    c = t["cells"]
    allxy = c.filter(c.lat.notnull() & c.lon.notnull()).select("cell_id", "lat", "lon").to_pandas()
    cand = allxy[allxy["cell_id"].isin(cells)]
    if len(cand) < 2:
        return set()
    km = _haversine(
        cand["lat"].to_numpy(float),
        cand["lon"].to_numpy(float),
        allxy["lat"].to_numpy(float),
        allxy["lon"].to_numpy(float),
    )
    ids_all = allxy["cell_id"].tolist()
    ids = cand["cell_id"].tolist()
    k = min(p.near_cells + 1, km.shape[1])
    nearest = np.argsort(km, axis=1)[:, :k]  # includes the cell itself
    near_of = {a: {ids_all[j] for j in row} for a, row in zip(ids, nearest.tolist(), strict=True)}
    col = {v: j for j, v in enumerate(ids_all)}
    out: set[tuple[str, str]] = set()
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            if b in near_of[a] or a in near_of[b] or km[i, col[b]] <= p.near_km:
                out.add((a, b))
    return out


def _haversine(
    lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray
) -> np.ndarray:
    """Kilometres between every point of the first set and every point of the second."""
    la1, lo1 = np.radians(lat1)[:, None], np.radians(lon1)[:, None]
    la2, lo2 = np.radians(lat2)[None, :], np.radians(lon2)[None, :]
    a = np.sin((la2 - la1) / 2) ** 2 + np.cos(la1) * np.cos(la2) * np.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def _device_dens(
    t: Tables,
    p: DenParams,
    devices: pd.DataFrame,
    places: pd.DataFrame,
    hours: pd.DataFrame,
    sims: pd.DataFrame,
    *,
    unmasked: bool,
) -> list[Record]:
    if devices.empty:
        return []
    imeis = sorted(devices["imei"].tolist())  # engines return rows in any order
    index = {d: i for i, d in enumerate(imeis)}
    cells = sorted(set(places["cell"]))
    near = _neighbours(t, cells, p)
    hour_sets = {d: set(g["hour"].astype(int)) for d, g in hours.groupby("imei")}
    cell_sets = {d: set(g["cell"]) for d, g in places.groupby("imei")}
    # devices per cell, and cells per neighbouring cell, to find candidate device pairs
    by_cell: dict[str, list[str]] = {}
    for d, cs in cell_sets.items():
        for c in cs:
            by_cell.setdefault(c, []).append(d)
    pairs: set[tuple[int, int]] = set()
    links = [(c, c) for c in by_cell] + list(near)
    for a, b in links:
        for x in by_cell.get(a, []):
            for y in by_cell.get(b, []):
                if x == y:
                    continue
                ha, hb = hour_sets.get(x, set()), hour_sets.get(y, set())
                overlap = len(ha & hb) / max(len(ha | hb), 1)
                if overlap >= p.min_hour_overlap:
                    pairs.add((min(index[x], index[y]), max(index[x], index[y])))
    g = ig.Graph(n=len(imeis), edges=sorted(pairs))
    power = _power(t, imeis)
    coords = _coords(t, cells)
    sims_of = {d: sorted(set(gr["msisdn"])) for d, gr in sims.groupby("imei")}
    dev = devices.set_index("imei")
    out = []
    for comp in g.connected_components():
        group = [imeis[i] for i in comp]
        den_cells = sorted(set().union(*(cell_sets.get(d, set()) for d in group)))
        calls_in = places[places["imei"].isin(group)].groupby("cell")["n"].sum()
        main = str(calls_in.idxmax()) if len(calls_in) else ""
        den_sims = sorted(set().union(*(set(sims_of.get(d, [])) for d in group)))
        hrs = sorted(set().union(*(hour_sets.get(d, set()) for d in group)))
        pw = [power[d] for d in group if d in power]
        first = dev.loc[group, "first_seen"].min()
        last = dev.loc[group, "last_seen"].max()
        reasons = [
            f"{len(group)} device(s) running {len(den_sims)} SIMs "
            f"over {len(den_cells)} cell(s)"
            + (" that are neighbours" if len(den_cells) > 1 else ""),
            f"active {_hour_span(hrs)}",
        ]
        if pw:
            reasons.append(f"{np.mean(pw):.1f} power on/off events a day per device")
        xy = [coords[c] for c in den_cells if c in coords]
        extra: dict[str, object] = {
            "cells": den_cells,
            "first_seen": str(first),
            "last_seen": str(last),
            "active_hours": hrs,
        }
        if xy:
            lat, lon = np.mean([a for a, _ in xy]), np.mean([b for _, b in xy])
            extra["lat"], extra["lon"] = round(float(lat), 5), round(float(lon), 5)
            reasons.append(f"around {lat:.4f}, {lon:.4f}")
        members = [Member("cell_id", c, "cell") for c in den_cells]
        members += [Member("imei", show("imei", d, unmasked=unmasked), "simbox") for d in group]
        members += [Member("msisdn", show("msisdn", s, unmasked=unmasked), "sim") for s in den_sims]
        score = min(1.0, 0.5 + 0.1 * len(group) + 0.01 * len(den_sims))
        out.append(
            Record(
                entity_type="cell_id",
                entity_id=main,
                score=score,
                reasons=reasons,
                members=members,
                extra=extra,
            )
        )
    return out


def _coords(t: Tables, cells: list[str]) -> dict[str, tuple[float, float]]:
    if "cells" not in t or not cells:
        return {}
    c = t["cells"]
    xy = c.filter(c.cell_id.isin(cells) & c.lat.notnull() & c.lon.notnull()).to_pandas()
    return {r.cell_id: (float(r.lat), float(r.lon)) for r in xy.itertuples()}


def _hour_span(hours: list[int]) -> str:
    if not hours:
        return "at unknown hours"
    return f"{min(hours):02d}:00-{max(hours) + 1:02d}:00 ({len(hours)} distinct hours)"


def _trunk_dens(t: Tables, p: DenParams, *, unmasked: bool) -> list[Record]:
    """Blocks of 100 consecutive landline numbers that cold-call many subscribers."""
    e = call_edges(t["calls"])
    land = e.filter(e.caller.re_search(r"^\+86[2-9]\d{8,10}$"))
    per = land.group_by("caller").agg(
        callees=land.callee.nunique(),
        calls=ibis._.count(),
        first_seen=land.started_at.min(),
        last_seen=land.started_at.max(),
    )
    per = per.filter(per.callees >= p.trunk_min_callees)
    per = per.mutate(block=per.caller.substr(0, per.caller.length() - 2))
    df = per.to_pandas()
    out = []
    for block, g in df.groupby("block"):
        if len(g) < p.trunk_min_numbers:
            continue
        nums = sorted(g["caller"])
        members = [
            Member("msisdn", show("msisdn", n, unmasked=unmasked), "fixed_line") for n in nums
        ]
        out.append(
            Record(
                entity_type="msisdn",
                entity_id=show("msisdn", f"{block}00", unmasked=unmasked)[:-2] + "xx",
                score=min(1.0, 0.5 + 0.05 * len(g)),
                reasons=[
                    f"{len(g)} fixed-line numbers of one block called "
                    f"{int(g['callees'].sum())} subscribers ({int(g['calls'].sum())} calls): "
                    "a GOIP trunk"
                ],
                members=members,
                extra={
                    "first_seen": str(g["first_seen"].min()),
                    "last_seen": str(g["last_seen"].max()),
                },
            )
        )
    return out
