"""Ingestion of a contract data directory into a workspace, file by file, transactionally.

For each input file: skip it if its content hash is in the ingest log; otherwise stream it in
batches through validation (rejected rows to the quarantine, accepted rows to a staged
candidates file), remove duplicates against the file itself and the store in DuckDB, and
commit the file's store and quarantine files together. A failure leaves the store as it was
before that file.

Tables are independent until the commit, so up to :data:`LANES` tables are ingested at once,
each table's files in order in one lane (most of the work runs in Arrow and DuckDB, outside the
GIL): on two cores the big CDR tables share both instead of queueing for one.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from fraudwall.contract import TABLES, Table
from fraudwall.errors import InputError
from fraudwall.ingest.dedup import connect, deduplicate, record_keys
from fraudwall.ingest.discover import MANIFEST, SourceFile, discover
from fraudwall.ingest.idkey import pseudonymise_batch
from fraudwall.ingest.log import IngestLog, file_sha256
from fraudwall.ingest.quarantine import (
    WRONG_FIELD_COUNT,
    QuarantineWriter,
    bad_line_entries,
    rejected_entries,
)
from fraudwall.ingest.readers import ParquetSource, Source, open_source
from fraudwall.ingest.report import FileReport, IngestReport, TableReport
from fraudwall.ingest.validate import Checks, check_header, validate_batch
from fraudwall.ingest.writer import StagedStore
from fraudwall.store import Workspace
from fraudwall.store.workspace import DAY_PREFIX, Move

#: Tables ingested at the same time (one thread each).
LANES = max(1, min(2, os.cpu_count() or 1))


@dataclass(frozen=True)
class IngestProgress:
    """A progress event: where ingestion is, in bytes over the whole run and rows of a file."""

    table: str
    file: str
    #: ``read`` (streaming the file), ``dedup`` (removing duplicates), ``skip`` or ``done``.
    stage: str
    bytes_done: int
    bytes_total: int
    rows_read: int


#: The project's progress convention: called with (stage, done, total); here ``("ingest",
#: bytes done, bytes total)`` over the whole run.
ProgressCallback = Callable[[str, int, int], None]
#: Detailed progress: called with an :class:`IngestProgress` (file, stage, rows).
EventCallback = Callable[[IngestProgress], None]


def ingest(
    data_dir: str | Path,
    workspace: Workspace,
    progress: ProgressCallback | None = None,
    *,
    events: EventCallback | None = None,
    now: datetime | None = None,
    id_key: bytes | None = None,
) -> IngestReport:
    """Ingest every table of a contract data directory into ``workspace``.

    Accepted rows go to ``WS/store/TABLE/`` (``day=YYYY-MM-DD/`` for tables with a time
    column), in :func:`fraudwall.ingest.stored_schema`: time stamps are naive local wall-clock
    time in the manifest's time zone, numbers normalised with the originals in ``*_raw``.
    Rejected rows and duplicates go to ``WS/quarantine/TABLE/``. Files already ingested (same
    content hash) are skipped, so ingesting twice adds nothing.

    After every batch, ``progress`` is called with ``("ingest", bytes_done, bytes_total)``
    and ``events`` with an :class:`IngestProgress` (file, stage, rows). ``now`` (the ingestion
    time, default: the clock) bounds time stamps from above (``now`` + one day). With
    ``id_key``, raw ID numbers in holder columns are replaced by their keyed hash as they are
    read (:mod:`fraudwall.ingest.idkey`); without it they are rejected.

    Raises :class:`~fraudwall.errors.InputError` for a missing required table or column, an
    unreadable file or a bad manifest; the file being ingested is then not committed.
    Raises :class:`~fraudwall.errors.WorkspaceBusy` if another process is writing to
    ``workspace``.
    """
    with workspace.writing():
        return _ingest(data_dir, workspace, progress, events, now, id_key)


def _ingest(
    data_dir: str | Path,
    workspace: Workspace,
    progress: ProgressCallback | None,
    events: EventCallback | None,
    now: datetime | None,
    id_key: bytes | None = None,
) -> IngestReport:
    started = time.perf_counter()
    data = discover(data_dir)
    tz = data.manifest["timezone"]
    _check_timezone(workspace, tz, data.path / MANIFEST)
    report = IngestReport(str(data.path), str(workspace.path), tz, ignored=list(data.ignored))
    report.notices += [f"ignored {name}: not a table of the contract" for name in data.ignored]

    plan = _plan(data.files, report)

    checks = Checks(tz, _local_now(now, tz) + timedelta(days=1), id_key)
    log = IngestLog(workspace)
    tracker = _Tracker(progress, events, sum(sf.size for sf, _ in plan))
    # The batch is one journalled change (store files, quarantine, ingest log, manifest): a
    # crash leaves the workspace as before the batch or as after it. An unusable file stops
    # the batch: no lane starts another file, the files completed so far are committed (their
    # rows are good), it is not, and its error is raised.
    with workspace.staging() as batch_dir:
        batch = _Batch(batch_dir)
        for sf, _ in plan:  # reports in the order of the plan, whatever lane finishes first
            report.tables.setdefault(sf.table, TableReport(sf.table))
        try:
            _run_lanes(
                _lanes(plan),
                lambda sf, known: _one_file(
                    workspace, sf, known, report, log, checks, tracker, batch
                ),
            )
        finally:
            batch.close_connections()
            _commit(workspace, batch, log, {**workspace.manifest, **data.manifest})
    report.seconds = time.perf_counter() - started
    return report


_Plan = list[tuple[SourceFile, list[str]]]


def _lanes(plan: _Plan) -> list[_Plan]:
    """The plan split by table (files of a table stay in order: each deduplicates against
    the ones before it), biggest table first so that the lanes end together."""
    by_table: dict[str, _Plan] = {}
    for sf, known in plan:
        by_table.setdefault(sf.table, []).append((sf, known))
    return sorted(by_table.values(), key=lambda lane: -sum(sf.size for sf, _ in lane))


def _run_lanes(lanes: list[_Plan], work: Callable[[SourceFile, list[str]], None]) -> None:
    """Run ``work`` on every file, lanes in parallel; after a failure no new file starts and
    the first error is raised once the running files are done."""
    failed = threading.Event()

    def run(lane: _Plan) -> None:
        for sf, known in lane:
            if failed.is_set():
                return
            try:
                work(sf, known)
            except BaseException:
                failed.set()
                raise

    if len(lanes) <= 1 or LANES == 1:
        for lane in lanes:
            run(lane)
        return
    with ThreadPoolExecutor(LANES, thread_name_prefix="fraudwall-ingest") as pool:
        futures = [pool.submit(run, lane) for lane in lanes]
    errors = [e for e in (f.exception() for f in futures) if e is not None]
    if errors:
        raise errors[0]


def _plan(files: dict[str, list[SourceFile]], report: IngestReport) -> _Plan:
    """Every file with the canonical columns it holds. Headers are all checked before anything
    is written, so a missing required column fails the run up front."""
    plan = []
    for name, table_files in files.items():
        for sf in table_files:
            source = open_source(sf.path, str(sf.path))
            try:
                known, unknown = check_header(TABLES[name], source.columns, str(sf.path))
            finally:
                if isinstance(source, ParquetSource):
                    source.close()
            if unknown:
                report.notices.append(f"{sf.name}: dropped unknown column(s) {', '.join(unknown)}")
            plan.append((sf, known))
    absent = [name for name in TABLES if name not in files]
    if absent:
        report.notices.append(f"optional table(s) not provided: {', '.join(absent)}")
    return plan


def _one_file(
    workspace: Workspace,
    sf: SourceFile,
    known: list[str],
    report: IngestReport,
    log: IngestLog,
    checks: Checks,
    tracker: _Tracker,
    batch: _Batch,
) -> None:
    table = TABLES[sf.table]
    t0 = time.perf_counter()
    fr = FileReport(sf.table, sf.name, file_sha256(sf.path), sf.size, sf.path.suffix[1:])
    report.tables[sf.table].files.append(fr)
    if log.get(sf.table, fr.sha256) is not None:
        fr.skipped = True
        report.notices.append(f"{sf.name}: already ingested (same content), skipped")
        tracker.finish(sf, "skip", 0)
        return
    _ingest_file(workspace, table, sf, known, fr, checks, tracker, log, t0, batch)
    tracker.finish(sf, "done", fr.rows_read)


def _commit(ws: Workspace, batch: _Batch, log: IngestLog, manifest: dict[str, object]) -> None:
    """Apply the batch's staged files, its log entries and the manifest as one change."""
    if not batch.moves and (ws.path / MANIFEST).exists():
        return
    staged = batch.dir / MANIFEST
    staged.write_text(json.dumps(manifest, indent=2), "utf-8")
    moves = [*batch.moves, Move(staged, ws.path / MANIFEST, replace=True)]
    if batch.moves:
        moves.append(log.stage_current(batch.dir))
    ws.apply(moves)


