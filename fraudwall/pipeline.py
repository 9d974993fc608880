"""The main job: ingest a contract directory, compute features, run detectors, write a run.

Two forms. :func:`run` is the one-shot form: its run directory is itself a workspace
(``store/``, ``quarantine/``, ``ingest_log.json``) and also holds the contract's outputs:
``leads.parquet``, ``leads.csv``, ``risk.parquet``, ``report.html`` and ``run.json`` (what ran,
what was skipped or failed, timings, the window). :func:`detect_run` is the daily form: it
detects over a rolling window of a standing workspace (filled by ``fraudwall ingest``) and
writes the same outputs to a separate run directory, which appears whole or not at all.

Leads of consecutive runs line up by :data:`LEAD_KEY` (entity type, entity id, scenario): the
case database keeps one case per key and adds each run's lead to it.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from fraudwall.contract import TABLES
from fraudwall.detectors.base import Context, load_library
from fraudwall.errors import WorkspaceError
from fraudwall.features.base import FeatureCache
from fraudwall.policy import Policy, load_policy
from fraudwall.scoring.leads import LEAD_COLUMNS, DetectionResult, run_detectors
from fraudwall.scoring.risk import fuse
from fraudwall.store import Tables, Workspace, connect
from fraudwall.store.engine import check_engine
from fraudwall.store.window import Window, parse_span
from fraudwall.store.workspace import crash_point
from fraudwall.timing import Ledger

#: Called with (stage, done, total) as work advances; the CLI draws progress bars from it.
Progress = Callable[[str, int, int], None]
#: The columns that identify "the same lead" across runs (one case per key).
LEAD_KEY = ("entity_type", "entity_id", "scenario")
#: Exit status of a run whose outputs were written but where at least one detector failed.
EXIT_DETECTOR_FAILED = 3


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
    #: Detectors that raised, with their error; their scenarios have no leads in this run.
    detectors_failed: dict[str, str] = field(default_factory=dict)
    #: The period detection looked at: ``span``, ``start``, ``end`` (local time), ``days``.
    window: dict[str, Any] = field(default_factory=dict)
    #: The workspace detection read (the run directory itself for ``fraudwall run``).
    workspace: str = ""
    #: What the trained models the run's detectors read were trained on, by detector.
    models: dict[str, dict[str, Any]] = field(default_factory=dict)
    lead_key: list[str] = field(default_factory=lambda: list(LEAD_KEY))
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
        d["status"] = "failed detectors" if self.detectors_failed else "ok"
        return d

    @property
    def exit_code(self) -> int:
        """0 when every detector that ran succeeded, :data:`EXIT_DETECTOR_FAILED` otherwise."""
        return EXIT_DETECTOR_FAILED if self.detectors_failed else 0


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
    check_engine(engine)
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
        run_id=new_run_id(),
        out_dir=out,
        policy_version=policy.version,
        engine=engine,
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
        workspace=str(out),
    )
    with _timed(result, "ingest"):
        ing = ingest(data_dir, ws, progress=progress)
        result.ingest = ing.to_dict()
    result.window = whole_store(ws).to_dict()
    _detect_and_write(ws, result, policy, window=None, progress=progress, report=report)
    _write_json(out / "run.json", result.summary())
    return result


def detect_run(
    workspace: str | Path | Workspace,
    out_dir: str | Path,
    *,
    window: str | timedelta = "7d",
    as_of: datetime | None = None,
    policy: Policy | None = None,
    engine: str = "duckdb",
    progress: Progress | None = None,
    report: bool = True,
    run_id: str | None = None,
) -> RunResult:
    """Detect over a rolling window of a standing workspace; write the run to ``out_dir``.

    The window is ``[as_of - window, as_of)`` in the workspace's local time; ``as_of``
    defaults to midnight after the last day stored. Only the day partitions the window
    overlaps are read. The outputs (those of :func:`run`, without a store) are written to a
    staging directory next to ``out_dir`` and renamed into place, so ``out_dir`` is either
    the previous run or this one, whole. The workspace is locked while detection reads it.

    >>> detect_run("/nonexistent-ws", "/tmp/run")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    fraudwall.errors.WorkspaceError: /nonexistent-ws is not a workspace ...
    """
    check_engine(engine)
    length = parse_span(window) if isinstance(window, str) else window
    span = window if isinstance(window, str) else f"{int(length.total_seconds() // 3600)}h"
    policy = policy or load_policy()
    ws = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
    if not ws.path.is_dir() or not ws.tables():
        raise WorkspaceError(
            f"{ws.path} is not a workspace with data; run `fraudwall ingest` first"
        )
    out = Path(out_dir)
    with ws.writing():
        end = as_of or _day_after_last(ws)
        win = Window.ending(end, length, span)
        result = RunResult(
            run_id=run_id or new_run_id(),
            out_dir=out,
            policy_version=policy.version,
            engine=engine,
            started_at=datetime.now(UTC).isoformat(timespec="seconds"),
            window=win.to_dict(),
            workspace=str(ws.path),
        )
        stage = out.parent / f".{out.name}.{uuid.uuid4().hex[:8]}.partial"
        stage.mkdir(parents=True)
        try:
            staged = replace(result, out_dir=stage)
            _detect_and_write(ws, staged, policy, window=win, progress=progress, report=report)
            # The data's settings (time zone) travel with the run, for whoever imports it.
            _write_json(stage / "manifest.json", ws.manifest)
            _write_json(stage / "run.json", {**staged.summary(), "out_dir": str(out)})
            _publish(stage, out)
        finally:
            shutil.rmtree(stage, ignore_errors=True)
        return replace(staged, out_dir=out)


def new_run_id() -> str:
    """A sortable, unique run id: UTC time stamp and a random suffix."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:6]


