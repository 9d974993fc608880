"""Accepted rows written once, straight into the store layout, under a staging directory.

Rows go to ``day=YYYY-MM-DD/`` files by the table's time column (local date), or to one flat
file for tables without one, in input order. Next to them a small *row map*
(``rows.parquet``: record key, input row, file, position in file) lets DuckDB find duplicates
without reading the data again; the rare file that holds duplicates is then rewritten without
them (:func:`fraudwall.ingest.dedup.deduplicate`).

Rows are buffered per day so that row groups are large, within a memory budget, and at most
:data:`MAX_OPEN` files are open at a time (a day evicted and met again continues in a new file).
Encoding and compressing Parquet is the costliest step of ingestion; it runs on one background
thread (Arrow releases the GIL), in order, while the caller validates the next batch.
"""

from __future__ import annotations

import uuid
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from fraudwall.contract import Table
from fraudwall.ingest.validate import ROW, stored_schema

#: Rows per row group in store files (a day's buffer is flushed when it reaches this).
ROW_GROUP_ROWS = 131_072
#: Memory for buffered rows of all days together; the biggest buffers are flushed beyond it.
BUFFER_BYTES = 256 << 20
#: Store files open at once.
MAX_OPEN = 64
#: Writes queued on the background thread before the caller waits (bounds buffered memory).
MAX_PENDING = 3
DAY = "day"

ROW_MAP_SCHEMA = pa.schema(
    [
        pa.field("_key", pa.string()),
        pa.field(ROW, pa.int64()),
        pa.field("_file", pa.int32()),
        pa.field("_pos", pa.int64()),
    ]
)


@dataclass
class _Part:
    """The open file of one day (or the flat table)."""

    file_id: int
    path: Path
    rows: int = 0
    buffer: list[pa.Table] = field(default_factory=list)
    buffered: int = 0
    writer: pq.ParquetWriter | None = None
    last_used: int = 0