def _ingest_file(
    ws: Workspace,
    table: Table,
    sf: SourceFile,
    known: list[str],
    fr: FileReport,
    checks: Checks,
    tracker: _Tracker,
    log: IngestLog,
    t0: float,
    batch: _Batch,
) -> None:
    """Read, validate and deduplicate one file, filling in ``fr``; its store files, quarantine
    file and log entry join ``batch``, committed together at the end."""
    source = open_source(sf.path, str(sf.path))
    fr.format, fr.encoding = source.format, source.encoding
    prefix = fr.sha256[:16]
    stage = batch.new_stage(prefix)
    con = batch.connection()
    staged = StagedStore(stage / "store", stage / "rows.parquet", table, prefix)
    quarantine = QuarantineWriter(stage / "quarantine" / f"{prefix}.parquet")
    try:
        _stream(con, table, sf, source, known, fr, checks, tracker, staged, quarantine)
        staged.close()
        tracker.update(sf, sf.size, fr.rows_read, stage="dedup")
        # Only the days the file covers can hold its duplicates (partition pruning): a
        # record delivered again carries its own time stamp, so it falls on the same day;
        # the cost of a file no longer grows with the store. Files staged earlier in the
        # batch count as stored.
        days = staged.days if table.time_column else None
        store_files = ws.parquet_files(table.name, days=days) + batch.staged(table.name, days)
        result = deduplicate(con, table, staged, store_files, quarantine, file=sf.name)
    finally:
        quarantine.close()
        staged.close()
        if isinstance(source, ParquetSource):
            source.close()
    fr.accepted, fr.duplicates = result.accepted, result.duplicates
    fr.seconds = time.perf_counter() - t0
    moves = ws.moves(stage / "store", ws.table_dir(table.name))
    store_moves = [m.src for m in moves]
    if quarantine.rows:
        moves += ws.moves(stage / "quarantine", ws.quarantine_dir / table.name)
    with batch.lock:
        batch.files.append((table.name, store_moves))
        batch.moves += moves
        log.record(fr, datetime.now(UTC).isoformat(timespec="seconds"), sorted(staged.days))


