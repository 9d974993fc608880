"""A workspace: where ingested data, quarantine and run artefacts live on disk.

Layout::

    WS/manifest.json                      time zone and other settings of the data
    WS/ingest_log.json                    every ingested file: content hash, counts
    WS/store/TABLE/day=YYYY-MM-DD/*.parquet   time-partitioned tables (calls, sms, ...)
    WS/store/TABLE/*.parquet              tables without a time column (subscribers, cells)
    WS/quarantine/TABLE/*.parquet         rejected rows with file, row, field and reason

Readers never see a half-written batch: writers stage files under ``WS/.staging`` and move
them into ``store/`` only when the batch is complete (see :meth:`Workspace.commit`). One
process writes at a time: ingestion and runs hold ``WS/.lock`` (see :meth:`Workspace.writing`).
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from filelock import FileLock, Timeout

from fraudwall.contract import TABLES
from fraudwall.errors import WorkspaceBusy, WorkspaceError

DEFAULT_TIMEZONE = "Asia/Shanghai"


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

    def parquet_files(self, name: str) -> list[Path]:
        """Every committed Parquet file of a table, in a stable order."""
        d = self.table_dir(name)
        return sorted(d.rglob("*.parquet")) if d.is_dir() else []

    def has(self, name: str) -> bool:
        """Whether the table holds at least one committed file."""
        return bool(self.parquet_files(name))

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
                "(ingest or run); wait for it to finish"
            ) from None
        try:
            yield
        finally:
            lock.release()

    @contextmanager
    def staging(self) -> Iterator[Path]:
        """A private directory for a batch; removed whatever happens, committed by ``commit``."""
        d = self.path / ".staging" / uuid.uuid4().hex
        d.mkdir(parents=True)
        try:
            yield d
        finally:
            shutil.rmtree(d, ignore_errors=True)

    def commit(self, staged: Path, target: Path) -> list[Path]:
        """Move every file under ``staged`` to the same relative place under ``target``.

        Renames within one file system are atomic per file; a batch's files become visible
        together only after all were written, and a crash leaves at worst whole files.
        """
        moved = []
        for src in sorted(staged.rglob("*.parquet")):
            dst = target / src.relative_to(staged)
            dst.parent.mkdir(parents=True, exist_ok=True)
            os.replace(src, dst)
            moved.append(dst)
        return moved

    def write_table(self, name: str, table: pa.Table, *, replace: bool = True) -> Path:
        """Write a whole table as one file (tests, small reference tables, derived tables).

        The table is cast to the canonical schema where the name is a canonical table.
        """
        if name in TABLES:
            table = conform(table, TABLES[name].arrow_schema())
        d = self.table_dir(name)
        if replace and d.exists():
            shutil.rmtree(d)
        with self.staging() as s:
            pq.write_table(table, s / f"part-{uuid.uuid4().hex}.parquet")
            (path,) = self.commit(s, d)
        return path


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


def _atomic_write_text(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + f".{uuid.uuid4().hex}.tmp")
    tmp.write_text(text, "utf-8")
    os.replace(tmp, path)