class StagedStore:
    """Writes one input file's accepted rows in the store layout under ``root``.

    ``row_map`` (outside ``root``, which is committed as a whole) receives the row map.
    """

    def __init__(self, root: Path, row_map: Path, table: Table, prefix: str) -> None:
        self.root, self.table, self.prefix = root, table, prefix
        self.schema = stored_schema(table)
        # A record key is unique: a dictionary of it only costs time.
        self._dictionary = [n for n in self.schema.names if n != table.key]
        #: Every file written, by file id (the row map's ``_file``).
        self.files: list[Path] = []
        #: Days (``YYYY-MM-DD``) that received rows.
        self.days: set[str] = set()
        self.rows = 0
        self.row_map = row_map
        self._parts: dict[str, _Part] = {}
        self._tick = 0
        root.mkdir(parents=True, exist_ok=True)
        # The row map is read once by DuckDB and then deleted: keys are unique, so neither
        # dictionary encoding nor compression pays for itself.
        self._map = pq.ParquetWriter(
            self.row_map, ROW_MAP_SCHEMA, compression="none", use_dictionary=False
        )
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fraudwall-write")
        self._pending: deque[Future[None]] = deque()
        self._closed = False

    def write(self, accepted: pa.Table, keys: pa.Array) -> None:
        """Append accepted rows (stored schema + ``_row``) with their record keys."""
        if accepted.num_rows == 0:
            return
        data = accepted.select(self.schema.names).cast(self.schema)
        rows = accepted.column(ROW)
        maps = []
        data, rows, keys, runs = self._by_day(data, rows, keys)
        for name, start, n in runs:
            chunk = data.slice(start, n)
            part = self._part(name)
            maps.append(
                pa.table(
                    {
                        "_key": keys.slice(start, n),
                        ROW: rows.slice(start, n),
                        "_file": pa.array(np.full(n, part.file_id, dtype=np.int32)),
                        "_pos": pa.array(np.arange(part.rows, part.rows + n, dtype=np.int64)),
                    },
                    schema=ROW_MAP_SCHEMA,
                )
            )
            part.rows += n
            part.buffer.append(chunk)
            part.buffered += n
            if part.buffered >= ROW_GROUP_ROWS:
                self._flush(part)
        self._submit(self._map.write_table, pa.concat_tables(maps))
        self.rows += accepted.num_rows
        self._keep_within_budget()

    def close(self) -> None:
        """Flush every buffer, close every file and wait for the writes; a failed write
        raises here."""
        if self._closed:
            return
        self._closed = True
        try:
            for name in list(self._parts):
                self._evict(name)
            if self._map.is_open:
                self._submit(self._map.close)
            while self._pending:
                self._pending.popleft().result()
        finally:
            self._pool.shutdown(wait=True)

    def _submit(self, fn: Callable[..., None], *args: object) -> None:
        """Run ``fn(*args)`` on the write thread, after every earlier write."""
        if len(self._pending) >= MAX_PENDING:
            self._pending.popleft().result()
        self._pending.append(self._pool.submit(fn, *args))

    # -- internals ---------------------------------------------------------------------------
    def _by_day(
        self, data: pa.Table, rows: pa.ChunkedArray, keys: pa.Array
    ) -> tuple[pa.Table, pa.ChunkedArray, pa.Array, list[tuple[str, int, int]]]:
        """Rows sorted by day (stable) and the (day, start, length) runs; one run if flat."""
        if self.table.time_column is None:
            return data, rows, keys, [("", 0, data.num_rows)]
        dates = pc.cast(data.column(self.table.time_column), pa.date32()).combine_chunks()
        days = dates.cast(pa.int32()).to_numpy()
        if (days == days[0]).all():
            order = None
        else:
            order = pa.array(np.argsort(days, kind="stable"))
            data, rows, keys = data.take(order), rows.take(order), keys.take(order)
            dates, days = dates.take(order), days[order.to_numpy()]
        starts = np.concatenate([[0], np.flatnonzero(np.diff(days)) + 1])
        lengths = np.diff(np.append(starts, len(days)))
        names = [str(d) for d in dates.take(pa.array(starts)).to_pylist()]
        self.days.update(names)
        return data, rows, keys, list(zip(names, starts.tolist(), lengths.tolist(), strict=True))

    def _part(self, name: str) -> _Part:
        self._tick += 1
        part = self._parts.get(name)
        if part is None:
            if len(self._parts) >= MAX_OPEN:
                self._evict(min(self._parts, key=lambda k: self._parts[k].last_used))
            folder = self.root / f"{DAY}={name}" if name else self.root
            path = folder / f"{self.prefix}-{len(self.files):05d}-{uuid.uuid4().hex[:8]}.parquet"
            part = _Part(len(self.files), path)
            self.files.append(path)
            self._parts[name] = part
        part.last_used = self._tick
        return part

    def _flush(self, part: _Part) -> None:
        if not part.buffer:
            return
        if part.writer is None:
            part.path.parent.mkdir(parents=True, exist_ok=True)
            part.writer = pq.ParquetWriter(
                part.path, self.schema, compression="zstd", use_dictionary=self._dictionary
            )
        data = pa.concat_tables(part.buffer).combine_chunks()  # small chunks write slowly
        self._submit(part.writer.write_table, data, ROW_GROUP_ROWS)
        part.buffer, part.buffered = [], 0

    def _evict(self, name: str) -> None:
        part = self._parts.pop(name)
        self._flush(part)
        if part.writer is not None:
            self._submit(part.writer.close)

    def _keep_within_budget(self) -> None:
        sizes = {k: sum(t.nbytes for t in p.buffer) for k, p in self._parts.items()}
        total = sum(sizes.values())
        for name in sorted(sizes, key=sizes.__getitem__, reverse=True):
            if total <= BUFFER_BYTES:
                break
            self._flush(self._parts[name])
            total -= sizes[name]