def whole_store(ws: Workspace) -> Window:
    """The window covering every stored day (what a one-shot run detects over)."""
    days = _stored_days(ws)
    if not days:
        now = datetime.now().replace(hour=0, minute=0, second=0, microsecond=0)
        return Window(now, now, "all")
    start = datetime.combine(date.fromisoformat(days[0]), datetime.min.time())
    return Window(start, _day_after_last(ws), "all")


def _stored_days(ws: Workspace) -> list[str]:
    days: set[str] = set()
    for name, spec in TABLES.items():
        if spec.time_column is not None:
            days.update(ws.days(name))
    return sorted(days)


def _day_after_last(ws: Workspace) -> datetime:
    days = _stored_days(ws)
    if not days:
        raise WorkspaceError(f"workspace {ws.path} holds no time-partitioned table")
    return datetime.combine(date.fromisoformat(days[-1]), datetime.min.time()) + timedelta(days=1)


def _detect_and_write(
    ws: Workspace,
    result: RunResult,
    policy: Policy,
    *,
    window: Window | None,
    progress: Progress | None,
    report: bool,
) -> None:
    """Detection, fusion and the output files of ``result`` (run.json excepted)."""
    out = result.out_dir
    detection = detect(
        ws,
        policy,
        engine=result.engine,
        run_id=result.run_id,
        progress=progress,
        result=result,
        window=window,
    )
    result.detectors_ran = detection.ran
    result.detectors_skipped = detection.skipped
    result.detectors_failed = detection.failed
    result.models = _models_used(policy, detection.ran)
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
            # The report aggregates the stored tables: point it at the workspace.
            write_report(replace(result, out_dir=ws.path), out / "report.html")


def _models_used(policy: Policy, ran: list[str]) -> dict[str, dict[str, Any]]:
    """Provenance of the trained models (a ``model_dir`` policy key) of the detectors that ran."""
    dirs = {name: getattr(policy.params(name), "model_dir", "") for name in ran}
    if not any(dirs.values()):
        return {}
    from fraudwall.models.card import provenance

    return {name: provenance(Path(d)) for name, d in dirs.items() if d}


def _write_json(path: Path, body: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    tmp.write_text(json.dumps(body, indent=2, default=str), "utf-8")
    tmp.replace(path)


def _publish(stage: Path, out: Path) -> None:
    """Put a complete run directory in place of ``out``: the new one first, then the old goes.

    An existing ``out`` is renamed aside, the staged one renamed in, then the old one
    deleted; a crash between the two renames leaves the old run aside, and the next publish
    to ``out`` puts it back before replacing it.
    """
    for p in stage.rglob("*"):
        if p.is_file():
            with p.open("rb") as f:
                os.fsync(f.fileno())
    aside = out.parent / f".{out.name}.previous"
    if aside.exists() and not out.exists():
        os.replace(aside, out)  # an earlier publish crashed between its renames
    shutil.rmtree(aside, ignore_errors=True)
    crash_point()
    if out.exists():
        os.replace(out, aside)
        crash_point()
    os.replace(stage, out)
    crash_point()
    shutil.rmtree(aside, ignore_errors=True)


def detect(
    ws: Workspace,
    policy: Policy,
    *,
    engine: str = "duckdb",
    run_id: str = "adhoc",
    progress: Progress | None = None,
    result: RunResult | None = None,
    only: Collection[str] | None = None,
    window: Window | None = None,
) -> DetectionResult:
    """Compute features and run the detector library (or ``only`` these detectors).

    With a ``window``, detection sees only the stored rows inside it.
    """
    result = result or RunResult(run_id, ws.path, policy.version, engine, "")
    library = load_library()
    if only is not None:
        unknown = set(only) - set(library)
        if unknown:
            raise ValueError(f"unknown detectors {sorted(unknown)}")
        library = {k: v for k, v in library.items() if k in only}
    con = connect(engine)
    ledger = Ledger()
    tables = Tables(ws, con, window=window, ledger=ledger)
    features = FeatureCache(tables, con, ledger)
    ctx = Context(tables=tables, features=features, con=con, policy=policy)
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
