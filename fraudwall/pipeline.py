"""The main job: ingest a contract directory, compute features, run detectors, write a run.

The run directory is itself a workspace (``store/``, ``quarantine/``, ``ingest_log.json``) and
also holds the contract's outputs: ``leads.parquet``, ``leads.csv``, ``risk.parquet``,
``report.html`` and ``run.json`` (what ran, what was skipped, timings).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from fraudwall.detectors.base import Context, load_library
from fraudwall.features.base import FeatureCache
from fraudwall.policy import Policy, load_policy
from fraudwall.scoring.leads import LEAD_COLUMNS, DetectionResult, run_detectors
from fraudwall.scoring.risk import fuse
from fraudwall.store import Tables, Workspace, connect

#: Called with (stage, done, total) as work advances; the CLI draws progress bars from it.
Progress = Callable[[str, int, int], None]


@dataclass
class RunResult:
    """Everything a run produced, as written to ``run.json`` (plus the frames)."""

    run_id: str
    out_dir: Path
    policy_version: str
    engine: str
    started_at: str
    timings_s: dict[str, float] = field(default_factory=dict)
    ingest: dict[str, Any] = field(default_factory=dict)
    detectors_ran: list[str] = field(default_factory=list)
    detectors_skipped: dict[str, str] = field(default_factory=dict)
    lead_counts: dict[str, int] = field(default_factory=dict)
    detector_seconds: dict[str, float] = field(default_factory=dict)
    feature_seconds: dict[str, float] = field(default_factory=dict)
    leads: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    risk: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    def summary(self) -> dict[str, Any]:
        d = asdict(self)
        for k in ("leads", "risk"):
            d.pop(k)
        d["out_dir"] = str(self.out_dir)
        d["n_leads"] = len(self.leads)
        d["n_flagged_entities"] = len(self.risk)
        return d


@contextmanager
def _timed(result: RunResult, stage: str) -> Iterator[None]:
    t0 = time.perf_counter()
    yield
    result.timings_s[stage] = round(time.perf_counter() - t0, 3)


def run(
    data_dir: str | Path,
    out_dir: str | Path,
    *,
    policy: Policy | None = None,
    engine: str = "duckdb",
    progress: Progress | None = None,
    report: bool = True,
) -> RunResult:
    """Run the whole pipeline on a contract directory and write the outputs to ``out_dir``.

    ``out_dir`` is locked for the run: a second run or ingest into it fails with
    :class:`~fraudwall.errors.WorkspaceBusy` instead of mixing its files with this one's.
    """
    policy = policy or load_policy()
    ws = Workspace(out_dir)
    with ws.writing():
        return _run(data_dir, ws, policy, engine=engine, progress=progress, report=report)


def _run(
    data_dir: str | Path,
    ws: Workspace,
    policy: Policy,
    *,
    engine: str,
    progress: Progress | None,
    report: bool,
) -> RunResult:
    from fraudwall.ingest import ingest

    out = ws.path
    result = RunResult(
        run_id=datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:6],
        out_dir=out,
        policy_version=policy.version,
        engine=engine,
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    with _timed(result, "ingest"):
        ing = ingest(data_dir, ws, progress=progress)
        result.ingest = ing.to_dict()
    detection = detect(
        ws, policy, engine=engine, run_id=result.run_id, progress=progress, result=result
    )
    result.detectors_ran = detection.ran
    result.detectors_skipped = detection.skipped
    result.lead_counts = detection.counts
    result.detector_seconds = detection.seconds
    result.feature_seconds = detection.feature_seconds
    with _timed(result, "fuse"):
        result.leads = display_ids(detection.leads, ws)
        result.risk = fuse(result.leads, policy)
    with _timed(result, "write"):
        write_outputs(result)
    if report:
        from fraudwall.report import write_report

        with _timed(result, "report"):
            write_report(result, out / "report.html")
    (out / "run.json").write_text(json.dumps(result.summary(), indent=2, default=str), "utf-8")
    return result


def detect(
    ws: Workspace,
    policy: Policy,
    *,
    engine: str = "duckdb",
    run_id: str = "adhoc",
    progress: Progress | None = None,
    result: RunResult | None = None,
    only: Collection[str] | None = None,
) -> DetectionResult:
    """Compute features and run the detector library (or ``only`` these detectors)."""
    result = result or RunResult(run_id, ws.path, policy.version, engine, "")
    library = load_library()
    if only is not None:
        unknown = set(only) - set(library)
        if unknown:
            raise ValueError(f"unknown detectors {sorted(unknown)}")
        library = {k: v for k, v in library.items() if k in only}
    con = connect(engine)
    tables = Tables(ws, con)
    ctx = Context(tables=tables, features=FeatureCache(tables, con), con=con, policy=policy)
    done = 0

    def step(name: str) -> None:
        nonlocal done
        done += 1
        if progress:
            progress("detectors", done, len(library))

    with _timed(result, "detect"):
        return run_detectors(ctx, policy, library, run_id=run_id, on_step=step)


def display_ids(leads: pd.DataFrame, ws: Workspace) -> pd.DataFrame:
    """Show numbers as the operator wrote them (the store keeps the normalised form)."""
    if leads.empty or not ws.has("subscribers"):
        return leads
    cols = pq.read_schema(ws.parquet_files("subscribers")[0]).names
    if "msisdn_raw" not in cols:
        return leads
    subs = pq.read_table(ws.parquet_files("subscribers"), columns=["msisdn", "msisdn_raw"])
    mapping = dict(zip(subs["msisdn"].to_pylist(), subs["msisdn_raw"].to_pylist(), strict=True))
    is_number = leads["entity_type"] == "msisdn"
    ids = leads["entity_id"].where(~is_number, leads["entity_id"].map(mapping))
    return leads.assign(entity_id=ids.fillna(leads["entity_id"]))


def write_outputs(result: RunResult) -> None:
    """leads.parquet, leads.csv and risk.parquet, each written whole then renamed into place."""
    out = result.out_dir
    leads = result.leads.reindex(columns=LEAD_COLUMNS)
    _write_parquet(leads, out / "leads.parquet")
    tmp = out / "leads.csv.tmp"
    leads.to_csv(tmp, index=False)
    tmp.replace(out / "leads.csv")
    _write_parquet(result.risk, out / "risk.parquet")


def _write_parquet(df: pd.DataFrame, path: Path) -> None:
    tmp = path.with_suffix(".parquet.tmp")
    pq.write_table(pa.Table.from_pandas(df, preserve_index=False), tmp)
    tmp.replace(path)