class _Batch:
    """The staged, not yet committed, files of one ingestion."""

    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.moves: list[Move] = []
        #: (table, staged store files) per ingested input file, in order.
        self.files: list[tuple[str, list[Path]]] = []
        #: Guards the batch's lists and the ingest log: lanes finish files concurrently.
        self.lock = threading.Lock()
        self._stages = 0
        self._lane = threading.local()
        self._connections: list[duckdb.DuckDBPyConnection] = []

    def connection(self) -> duckdb.DuckDBPyConnection:
        """This lane's DuckDB connection (one per thread: starting DuckDB costs about 20 ms,
        too much to pay for every file of a daily delivery)."""
        con: duckdb.DuckDBPyConnection | None = getattr(self._lane, "con", None)
        if con is None:
            with self.lock:
                lane = self.dir / f"lane-{len(self._connections):02d}"
                lane.mkdir()
                con = connect(lane / "dedup.duckdb")
                self._connections.append(con)
            self._lane.con = con
        return con

    def close_connections(self) -> None:
        """Close every lane's connection (the lanes are done)."""
        with self.lock:
            connections, self._connections = self._connections, []
        for con in connections:
            con.close()

    def new_stage(self, prefix: str) -> Path:
        """A fresh directory for one input file's staged files."""
        with self.lock:
            self._stages += 1
            stage = self.dir / f"{self._stages:05d}-{prefix}"
        stage.mkdir()
        return stage

    def staged(self, table: str, days: Collection[str] | None) -> list[Path]:
        """Staged store files of ``table`` (on ``days`` only, when given)."""
        wanted = None if days is None else {f"{DAY_PREFIX}{d}" for d in days}
        with self.lock:
            files = list(self.files)
        return [
            p
            for name, files in files
            if name == table
            for p in files
            if p.exists() and (wanted is None or p.parent.name in wanted)
        ]


