"""Duplicate removal in DuckDB (which spills to disk), against the file itself and the store.

Records are keyed by the table's key (``record_id``, ``msisdn``, ...) or, for keyless tables,
by an MD5 of the row's canonical values. Of the rows sharing a key, the first input row is
kept unless the store already holds the key; every other row is a duplicate: it is removed
from the staged store files and quarantined with reason ``duplicate <key>``. DuckDB only reads
the small row map written next to the staged files; a staged file is rewritten only when it
holds a duplicate.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from fraudwall.contract import Table
from fraudwall.ingest.quarantine import (
    QuarantineWriter,
    entries,
    ident,
    per_row,
    repeat,
    rows_as_json,
)
from fraudwall.ingest.writer import DAY, StagedStore

#: Memory DuckDB may use before spilling (``FRAUDWALL_DUCKDB_MEMORY`` overrides).
DEFAULT_MEMORY = "1GB"
_REWRITE_BATCH = 65_536


def connect(database: Path) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with a memory limit, spilling next to ``database``."""
    spill = database.parent / "spill"
    spill.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(
        str(database),
        config={
            "memory_limit": os.environ.get("FRAUDWALL_DUCKDB_MEMORY", DEFAULT_MEMORY),
            "threads": os.cpu_count() or 1,
            "temp_directory": str(spill),
            "preserve_insertion_order": False,
        },
    )
    con.execute("SET enable_progress_bar = false")  # it would write to our stdout
    return con


@dataclass(frozen=True)
class DedupResult:
    accepted: int
    duplicates: int


def duplicate_reason(table: Table) -> str:
    """The quarantine reason of a duplicate row of ``table``."""
    return f"duplicate {table.key}" if table.key else "duplicate row"


def content_keys(con: duckdb.DuckDBPyConnection, table: Table, data: pa.Table) -> pa.Array:
    """MD5 (hex) of each row's canonical values: the record key of a keyless table."""
    return per_row(con, data, f"md5({_content_json(table)})")


def record_keys(con: duckdb.DuckDBPyConnection, table: Table, data: pa.Table) -> pa.Array:
    """The record key of every row of ``data`` (stored schema), as strings."""
    if table.key:
        return data.column(table.key).combine_chunks().cast(pa.string())
    return content_keys(con, table, data)


def deduplicate(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    staged: StagedStore,
    store_files: list[Path],
    quarantine: QuarantineWriter,
    *,
    file: str,
) -> DedupResult:
    """Remove duplicates from ``staged`` (closed) and quarantine them; returns the counts.

    ``store_files`` are the table's committed files.
    """
    if staged.rows == 0:
        return DedupResult(0, 0)
    rows = f"read_parquet({_lit(staged.row_map)})"
    existing = _store_keys(table, staged, store_files)
    anti = f"ANTI JOIN ({existing}) s ON c._key = s._key" if existing else ""
    con.execute(
        f"CREATE OR REPLACE TABLE keep AS SELECT min(c._row) AS _row FROM {rows} c {anti} "
        "GROUP BY c._key"
    )
    accepted = _count(con, "SELECT count(*) FROM keep")
    duplicates = staged.rows - accepted
    if duplicates:
        con.execute(
            f"CREATE OR REPLACE TABLE dups AS SELECT c._file, c._pos, c._row FROM {rows} c "
            "ANTI JOIN keep k ON c._row = k._row"
        )
        file_ids = [int(f) for (f,) in con.execute("SELECT DISTINCT _file FROM dups").fetchall()]
        for file_id in sorted(file_ids):
            hits = con.sql(f"SELECT _pos, _row FROM dups WHERE _file = {file_id} ORDER BY _pos")
            found = hits.to_arrow_table()
            _rewrite_without(
                con,
                table,
                staged.files[file_id],
                found.column("_pos").to_numpy(),
                found.column("_row").to_numpy(),
                quarantine,
                file,
            )
        con.execute("DROP TABLE dups")
    con.execute("DROP TABLE keep")
    return DedupResult(accepted, duplicates)


def _rewrite_without(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    path: Path,
    positions: np.ndarray,
    rows: np.ndarray,
    quarantine: QuarantineWriter,
    file: str,
) -> None:
    """Stream ``path`` into a new file without the rows at ``positions`` (sorted); quarantine
    those rows (``rows`` are their input row numbers)."""
    source = pq.ParquetFile(path)
    target = path.with_name(f"{path.stem}-d.parquet")
    writer: pq.ParquetWriter | None = None
    offset = 0
    try:
        for batch in source.iter_batches(batch_size=_REWRITE_BATCH):
            pos = np.arange(offset, offset + batch.num_rows)
            offset += batch.num_rows
            at = np.searchsorted(positions, pos)
            hit = at < len(positions)
            hit[hit] = positions[at[hit]] == pos[hit]
            if hit.any():
                dup = pa.Table.from_batches([batch.filter(pa.array(hit))])
                quarantine.write(_duplicate_entries(con, table, file, dup, rows[at[hit]]))
            kept = batch.filter(pa.array(~hit))
            if kept.num_rows:
                if writer is None:
                    writer = pq.ParquetWriter(target, source.schema_arrow, compression="zstd")
                writer.write_batch(kept)
    finally:
        if writer is not None:
            writer.close()
        source.close()
    path.unlink()


def _duplicate_entries(
    con: duckdb.DuckDBPyConnection, table: Table, file: str, dup: pa.Table, rows: np.ndarray
) -> pa.Table:
    return entries(
        table,
        file,
        pa.table(
            {
                "row": pa.array(rows, pa.int64()),
                "field": repeat(table.key, dup.num_rows),
                "reason": repeat(duplicate_reason(table), dup.num_rows),
                "value": record_keys(con, table, dup),
            }
        ),
        rows_as_json(con, dup),
    )


def _store_keys(table: Table, staged: StagedStore, store_files: list[Path]) -> str | None:
    """A query of the keys of the committed rows that may clash with the staged ones."""
    files = store_files
    if table.key is None and table.time_column:
        # A keyless row's hash includes its time, so only the same days can hold a duplicate.
        wanted = {f"{DAY}={d}" for d in staged.days}
        files = [f for f in files if f.parent.name in wanted]
    if not files:
        return None
    listing = ", ".join(_lit(f) for f in files)
    key = ident(table.key) if table.key else f"md5({_content_json(table)})"
    return f"SELECT {key} AS _key FROM read_parquet([{listing}], hive_partitioning = false)"


def _content_json(table: Table) -> str:
    """The row's canonical values as a JSON list: identical content gives identical text.

    A list of the values as text, in the contract's column order (JSON escapes them and keeps
    nulls apart from text): half the bytes to hash of an object naming every field.
    """
    values = ", ".join(f"CAST({ident(n)} AS VARCHAR)" for n in table.names)
    return f"to_json([{values}])"


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row else 0


def _lit(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"
