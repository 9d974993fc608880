"""A workspace: where ingested data, quarantine and run artefacts live on disk.

Layout::

    WS/manifest.json                      time zone and other settings of the data
    WS/ingest_log.json                    every ingested file: content hash, counts
    WS/store/TABLE/day=YYYY-MM-DD/*.parquet   time-partitioned tables (calls, sms, ...)
    WS/store/TABLE/*.parquet              tables without a time column (subscribers, cells)
    WS/quarantine/TABLE/*.parquet         rejected rows with file, row, field and reason

Readers never see a half-written batch: writers stage files under ``WS/.staging``, fsync them,
and move them into place through a journal (:meth:`Workspace.apply`): ``WS/.journal/ID.json``
lists every rename of the change and is written (and fsynced) before the first one. A crash
before the journal exists leaves the workspace as before; a crash after it is rolled forward by
:meth:`Workspace.recover` (run whenever the write lock is taken), so the workspace is always as
before or as after a change, never between. A table rewrite puts the new version in place
before the old one goes. One process writes at a time: ingestion, detection and pruning hold
``WS/.lock`` (see :meth:`Workspace.writing`).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import uuid
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from time import time_ns
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from filelock import FileLock, Timeout

from fraudwall.contract import TABLES
from fraudwall.errors import WorkspaceBusy, WorkspaceError

DEFAULT_TIMEZONE = "Asia/Shanghai"
#: Partition folders of time-partitioned tables: ``day=YYYY-MM-DD``.
DAY_PREFIX = "day="
#: Test hook: kill the process at the Nth crash point (see :func:`crash_point`).
CRASH_ENV = "FRAUDWALL_CRASH_AT"
_crash_count = 0


def crash_point() -> None:
    """A place where a crash must leave the workspace as before or as after the change.

    When the environment variable ``FRAUDWALL_CRASH_AT`` is ``N``, the Nth crash point
    reached by the process kills it with SIGKILL (no clean-up runs), which is how the
    fault-injection tests stop a writer exactly between two steps.
    """
    global _crash_count
    at = os.environ.get(CRASH_ENV)
    if not at:
        return
    _crash_count += 1
    if _crash_count == int(at):
        os.kill(os.getpid(), signal.SIGKILL)


@dataclass(frozen=True)
class Move:
    """One rename of a change: ``src`` to ``dst``.

    ``replace`` moves overwrite ``dst`` (a staged file replacing a file); the others need
    ``dst`` absent (a directory moved aside or into place), which makes replaying them safe.
    """

    src: Path
    dst: Path
    replace: bool = False


class Workspace:
    """A directory holding the store of one operator's ingested data."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    # -- layout -------------------------------------------------------------------------------
    @property
    def store_dir(self) -> Path:
        return self.path / "store"

    @property
    def quarantine_dir(self) -> Path:
        return self.path / "quarantine"

    def table_dir(self, name: str) -> Path:
        return self.store_dir / name

    def parquet_files(self, name: str, days: Collection[str] | None = None) -> list[Path]:
        """Every committed Parquet file of a table, in a stable order.

        With ``days`` (``YYYY-MM-DD``), only those day partitions are listed (and the table's
        unpartitioned files, if any): the other days are not even looked at.
        """
        d = self.table_dir(name)
        if not d.is_dir():
            return []
        if days is None:
            return sorted(d.rglob("*.parquet"))
        files = sorted(d.glob("*.parquet"))
        for day in sorted(days):
            files += sorted((d / f"{DAY_PREFIX}{day}").glob("*.parquet"))
        return files

    def days(self, name: str) -> list[str]:
        """The day partitions (``YYYY-MM-DD``) of a table that hold files, in order."""
        d = self.table_dir(name)
        if not d.is_dir():
            return []
        return sorted(
            p.name.removeprefix(DAY_PREFIX)
            for p in d.iterdir()
            if p.name.startswith(DAY_PREFIX) and any(p.glob("*.parquet"))
        )

    def has(self, name: str) -> bool:
        """Whether the table holds at least one committed file."""
        d = self.table_dir(name)
        return d.is_dir() and next(d.rglob("*.parquet"), None) is not None

    def tables(self) -> list[str]:
        """Names of the canonical tables present in the store."""
        return [name for name in TABLES if self.has(name)]

    def glob(self, name: str) -> str:
        """A glob over the table's files that engines understand."""
        if not self.has(name):
            raise WorkspaceError(f"workspace {self.path} has no table {name!r}; ingest it first")
        partitioned = any(p.parent != self.table_dir(name) for p in self.parquet_files(name))
        return str(self.table_dir(name) / ("**/*.parquet" if partitioned else "*.parquet"))

    # -- settings -----------------------------------------------------------------------------
    @property
    def manifest(self) -> dict[str, Any]:
        p = self.path / "manifest.json"
        return json.loads(p.read_text("utf-8")) if p.exists() else {}

    @property
    def timezone(self) -> str:
        return str(self.manifest.get("timezone", DEFAULT_TIMEZONE))

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        _atomic_write_text(self.path / "manifest.json", json.dumps(manifest, indent=2))

    # -- writing ------------------------------------------------------------------------------
    @contextmanager
    def writing(self, *, wait_s: float = 0) -> Iterator[None]:
        """Hold the workspace's write lock (``WS/.lock``) for the block.

        Two ingests into one workspace would each deduplicate against a store the other is
        changing; the lock makes the second one fail (after ``wait_s`` seconds) with
        :class:`~fraudwall.errors.WorkspaceBusy` instead. The operating system releases the
        lock when its process dies, so a crash never leaves the workspace locked. Re-entrant
        within a process: a run holds it and the ingestion inside the run takes it again.
        """
        self.path.mkdir(parents=True, exist_ok=True)
        lock = FileLock(self.path.resolve() / ".lock", is_singleton=True, thread_local=False)
        try:
            lock.acquire(timeout=wait_s)
        except Timeout:
            raise WorkspaceBusy(
                f"workspace {self.path} is being written by another fraudwall process "
                "(ingest, detect, prune or daily); wait for it to finish"
            ) from None
        try:
            if lock.lock_counter == 1:
                self.recover()
            yield
        finally:
            lock.release()

    # -- journalled changes -------------------------------------------------------------------
    @property
    def journal_dir(self) -> Path:
        return self.path / ".journal"

    def apply(self, moves: Iterable[Move], *, discard: Iterable[Path] = ()) -> None:
        """Make a change of several renames atomic: all of them happen, or none.

        Every source must be fully written; files are fsynced here. The journal is written
        before the first rename; after the last one, ``discard`` (old versions moved aside)
        is deleted and the journal removed. A crash in between is rolled forward by
        :meth:`recover`.
        """
        moves, discard = list(moves), list(discard)
        for m in moves:
            _fsync_tree(m.src)
        self.journal_dir.mkdir(parents=True, exist_ok=True)
        journal = self.journal_dir / f"{time_ns()}-{uuid.uuid4().hex[:8]}.json"
        body = {
            "moves": [[os.path.abspath(m.src), os.path.abspath(m.dst), m.replace] for m in moves],
            "discard": [os.path.abspath(p) for p in discard],
        }
        crash_point()
        _atomic_write_text(journal, json.dumps(body), fsync=True)
        crash_point()
        _replay(body)
        journal.unlink()
        _fsync_dir(self.journal_dir)
        crash_point()

    def recover(self) -> list[str]:
        """Roll forward changes a crash interrupted; drop staging and trash left behind.

        Called whenever a process takes the write lock; returns what was rolled forward.
        """
        done = []
        if self.journal_dir.is_dir():
            for journal in sorted(self.journal_dir.glob("*.json")):
                _replay(json.loads(journal.read_text("utf-8")))
                journal.unlink()
                done.append(journal.name)
            for tmp in self.journal_dir.glob("*.tmp"):
                tmp.unlink()  # a journal never completed: its change never started
        for leftover in (self.path / ".staging", self.path / ".trash"):
            shutil.rmtree(leftover, ignore_errors=True)
        return done

    def trash_path(self) -> Path:
        """A fresh place to move an old version aside before it is deleted."""
        return self.path / ".trash" / uuid.uuid4().hex

    @contextmanager
    def staging(self) -> Iterator[Path]:
        """A private directory for a batch; removed whatever happens, committed by ``commit``."""
        d = self.path / ".staging" / uuid.uuid4().hex
        d.mkdir(parents=True)
        try:
            yield d
        finally:
            # A change that failed half-way keeps its journal and its staged sources: the next
            # writer rolls it forward (see recover), so they must not be deleted here.
            if not (self.journal_dir.is_dir() and any(self.journal_dir.glob("*.json"))):
                shutil.rmtree(d, ignore_errors=True)

    @staticmethod
    def moves(staged: Path, target: Path) -> list[Move]:
        """Moves of every file under ``staged`` to the same relative place under ``target``."""
        return [
            Move(src, target / src.relative_to(staged), replace=True)
            for src in sorted(staged.rglob("*.parquet"))
        ]

    def commit(self, staged: Path, target: Path) -> list[Path]:
        """Move every file under ``staged`` to the same relative place under ``target``,
        all or nothing (see :meth:`apply`)."""
        moves = self.moves(staged, target)
        self.apply(moves)
        return [m.dst for m in moves]

    def write_table(self, name: str, table: pa.Table, *, replace: bool = True) -> Path:
        """Write a whole table as one file (tests, small reference tables, derived tables).

        The table is cast to the canonical schema where the name is a canonical table. With
        ``replace``, the new version is written and fsynced first, the old one moved aside,
        the new one moved into place, and only then is the old one deleted.
        """
        if name in TABLES:
            table = conform(table, TABLES[name].arrow_schema())
        d = self.table_dir(name)
        with self.staging() as s:
            fresh = s / name
            fresh.mkdir()
            path = fresh / f"part-{uuid.uuid4().hex}.parquet"
            pq.write_table(table, path)
            if replace and d.exists():
                old = self.trash_path()
                old.mkdir(parents=True)
                self.apply([Move(d, old / name), Move(fresh, d)], discard=[old])
            else:
                (path,) = self.commit(fresh, d)
                return path
        return d / path.name


def conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """Cast ``table`` to ``schema``: missing optional columns become nulls, extras are kept."""
    cols, fields = [], []
    for f in schema:
        if f.name in table.column_names:
            cols.append(table[f.name].cast(f.type))
        else:
            cols.append(pa.nulls(table.num_rows, f.type))
        fields.append(f)
    for name in table.column_names:
        if name not in schema.names:
            cols.append(table[name])
            fields.append(table.schema.field(name))
    return pa.Table.from_arrays(cols, schema=pa.schema(fields))


def _atomic_write_text(path: Path, text: str, *, fsync: bool = False) -> None:
    tmp = path.with_suffix(path.suffix + f".{uuid.uuid4().hex}.tmp")
    with tmp.open("w", encoding="utf-8") as f:
        f.write(text)
        if fsync:
            f.flush()
            os.fsync(f.fileno())
    os.replace(tmp, path)
    if fsync:
        _fsync_dir(path.parent)


def _replay(body: dict[str, Any]) -> None:
    """Do the renames of a journal that are not done yet, then delete what it discards."""
    touched: set[Path] = set()
    for src_s, dst_s, replace in body["moves"]:
        src, dst = Path(src_s), Path(dst_s)
        if not src.exists() or (not replace and dst.exists()):
            continue  # done before the crash
        dst.parent.mkdir(parents=True, exist_ok=True)
        os.replace(src, dst)
        touched.update((src.parent, dst.parent))
        crash_point()
    for d in touched:
        if d.exists():
            _fsync_dir(d)
    for p in body.get("discard", []):
        shutil.rmtree(p, ignore_errors=True)


def _fsync_tree(path: Path) -> None:
    """fsync a file, or every file under a directory, and the directories themselves."""
    if path.is_dir():
        for p in path.rglob("*"):
            if p.is_file():
                _fsync_file(p)
        for d in [path, *(p for p in path.rglob("*") if p.is_dir())]:
            _fsync_dir(d)
    elif path.exists():
        _fsync_file(path)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