def _stream(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    sf: SourceFile,
    source: Source,
    known: list[str],
    fr: FileReport,
    checks: Checks,
    tracker: _Tracker,
    staged: StagedStore,
    quarantine: QuarantineWriter,
) -> None:
    """Validate a file batch by batch: accepted rows to ``staged``, rejected rows to the
    quarantine, counts and reasons to ``fr``."""
    reasons: Counter[str] = Counter()
    for raw in source.batches(known):
        raw.data = pseudonymise_batch(table, raw.data, checks.id_key)
        found = []
        if raw.bad_lines:
            found.append(bad_line_entries(table, sf.name, source.columns, raw.bad_lines))
            reasons[WRONG_FIELD_COUNT] += len(raw.bad_lines)
            fr.rows_read += len(raw.bad_lines)
            fr.rejected += len(raw.bad_lines)
        vb = validate_batch(table, raw.data, raw.rows, checks)
        if vb.accepted.num_rows:
            staged.write(vb.accepted, record_keys(con, table, vb.accepted))
        if vb.rejected.num_rows:
            found.append(rejected_entries(con, table, sf.name, raw.data, vb.rejected, vb.positions))
            for item in pc.value_counts(vb.rejected.column("reason")).to_pylist():
                reasons[item["values"]] += item["counts"]
        if found:
            quarantine.write(pa.concat_tables(found).sort_by("row"))
        fr.rows_read += raw.data.num_rows
        fr.rejected += vb.rejected.num_rows
        tracker.update(sf, raw.bytes_read, fr.rows_read)
    fr.reasons = dict(reasons.most_common())


def _check_timezone(ws: Workspace, tz: str, manifest: Path) -> None:
    """A workspace holds wall-clock times of one zone: refuse data declared in another."""
    stored = ws.manifest.get("timezone")
    if stored is not None and stored != tz and ws.tables():
        raise InputError(
            f"time zone {tz!r} differs from the workspace's {stored!r}; "
            "ingest into a new workspace or fix the manifest",
            file=str(manifest),
            field="timezone",
        )


def _local_now(now: datetime | None, tz: str) -> datetime:
    """Ingestion time as naive wall-clock time in ``tz`` (naive ``now`` is taken as local)."""
    if now is None:
        now = datetime.now(ZoneInfo(tz))
    if now.tzinfo is not None:
        now = now.astimezone(ZoneInfo(tz)).replace(tzinfo=None)
    return now


class _Tracker:
    """Turns per-file byte positions into run-wide progress calls."""

    def __init__(
        self, progress: ProgressCallback | None, events: EventCallback | None, total: int
    ) -> None:
        self.progress, self.events, self.total, self.done = progress, events, total, 0
        #: Byte position of every file being read (lanes read several at once).
        self._reading: dict[Path, int] = {}
        # Lanes report concurrently; callbacks (a progress bar) are called one at a time.
        self._lock = threading.Lock()

    def update(self, sf: SourceFile, position: int, rows: int, stage: str = "read") -> None:
        with self._lock:
            self._reading[sf.path] = min(position, sf.size)
            self._emit(sf, stage, self.done + sum(self._reading.values()), rows)

    def finish(self, sf: SourceFile, stage: str, rows: int) -> None:
        with self._lock:
            self._reading.pop(sf.path, None)
            self.done += sf.size
            self._emit(sf, stage, self.done + sum(self._reading.values()), rows)

    def _emit(self, sf: SourceFile, stage: str, done: int, rows: int) -> None:
        if self.progress is not None:
            self.progress("ingest", done, self.total)
        if self.events is not None:
            self.events(IngestProgress(sf.table, sf.name, stage, done, self.total, rows))
