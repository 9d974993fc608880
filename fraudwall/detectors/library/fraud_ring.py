"""Fraud rings: numbers of a gang working one list of victims from several handsets."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from fraudwall.detectors.base import Context, Detector, threshold
from fraudwall.detectors.base import Params as BaseParams
from fraudwall.detectors.library.fraud_caller import FraudCaller
from fraudwall.detectors.library.fraud_complaints import FraudComplaints
from fraudwall.detectors.library.simbox_sim import SimboxSim
from fraudwall.detectors.library.static_outbound_sim import StaticOutboundSim
from fraudwall.graph.rings import RingParams

_RING = RingParams()

#: Detectors whose medium-or-higher hits count as flagged in a ring's score.
CORE = (FraudCaller, SimboxSim, StaticOutboundSim, FraudComplaints)
EVIDENCE = ("ring", "ring_numbers", "ring_flagged", "ring_devices", "ring_holders")


class FraudRingMember(Detector):
    """Flags every number of a fraud ring: a gang whose cold-calling cards run three or more to
    a handset on several handsets, where most pairs of numbers across two handsets called the
    same strangers (one target list) and some pair across them was registered in one outlet
    batch or to one ID holder (one source of cards), its cards held by several ID holders. One
    device's SIMs, dual-SIM phones, one holder's own cards and cold callers whose lists overlap
    by chance are not rings (see
    :mod:`fraudwall.graph.rings`). The ring's score, each member's, is the mean of the share of
    cross-handset pairs sharing victims, the share of its numbers tied to another of its
    handsets by batch or holder, and the share the fraud-caller, SIM-box and complaint
    detectors flag at medium risk or above. It reads only the relations a ring is made of
    (handsets, holders, outlets, registration batches, shared victims), built in memory;
    ``fraudwall rings`` finds the same rings in the workspace's whole graph."""

    name = "fraud_ring"
    scenario = "fraud_ring"
    requires = ("calls", "subscribers")
    signal = "fraud_ring"
    reason = (
        "member of ring {ring} of {ring_numbers} numbers ({ring_flagged} flagged) sharing "
        "{ring_devices} device(s) and {ring_holders} holder(s)"
    )

    class Params(BaseParams):
        min_handsets: int = threshold(
            _RING.min_handsets,
            "gang handsets a ring spans (one device's SIMs are a device, not a gang)",
            basis="absolute",
            ge=2,
        )
        min_numbers_per_handset: int = threshold(
            _RING.min_numbers_per_handset,
            "cold-calling numbers on a handset for it to be a gang's (more than the two "
            "cards of a dual-SIM phone)",
            basis="absolute",
            ge=2,
        )
        min_victim_share: float = threshold(
            _RING.min_victim_share,
            "share of the number pairs across two handsets that called the same strangers "
            "(a majority: one target list, not a chance overlap)",
            basis="relative",
            gt=0,
            le=1,
        )
        min_source_ties: int = threshold(
            _RING.min_source_ties,
            "number pairs across two handsets registered in one outlet batch or to one holder "
            "(one source of cards)",
            basis="absolute",
            ge=1,
        )
        min_holders: int = threshold(
            _RING.min_holders,
            "ID holders a ring's cards belong to (one holder's own cards are not a gang)",
            basis="absolute",
            ge=1,
        )
        min_score: float = threshold(
            _RING.min_score,
            "ring score (the mean of its shares of cross-handset pairs sharing victims, of "
            "numbers tied by batch or holder and of numbers flagged) below which no ring is "
            "reported",
            basis="absolute",
            ge=0,
            le=1,
        )

    def find(self, ctx: Context, p: Params) -> ir.Table:
        from fraudwall.graph.rings import find_rings, member_rows, number_mask, ring_graph
        from fraudwall.store.engine import engine_of

        engine = engine_of(ctx.con)
        g = ring_graph(ctx.tables, engine.collect_arrow)
        medium = ctx.policy.risk.medium if ctx.policy is not None else 0.6
        ids = [
            ctx.hits(cls).filter(ibis._.score >= medium).select("entity_id").to_pyarrow()
            for cls in CORE
            if ctx.runnable(cls)
        ]
        flagged = number_mask(g, pa.concat_tables(ids)["entity_id"] if ids else [])
        rings = find_rings(g, flagged=flagged, params=ring_params(p), unmasked=True)
        rows = member_rows(g, rings, flagged)
        return ibis.memtable(pa.Table.from_pylist(rows, schema=HITS_SCHEMA))


def ring_params(p: FraudRingMember.Params) -> RingParams:
    """The graph's ring definition with the policy's thresholds."""
    return RingParams(
        min_handsets=p.min_handsets,
        min_numbers_per_handset=p.min_numbers_per_handset,
        min_victim_share=p.min_victim_share,
        min_source_ties=p.min_source_ties,
        min_holders=p.min_holders,
        min_score=p.min_score,
    )


#: The hits' columns, typed here so that no rows (a first day, a small world) keep their types.
HITS_SCHEMA = pa.schema(
    [
        ("entity_id", pa.string()),
        ("score", pa.float64()),
        ("first_seen", pa.timestamp("us")),
        ("last_seen", pa.timestamp("us")),
        ("ring", pa.string()),
        ("ring_numbers", pa.int64()),
        ("ring_flagged", pa.int64()),
        ("ring_devices", pa.int64()),
        ("ring_holders", pa.int64()),
    ]
)
