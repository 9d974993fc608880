"""Rewrite a finished run's report from what the run directory holds (after ``evaluate``)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pandas as pd

from fraudwall.errors import InputError


def rewrite_report(run_dir: str | Path) -> Path:
    """Rebuild ``run_dir/report.html`` from ``run.json``, ``leads.parquet`` and ``risk.parquet``.

    Used when a run is evaluated after it finished, so the report shows the new evaluation
    instead of none or an old one.
    """
    from fraudwall.pipeline import RunResult
    from fraudwall.report.writer import write_report

    run = Path(run_dir)
    meta_path = run / "run.json"
    if not meta_path.exists():
        raise InputError("no run.json; not a run directory", file=str(meta_path))
    meta = json.loads(meta_path.read_text("utf-8"))
    names = {f.name for f in dataclasses.fields(RunResult)} - {"leads", "risk", "out_dir"}
    kwargs = {k: v for k, v in meta.items() if k in names}
    workspace = Path(meta.get("workspace") or run)
    frames = {
        name: pd.read_parquet(run / f"{name}.parquet")
        for name in ("leads", "risk")
        if (run / f"{name}.parquet").exists()
    }
    result = RunResult(out_dir=workspace, **kwargs, **frames)
    return write_report(result, run / "report.html")
