"""What is a ring and what is not, on tiny hand-made operators.

The gang of the positive case works one list of strangers from two handsets, three cards to a
handset, its cards registered in one outlet batch to two holders who sold them on. Each negative
case takes that gang and removes one thing that makes it a ring, so each fails if the rule
for that thing is dropped. Every number of a negative case is flagged by the run, so what
keeps it out is the rule, not a low score.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pyarrow as pa

from fraudwall.graph.records import Record
from fraudwall.graph.rings import find_rings, number_mask
from fraudwall.graph.store import open_graph
from fraudwall.store import Workspace

T0 = dt.datetime(2026, 3, 2, 9, 0, 0)
LIST = [f"+8615100000{i:03d}" for i in range(30)]  # the gang's target list
CARDS = [f"+8613900000{i:03d}" for i in range(1, 7)]
OWN_CARD = "+8613900000099"  # the first holder's own card, on their own phone
FRIENDS = [f"+8613800000{i:03d}" for i in range(25)]


@dataclass(frozen=True)
class Card:
    msisdn: str
    imei: str
    holder: str
    outlet: str
    activated: dt.datetime
    callees: tuple[str, ...]


def gang(
    *,
    handsets: tuple[str, ...] = ("860000000000001", "860000000000002"),
    holders: tuple[str, ...] = ("H-A", "H-B"),
    batch: bool = True,
    shared_list: bool = True,
) -> list[Card]:
    """Six cold-calling cards; card ``k`` runs on handset ``k % len(handsets)``, is held by
    holder ``k // 3`` (so each holder's cards sit on both handsets) and calls 20 strangers,
    from the shared list or from a stretch of its own."""
    cards = []
    for k, m in enumerate(CARDS):
        if shared_list:
            callees = tuple(LIST[(5 * k + i) % len(LIST)] for i in range(20))
        else:
            callees = tuple(f"+861520{k:02d}{i:05d}" for i in range(20))
        cards.append(
            Card(
                msisdn=m,
                imei=handsets[k % len(handsets)],
                holder=holders[min(k // 3, len(holders) - 1)],
                outlet="OUT-1" if batch else f"OUT-{k}",
                activated=T0 - dt.timedelta(days=10 if batch else 10 + 3 * k, seconds=-90 * k),
                callees=callees,
            )
        )
    return cards


def holders_own_card() -> Card:
    """The first holder's own card: their phone, their friends."""
    return Card(
        OWN_CARD, "350000000000099", "H-A", "OUT-1", T0 - dt.timedelta(days=40), tuple(FRIENDS)
    )


def workspace(path: Path, cards: list[Card]) -> Workspace:
    calls: list[dict[str, object]] = []
    for j, c in enumerate(cards):
        for i, b in enumerate(c.callees):
            calls.append(
                {
                    "record_id": f"R{len(calls):06d}",
                    "msisdn": c.msisdn,
                    "other_party": b,
                    "direction": "MO",
                    "started_at": T0 + dt.timedelta(minutes=5 * i + j),
                    "duration_s": 20,
                    "imei": c.imei,
                    "imsi": None,
                    "cell_id": "CELL-G",
                    "roaming_region": None,
                }
            )
    subscribers = [
        {
            "msisdn": c.msisdn,
            "msisdn_raw": c.msisdn[3:],
            "holder_id_hash": c.holder,
            "holder_type": "personal",
            "activated_at": c.activated,
            "outlet_id": c.outlet,
        }
        for c in cards
    ]
    ws = Workspace(path)
    ws.write_table("calls", pa.Table.from_pylist(calls))
    ws.write_table("subscribers", pa.Table.from_pylist(subscribers))
    ws.write_table(
        "cells", pa.Table.from_pylist([{"cell_id": "CELL-G", "lat": 31.0, "lon": 115.0}])
    )
    return ws


