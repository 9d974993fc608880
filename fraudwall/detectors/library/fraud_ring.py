"""Fraud rings: numbers of a gang sharing victims, handsets, SIMs and holders."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import Field

from fraudwall.detectors.base import Context, Detector, threshold
from fraudwall.detectors.base import Params as BaseParams
from fraudwall.detectors.library.fraud_caller import FraudCaller
from fraudwall.detectors.library.fraud_complaints import FraudComplaints
from fraudwall.detectors.library.simbox_sim import SimboxSim
from fraudwall.detectors.library.static_outbound_sim import StaticOutboundSim

#: Detectors whose medium-or-higher hits form the ring's flagged core.
CORE = (FraudCaller, SimboxSim, StaticOutboundSim, FraudComplaints)
EVIDENCE = ("ring", "ring_numbers", "ring_flagged", "ring_devices", "ring_holders")


class FraudRingMember(Detector):
    """Flags every number of a fraud ring: a community (Leiden, over the workspace's entity
    graph) of numbers tied by shared victims, handsets, SIMs and ID holders, with at least
    ``min_core`` numbers that the fraud-caller and SIM-box detectors flag or that share
    victims with cold callers. Registration batches and co-location tie only numbers already in
    it, so a shop's walk-in customers and a den's neighbours stay out. The ring's score (its
    flagged share, how densely it shares victims, how many things it shares) is each member's.
    The graph is kept in the workspace, so ``fraudwall trace`` reuses it."""

    name = "fraud_ring"
    scenario = "fraud_ring"
    requires = ("calls", "subscribers")
    signal = "fraud_ring"
    reason = (
        "member of ring {ring} of {ring_numbers} numbers ({ring_flagged} flagged) sharing "
        "{ring_devices} device(s) and {ring_holders} holder(s)"
    )

    class Params(BaseParams):
        enabled: bool = Field(
            False,
            description="run this detector (off by default: it builds the workspace's entity "
            "graph during the run; `fraudwall rings --leads` gives the same leads afterwards)",
        )
        min_numbers: int = threshold(3, "numbers a ring needs", basis="absolute", ge=2)
        min_core: int = threshold(
            2,
            "numbers of the ring flagged by the fraud detectors or sharing victims",
            basis="absolute",
            ge=1,
        )
        min_score: float = threshold(
            0.4, "ring score below which no ring is reported", basis="absolute", ge=0, le=1
        )

    def find(self, ctx: Context, p: Params) -> ir.Table:
        from fraudwall.graph.model import EntityGraph
        from fraudwall.graph.rings import RingParams, find_rings, member_rows
        from fraudwall.graph.store import open_graph
        from fraudwall.store import Tables

        empty = _empty()
        if not isinstance(ctx.tables, Tables):
            return empty  # rings need a workspace to keep the graph in
        g: EntityGraph = open_graph(ctx.tables.workspace)
        medium = ctx.policy.risk.medium if ctx.policy is not None else 0.6
        flagged_ids: set[str] = set()
        for cls in CORE:
            if ctx.runnable(cls):
                h = ctx.hits(cls)
                ids = h.filter(h.score >= medium).select("entity_id").to_pyarrow()
                flagged_ids |= set(ids["entity_id"].to_pylist())
        numbers = g.node_type_mask("msisdn")
        # Matched on the Arrow column: no Python string per node (millions at scale).
        hit = pc.is_in(g.nodes["entity_id"], value_set=pa.array(sorted(flagged_ids), pa.string()))
        flagged = numbers & hit.to_numpy(zero_copy_only=False)
        rings = find_rings(
            g,
            flagged=flagged,
            params=RingParams(
                min_numbers=p.min_numbers, min_core=p.min_core, min_score=p.min_score
            ),
            unmasked=True,
        )
        rows = member_rows(g, rings, flagged)
        if not rows:
            return empty
        df = pd.DataFrame(rows)
        return ibis.memtable(df)


def _empty() -> ir.Table:
    schema = {
        "entity_id": "string",
        "score": "float64",
        "first_seen": "timestamp",
        "last_seen": "timestamp",
        "ring": "string",
        "ring_numbers": "int64",
        "ring_flagged": "int64",
        "ring_devices": "int64",
        "ring_holders": "int64",
    }
    return ibis.memtable(pd.DataFrame({k: [] for k in schema}), schema=schema)
