"""The quarantine: every rejected input row, with where it came from and why it was rejected.

Files live under ``WS/quarantine/TABLE/*.parquet`` with :data:`QUARANTINE_SCHEMA`; one row per
rejected input row (its first failing field), duplicates included with reason
``duplicate <key>``. ``raw`` is the row as JSON: the canonical columns as read for rejected
rows, the header-to-field mapping for malformed CSV lines, and the stored (normalised) values
for duplicates. Raw ID numbers found where a hash belongs are written as ``<redacted>``.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from fraudwall.contract import Table
from fraudwall.ingest.readers import BadLine
from fraudwall.ingest.validate import REDACTED, redact_raw_ids

QUARANTINE_SCHEMA = pa.schema(
    [
        pa.field("table", pa.string()),
        pa.field("file", pa.string()),
        pa.field("row", pa.int64()),
        pa.field("field", pa.string()),
        pa.field("reason", pa.string()),
        pa.field("value", pa.string()),
        pa.field("raw", pa.string()),
    ]
)
WRONG_FIELD_COUNT = "wrong number of fields"


class QuarantineWriter:
    """Appends quarantine entries of one input file to one Parquet file, opened on first use."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.rows = 0
        self._writer: pq.ParquetWriter | None = None

    def write(self, entries: pa.Table) -> None:
        if entries.num_rows == 0:
            return
        if self._writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._writer = pq.ParquetWriter(self.path, QUARANTINE_SCHEMA, compression="zstd")
        self._writer.write_table(entries.cast(QUARANTINE_SCHEMA))
        self.rows += entries.num_rows

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None


def per_row(con: duckdb.DuckDBPyConnection, data: pa.Table, expr: str) -> pa.Array:
    """The SQL ``expr`` evaluated by DuckDB on every row of ``data``, as strings, in order."""
    if data.num_rows == 0:
        return pa.array([], pa.string())
    # A projection keeps the input order when DuckDB is asked to (cheaper than sorting by a
    # row index); the connection's own setting is restored after.
    rows = con.execute("SELECT current_setting('preserve_insertion_order')").fetchall()
    kept = bool(rows and rows[0][0])
    con.register("__rows", data)
    try:
        con.execute("SET preserve_insertion_order = true")
        out = con.sql(f"SELECT {expr} AS v FROM __rows t").to_arrow_table()
    finally:
        con.execute(f"SET preserve_insertion_order = {str(kept).lower()}")
        con.unregister("__rows")
    return out.column("v").combine_chunks().cast(pa.string())


def rows_as_json(con: duckdb.DuckDBPyConnection, rows: pa.Table | pa.RecordBatch) -> pa.Array:
    """Each row as a JSON object (column name -> value), in order."""
    table = pa.Table.from_batches([rows]) if isinstance(rows, pa.RecordBatch) else rows
    fields = ", ".join(f"{ident(n)} := t.{ident(n)}" for n in table.schema.names)
    return per_row(con, table, f"to_json(struct_pack({fields}))")


def rejected_entries(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    file: str,
    batch: pa.RecordBatch,
    rejected: pa.Table,
    positions: pa.Array,
) -> pa.Table:
    """Quarantine entries for the rejected rows of one batch (``rejected`` from validation)."""
    taken = redact_raw_ids(table, batch.take(positions))
    return entries(table, file, rejected, rows_as_json(con, taken))


def bad_line_entries(table: Table, file: str, header: list[str], lines: list[BadLine]) -> pa.Table:
    """Quarantine entries for malformed CSV lines (Python per line: Arrow hands them one by one)."""
    raws, values = [], []
    for line in lines:
        fields = next(csv.reader([line.text]), [])
        raw: dict[str, object] = dict(zip(header, fields, strict=False))
        if len(fields) > len(header):
            raw["_extra"] = fields[len(header) :]
        raws.append(json.dumps(raw, ensure_ascii=False, separators=(",", ":")))
        values.append(f"{line.fields} fields, expected {line.expected}")
    # Malformed lines have no parsed columns to redact by name: redact ID-like fields anywhere.
    raw_arr = pc.replace_substring_regex(
        pa.array(raws, pa.string()), r'"\d{17}[\dXx]"', json.dumps(REDACTED)
    )
    found = pa.table(
        {
            "row": pa.array([line.row for line in lines], pa.int64()),
            "field": pa.nulls(len(lines), pa.string()),
            "reason": repeat(WRONG_FIELD_COUNT, len(lines)),
            "value": pa.array(values, pa.string()),
        }
    )
    return entries(table, file, found, raw_arr)


def entries(table: Table, file: str, found: pa.Table, raw: pa.Array) -> pa.Table:
    """Quarantine entries from ``found`` (``row, field, reason, value``) and the raw JSON."""
    n = found.num_rows
    return pa.table(
        {
            "table": repeat(table.name, n),
            "file": repeat(file, n),
            "row": found.column("row"),
            "field": found.column("field"),
            "reason": found.column("reason"),
            "value": found.column("value"),
            "raw": raw,
        },
        schema=QUARANTINE_SCHEMA,
    )


def repeat(text: str | None, n: int) -> pa.Array:
    """A string array of ``n`` times ``text`` (vectorised)."""
    nulls = pa.nulls(n, pa.string())
    return nulls if text is None else pc.fill_null(nulls, text)


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