def rings_of(
    tmp_path: Path, cards: list[Card], flagged: list[str] | None = None
) -> list[tuple[Record, set[str]]]:
    """The rings of a workspace of ``cards``, each with its member numbers."""
    g = open_graph(workspace(tmp_path / "ws", cards))
    ids = np.asarray(g.nodes["entity_id"].to_pylist(), dtype=object)
    rings = find_rings(g, flagged=number_mask(g, flagged or []), unmasked=True)
    return [(r, set(ids[r.nodes])) for r in rings]


def test_a_gang_on_two_handsets_sharing_victims_is_one_ring(tmp_path: Path):
    found = rings_of(tmp_path, [*gang(), holders_own_card()], flagged=CARDS[:3])
    assert len(found) == 1
    ring, numbers = found[0]
    assert numbers == set(CARDS)  # the holder's own card is no member
    roles = [m.role for m in ring.members or []]
    assert roles.count("caller") == 6 and roles.count("device") == 2
    assert roles.count("holder") == 2
    assert ring.extra["victim_share"] == 1.0 and ring.extra["source_share"] == 1.0
    assert ring.extra["flagged_share"] == 0.5
    assert abs(ring.score - 2.5 / 3) < 1e-9
    assert any("9 of 9 pairs" in r and "same strangers" in r for r in ring.reasons)


def test_the_sims_of_one_device_are_not_a_ring(tmp_path: Path):
    assert rings_of(tmp_path, gang(handsets=("860000000000001",)), flagged=CARDS) == []


def test_one_holders_own_cards_are_not_a_ring(tmp_path: Path):
    # Two phones, three cards each, one list and one batch: but all of one holder.
    assert rings_of(tmp_path, gang(holders=("H-A",)), flagged=CARDS) == []


def test_dual_sim_phones_are_not_gang_handsets(tmp_path: Path):
    cards = [replace(c, imei=f"86000000000000{k // 2}") for k, c in enumerate(gang())]
    # three phones of two cards each: no phone carries more than a dual-SIM phone holds
    assert rings_of(tmp_path, cards, flagged=CARDS) == []


def test_handsets_whose_lists_overlap_without_a_common_source_are_not_a_ring(tmp_path: Path):
    # Victims shared across the handsets, but cards from different outlets and days, each
    # handset's cards held by its own holder: nothing says they came from one source.
    cards = [
        replace(c, holder="H-A" if k % 2 == 0 else "H-B") for k, c in enumerate(gang(batch=False))
    ]
    assert rings_of(tmp_path, cards, flagged=CARDS) == []


def test_handsets_with_a_common_source_but_no_common_victims_are_not_a_ring(tmp_path: Path):
    assert rings_of(tmp_path, gang(shared_list=False), flagged=CARDS) == []


def test_rings_cli_keeps_its_json_and_leads_promises(tmp_path: Path):
    import json

    import pandas as pd
    from typer.testing import CliRunner

    from fraudwall.cli import app
    from fraudwall.scoring.leads import LEAD_COLUMNS

    ws = workspace(tmp_path / "ws", [*gang(), holders_own_card()])
    out = tmp_path / "leads.parquet"
    r = CliRunner().invoke(
        app, ["rings", "--workspace", str(ws.path), "--json", "--leads", str(out)]
    )
    assert r.exit_code == 0, r.output
    (ring,) = json.loads(r.stdout)
    assert {"entity_type", "entity_id", "score", "reasons", "members"} <= set(ring)
    assert all(set(m) == {"entity_type", "entity_id", "role"} for m in ring["members"])
    assert CARDS[0] not in r.stdout  # masked
    leads = pd.read_parquet(out)
    assert list(leads.columns) == LEAD_COLUMNS
    assert sorted(leads["entity_id"]) == CARDS
    assert (leads["scenario"] == "fraud_ring").all() and (leads["detector"] == "fraud_ring").all()
    # outside a run nobody is flagged: the ring stands on its handsets, victims and source
    assert leads["score"].round(4).eq(round(2 / 3, 4)).all()
    assert (leads["risk_level"] == "medium").all()
