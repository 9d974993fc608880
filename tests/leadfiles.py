"""A run directory holding only domain leads, for the tests of domain export and its list."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def domain_run(tmp_path: Path, names: list[tuple[str, str]]) -> Path:
    """``tmp_path/run`` with a leads.parquet of ``fraud_domain`` leads (name, risk level)."""
    run = tmp_path / "run"
    run.mkdir(exist_ok=True)
    pd.DataFrame(
        {
            "entity_type": "domain",
            "entity_id": [n for n, _ in names],
            "detector": "fraud_domain",
            "risk_level": [lvl for _, lvl in names],
        }
    ).to_parquet(run / "leads.parquet")
    return run
