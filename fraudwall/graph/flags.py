"""Which graph entities a run flagged: its ``risk.parquet`` (and ``leads.parquet``) if present."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from fraudwall.graph.model import EntityGraph


@dataclass(frozen=True)
class Flag:
    """A flagged entity's risk as the run fused it."""

    risk_level: str
    risk_score: float
    scenarios: str

    def words(self) -> str:
        return f"flagged {self.risk_level} ({self.risk_score:.2f}): {self.scenarios}"


def run_flags(g: EntityGraph, run_dir: str | Path) -> dict[int, Flag]:
    """Node id -> flag, for every entity in ``run_dir/risk.parquet``; empty when not a run."""
    path = Path(run_dir) / "risk.parquet"
    if not path.exists():
        return {}
    risk = pq.read_table(
        path, columns=["entity_type", "entity_id", "risk_score", "risk_level", "scenarios"]
    )
    risk = risk.cast(
        pa.schema(
            [
                ("entity_type", pa.string()),
                ("entity_id", pa.string()),
                ("risk_score", pa.float64()),
                ("risk_level", pa.string()),
                ("scenarios", pa.string()),
            ]
        )
    )
    if risk.num_rows == 0 or g.n_nodes == 0:
        return {}
    # Leads show numbers as the operator wrote them; nodes keep both forms.
    key_nodes = pc.binary_join_element_wise(g.nodes["entity_type"], g.nodes["display"], "|")
    key_nodes_id = pc.binary_join_element_wise(g.nodes["entity_type"], g.nodes["entity_id"], "|")
    key_risk = pc.binary_join_element_wise(risk["entity_type"], risk["entity_id"], "|")
    pos = pc.index_in(key_risk, value_set=key_nodes)
    pos2 = pc.index_in(key_risk, value_set=key_nodes_id)
    pos = pc.coalesce(pos, pos2)
    ok = pc.is_valid(pos)
    node = pc.filter(pos, ok).to_numpy(zero_copy_only=False)
    r = risk.filter(ok)
    out: dict[int, Flag] = {}
    for i, level, score, scen in zip(
        node.tolist(),
        r["risk_level"].to_pylist(),
        r["risk_score"].to_pylist(),
        r["scenarios"].to_pylist(),
        strict=True,
    ):
        out[int(i)] = Flag(str(level), float(score), str(scen))
    return out


def flagged_mask(
    g: EntityGraph, flags: dict[int, Flag], *, min_level: str = "medium"
) -> np.ndarray:
    """Boolean per node: flagged at ``min_level`` or above."""
    order = {"low": 0, "medium": 1, "high": 2}
    m = np.zeros(g.n_nodes, dtype=bool)
    keep = [i for i, f in flags.items() if order.get(f.risk_level, 0) >= order[min_level]]
    if keep:
        m[np.asarray(keep, dtype=np.int64)] = True
    return m
