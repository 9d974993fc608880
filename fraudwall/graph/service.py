"""The functions the CLI and the API call: open the workspace's graph, answer, as records.

Keyword-only, one per query; each opens (or builds, when missing or stale) the persisted graph
and marks entities the run flagged when the workspace is a run directory.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from fraudwall.graph.dens import DenParams, find_dens
from fraudwall.graph.draw import neighbourhood_svg
from fraudwall.graph.flags import run_flags
from fraudwall.graph.lookalike import lookalikes, read_seeds
from fraudwall.graph.model import EntityGraph
from fraudwall.graph.records import Record
from fraudwall.graph.rings import RingParams, find_rings, number_mask
from fraudwall.graph.store import open_graph
from fraudwall.graph.trace import trace


def trace_entity(
    *,
    workspace: str | Path,
    entity: str,
    hops: int = 2,
    top: int = 50,
    svg: str | Path | None = None,
    unmasked: bool = False,
    engine: str = "duckdb",
) -> list[Record]:
    """Trace ``entity`` in the workspace; draw the neighbourhood to ``svg`` when given.

    ``engine`` builds the graph when it must be (re)built; a current graph is used as it is."""
    g = open_graph(workspace, engine=engine)
    flags = run_flags(g, workspace)
    records = trace(g, entity, hops=hops, top=top, flags=flags, unmasked=unmasked)
    if svg is not None:
        text = neighbourhood_svg(g, entity, records, unmasked=unmasked)
        path = Path(svg)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(text, "utf-8")
        tmp.replace(path)
    return records


def ring_flagged(g: EntityGraph, workspace: str | Path) -> np.ndarray:
    """Numbers that count as flagged in a ring's score, as the ``fraud_ring`` detector counts
    them: the run's leads of its core detectors at medium risk or above (none outside a run)."""
    from fraudwall.detectors.library.fraud_ring import CORE

    path = Path(workspace) / "leads.parquet"
    if not path.exists():
        return np.zeros(g.n_nodes, bool)
    leads = pq.read_table(path, columns=["entity_type", "entity_id", "detector", "risk_level"])
    core = pa.array([c.name for c in CORE], pa.string())
    keep = pc.and_(
        pc.and_(
            pc.equal(leads["entity_type"], "msisdn"), pc.is_in(leads["detector"], value_set=core)
        ),
        pc.is_in(leads["risk_level"], value_set=pa.array(["medium", "high"])),
    )
    return number_mask(g, leads.filter(keep)["entity_id"])


def default_ring_params() -> RingParams:
    """The ring definition with the default policy's ``fraud_ring`` thresholds."""
    from fraudwall.detectors.library.fraud_ring import FraudRingMember, ring_params
    from fraudwall.policy import load_policy

    params = load_policy().params(FraudRingMember.name)
    assert isinstance(params, FraudRingMember.Params)
    return ring_params(params)


def workspace_rings(
    *,
    workspace: str | Path,
    params: RingParams | None = None,
    unmasked: bool = False,
    engine: str = "duckdb",
) -> list[Record]:
    """Fraud rings of the workspace, as the ``fraud_ring`` detector finds them (its flagged
    numbers from the workspace's run, when it is one); ``engine`` builds a missing graph."""
    g = open_graph(workspace, engine=engine)
    return find_rings(
        g,
        flagged=ring_flagged(g, workspace),
        params=params or default_ring_params(),
        unmasked=unmasked,
    )


def workspace_dens(
    *,
    workspace: str | Path,
    params: DenParams | None = None,
    unmasked: bool = False,
    engine: str = "duckdb",
) -> list[Record]:
    """Dens of the workspace, computed from its tables on ``engine``."""
    return find_dens(str(workspace), params=params, engine=engine, unmasked=unmasked)


def seed_lookalikes(
    *,
    workspace: str | Path,
    seeds_file: str | Path | None = None,
    seeds: list[str] | None = None,
    top: int = 100,
    unmasked: bool = False,
    engine: str = "duckdb",
) -> tuple[list[Record], list[str]]:
    """Look-alikes of the seeds (``seeds_file``, or the ``seeds`` themselves: exactly one), and
    the seeds not known to the workspace; ``engine`` builds a missing graph."""
    if (seeds_file is None) == (seeds is None):
        raise ValueError("give seeds_file or seeds")
    source = None
    if seeds_file is not None:
        seeds, source = read_seeds(seeds_file), str(seeds_file)
    g = open_graph(workspace, engine=engine)
    return lookalikes(g, seeds or [], top=top, unmasked=unmasked, source=source)


def ring_leads(
    *, workspace: str | Path, run_id: str = "rings", engine: str = "duckdb"
) -> pd.DataFrame:
    """``fraud_ring`` leads (the contract's lead columns): one per member number of each ring,
    as the ``fraud_ring`` detector writes them in a run; numbers as stored (unmasked)."""
    from fraudwall.detectors.library.fraud_ring import FraudRingMember
    from fraudwall.graph.rings import member_rows
    from fraudwall.policy import load_policy
    from fraudwall.scoring.leads import LEAD_COLUMNS

    g = open_graph(workspace, engine=engine)
    flagged = ring_flagged(g, workspace)
    rings = find_rings(g, flagged=flagged, params=default_ring_params(), unmasked=True)
    rows = member_rows(g, rings, flagged)
    policy = load_policy()
    out = []
    for row in rows:
        evidence = {
            k: row[k]
            for k in ("ring", "ring_numbers", "ring_flagged", "ring_devices", "ring_holders")
        }
        score = min(max(float(row["score"]), 0.0), 1.0)  # type: ignore[arg-type]
        out.append(
            {
                "entity_type": "msisdn",
                "entity_id": row["entity_id"],
                "scenario": "fraud_ring",
                "detector": FraudRingMember.name,
                "signal": FraudRingMember.signal,
                "score": round(score, 4),  # as a run's leads carry it
                "risk_level": policy.level(score),
                "reasons": FraudRingMember.reason.format(**evidence),
                "evidence": json.dumps({"features": evidence}),
                "first_seen": row["first_seen"],
                "last_seen": row["last_seen"],
                "run_id": run_id,
                "policy_version": policy.version,
            }
        )
    return pd.DataFrame(out, columns=LEAD_COLUMNS)
