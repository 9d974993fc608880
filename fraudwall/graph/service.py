"""The functions the CLI and the API call: open the workspace's graph, answer, as records.

Keyword-only, one per query; each opens (or builds, when missing or stale) the persisted graph
and marks entities the run flagged when the workspace is a run directory.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from fraudwall.graph.dens import DenParams, find_dens
from fraudwall.graph.draw import neighbourhood_svg
from fraudwall.graph.flags import flagged_mask, run_flags
from fraudwall.graph.lookalike import lookalikes, read_seeds
from fraudwall.graph.records import Record
from fraudwall.graph.rings import RingParams, find_rings
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
) -> list[Record]:
    """Trace ``entity`` in the workspace; draw the neighbourhood to ``svg`` when given."""
    g = open_graph(workspace)
    flags = run_flags(g, workspace)
    records = trace(g, entity, hops=hops, top=top, flags=flags, unmasked=unmasked)
    if svg is not None:
        text = neighbourhood_svg(g, entity, records, unmasked=unmasked)
        path = Path(svg)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(text, "utf-8")
        tmp.replace(path)
    return records


def workspace_rings(
    *, workspace: str | Path, params: RingParams | None = None, unmasked: bool = False
) -> list[Record]:
    """Fraud rings of the workspace (flagged numbers of its run, when it is a run)."""
    g = open_graph(workspace)
    flags = run_flags(g, workspace)
    return find_rings(g, flagged=flagged_mask(g, flags), params=params, unmasked=unmasked)


def workspace_dens(
    *, workspace: str | Path, params: DenParams | None = None, unmasked: bool = False
) -> list[Record]:
    """Dens of the workspace."""
    return find_dens(str(workspace), params=params, unmasked=unmasked)


def seed_lookalikes(
    *,
    workspace: str | Path,
    seeds_file: str | Path | None = None,
    seeds: list[str] | None = None,
    top: int = 100,
    unmasked: bool = False,
) -> tuple[list[Record], list[str]]:
    """Look-alikes of the seeds (``seeds_file``, or the ``seeds`` themselves: exactly one), and
    the seeds not known to the workspace."""
    if (seeds_file is None) == (seeds is None):
        raise ValueError("give seeds_file or seeds")
    source = None
    if seeds_file is not None:
        seeds, source = read_seeds(seeds_file), str(seeds_file)
    g = open_graph(workspace)
    return lookalikes(g, seeds or [], top=top, unmasked=unmasked, source=source)


def ring_leads(*, workspace: str | Path, run_id: str = "rings") -> pd.DataFrame:
    """``fraud_ring`` leads (the contract's lead columns): one per member number of each ring,
    as the ``fraud_ring`` detector writes them in a run; numbers as stored (unmasked)."""
    from fraudwall.detectors.library.fraud_ring import FraudRingMember
    from fraudwall.graph.rings import member_rows
    from fraudwall.scoring.leads import LEAD_COLUMNS

    g = open_graph(workspace)
    flagged = flagged_mask(g, run_flags(g, workspace))
    rows = member_rows(g, find_rings(g, flagged=flagged, unmasked=True), flagged)
    out = []
    for row in rows:
        evidence = {
            k: row[k]
            for k in ("ring", "ring_numbers", "ring_flagged", "ring_devices", "ring_holders")
        }
        score = float(row["score"])  # type: ignore[arg-type]
        out.append(
            {
                "entity_type": "msisdn",
                "entity_id": row["entity_id"],
                "scenario": "fraud_ring",
                "detector": FraudRingMember.name,
                "signal": FraudRingMember.signal,
                "score": score,
                "risk_level": "high" if score >= 0.8 else "medium" if score >= 0.6 else "low",
                "reasons": FraudRingMember.reason.format(**evidence),
                "evidence": json.dumps({"features": evidence}),
                "first_seen": row["first_seen"],
                "last_seen": row["last_seen"],
                "run_id": run_id,
                "policy_version": "default",
            }
        )
    return pd.DataFrame(out, columns=LEAD_COLUMNS)
