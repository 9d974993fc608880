"""A tiny hand-made operator: a gang of three cold callers, a SIM-box den over two
neighbouring cells, and ordinary people."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest

from fraudwall.store import Workspace

T0 = dt.datetime(2026, 3, 2, 9, 0, 0)
GANG = ["+8613900000001", "+8613900000002", "+8613900000003"]
BOX_A = [f"+861370000001{i}" for i in range(4)]
BOX_B = [f"+861370000002{i}" for i in range(4)]
PEOPLE = [f"+8613800000{i:03d}" for i in range(40)]


def _calls() -> pa.Table:
    rows: list[dict[str, object]] = []

    def call(a: str, b: str, t: dt.datetime, dur: int, imei: str | None, cell: str) -> None:
        rows.append(
            {
                "record_id": f"R{len(rows):06d}",
                "msisdn": a,
                "other_party": b,
                "direction": "MO",
                "started_at": t,
                "duration_s": dur,
                "imei": imei,
                "imsi": None,
                "cell_id": cell,
                "roaming_region": None,
            }
        )

    # The gang: one shared handset, the same 30 victims called by each member.
    victims = [f"+8615100000{i:03d}" for i in range(30)]
    for k, m in enumerate(GANG):
        for i, v in enumerate(victims):
            call(m, v, T0 + dt.timedelta(minutes=3 * i + k), 20, "860000000000001", "CELL-G")
    # The den: two boxes in neighbouring cells, working the same hours.
    strangers = [f"+8618800{i:05d}" for i in range(400)]
    boxes = ((BOX_A, "860000000000010", "CELL-1", 0), (BOX_B, "860000000000020", "CELL-2", 200))
    for box, imei, cell, first in boxes:
        for j, sim in enumerate(box):
            for i in range(20):
                t = T0 + dt.timedelta(minutes=7 * i + j)
                call(sim, strangers[first + j * 20 + i], t, 15, imei, cell)
    # Ordinary people: friends calling each other a few times, own phones.
    for i in range(0, 40, 2):
        a, b = PEOPLE[i], PEOPLE[i + 1]
        for r in range(3):
            call(a, b, T0 + dt.timedelta(hours=r, minutes=i), 120, f"35{i:013d}", f"CELL-P{i % 5}")
    return pa.Table.from_pylist(rows)


def _subscribers() -> pa.Table:
    rows = []
    numbers = GANG + BOX_A + BOX_B + PEOPLE
    for i, m in enumerate(numbers):
        in_gang = m in GANG
        rows.append(
            {
                "msisdn": m,
                "msisdn_raw": m[3:],
                "holder_id_hash": "H-GANG" if in_gang else f"H{i:04d}",
                "holder_type": "personal",
                "activated_at": T0 - dt.timedelta(days=10, minutes=0 if in_gang else 600 * i),
                "outlet_id": "OUT-1" if in_gang else f"OUT-{2 + i % 3}",
            }
        )
    return pa.Table.from_pylist(rows)


def _cells() -> pa.Table:
    return pa.Table.from_pylist(
        [
            {"cell_id": "CELL-1", "lat": 30.0, "lon": 114.0},
            {"cell_id": "CELL-2", "lat": 30.005, "lon": 114.004},  # about 600 m away
            {"cell_id": "CELL-3", "lat": 29.995, "lon": 113.996},
            {"cell_id": "CELL-G", "lat": 31.0, "lon": 115.0},
            {"cell_id": "CELL-G2", "lat": 31.004, "lon": 115.0},
            {"cell_id": "CELL-G3", "lat": 30.996, "lon": 115.0},
        ]
    )


def make_workspace(
    path: Path, *, tables: tuple[str, ...] = ("subscribers", "calls", "cells")
) -> Workspace:
    ws = Workspace(path)
    makers = {"subscribers": _subscribers, "calls": _calls, "cells": _cells}
    for name in tables:
        ws.write_table(name, makers[name]())
    return ws


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return make_workspace(tmp_path / "ws")
