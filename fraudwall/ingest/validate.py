"""Vectorised validation of one batch against a canonical table.

A batch comes in as read (strings from CSV, native types from Parquet) and leaves as two
tables: the accepted rows in the stored schema, and one quarantine entry per rejected row. A row
is rejected for its *first* failing field in the contract's column order (one reason per row,
so the quarantine has exactly one row per rejected input row).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from fraudwall.contract import Column, Table
from fraudwall.errors import InputError
from fraudwall.ingest.normalize import clean_strings, normalize_domain, normalize_msisdn
from fraudwall.ingest.parse import as_strings, parse_floats, parse_ints, parse_times

#: Time stamps before this are rejected (no operator data predates it).
EARLIEST = datetime(2000, 1, 1)
#: A Chinese resident ID number (18 characters, last may be X): never stored, never quarantined.
_RAW_ID_RE = r"^\s*\d{17}[\dXx]\s*$"
REDACTED = "<redacted>"
#: Column that must hold a hash, never a raw ID document number.
_ID_HASH_COLUMN = "holder_id_hash"
ROW = "_row"


def raw_column(name: str) -> str:
    """Name of the sibling column that keeps the original text of a normalised number."""
    return f"{name}_raw"


def stored_schema(table: Table) -> pa.Schema:
    """Schema of a table in the store: the canonical columns, then ``<col>_raw`` for numbers.

    >>> from fraudwall.contract import TABLES
    >>> stored_schema(TABLES["calls"]).names[-2:]
    ['msisdn_raw', 'other_party_raw']
    """
    raws = [pa.field(raw_column(c.name), pa.string()) for c in table.columns if c.kind == "msisdn"]
    return pa.schema([*table.arrow_schema(), *raws])


@dataclass(frozen=True)
class Checks:
    """Settings of validation that do not come from the contract."""

    timezone: str
    #: Latest acceptable time stamp, naive local time (ingestion time plus one day).
    latest: datetime
    #: Key of ``--id-key-file``: raw ID numbers are replaced by a keyed hash as they are read.
    id_key: bytes | None = None


def check_header(table: Table, columns: list[str], file: str) -> tuple[list[str], list[str]]:
    """Split a file's columns into canonical ones and unknown ones; require required columns.

    Raises :class:`InputError` naming the file and the first missing required column.
    """
    missing = [c for c in table.required_columns if c not in columns]
    if missing:
        raise InputError(
            f"missing required column(s) {', '.join(missing)} of table {table.name!r}",
            file=file,
            field=missing[0],
        )
    known = [c for c in table.names if c in columns]
    unknown = [c for c in columns if c not in table.names]
    return known, unknown


@dataclass
class ValidatedBatch:
    """The outcome of validating one batch."""

    #: Accepted rows in :func:`stored_schema` plus ``_row`` (1-based data row number).
    accepted: pa.Table
    #: One row per rejected input row: ``row, field, reason, value``.
    rejected: pa.Table
    #: Positions of the rejected rows in the input batch (to build their raw JSON).
    positions: np.ndarray


class _Failures:
    """First failing field and its reason per row, filled column by column (never row by row)."""

    def __init__(self, n: int) -> None:
        self.field = np.full(n, -1, dtype=np.int32)
        self.reason = np.full(n, -1, dtype=np.int32)
        self.reasons: list[str] = []

    def add(self, column: int, bad: pa.Array | np.ndarray, reason: str) -> None:
        if isinstance(bad, pa.Array | pa.ChunkedArray):
            bad = pc.fill_null(bad, False).to_numpy(zero_copy_only=False)
        new = bad & (self.field < 0)
        if new.any():
            if reason not in self.reasons:
                self.reasons.append(reason)
            self.field[new] = column
            self.reason[new] = self.reasons.index(reason)


def _bad(ok: pa.Array) -> pa.Array:
    return pc.invert(pc.fill_null(ok, True))


def _allowed(values: pa.Array, allowed: tuple[str, ...]) -> tuple[pa.Array, pa.Array]:
    """Match allowed values case-insensitively and return them in the contract's spelling."""
    idx = pc.index_in(pc.utf8_lower(values), value_set=pa.array([a.lower() for a in allowed]))
    out = pc.take(pa.array(allowed, pa.string()), idx)
    ok = pc.if_else(pc.is_valid(values), pc.is_valid(idx), pa.scalar(None, pa.bool_()))
    return out, ok


def validate_batch(
    table: Table, batch: pa.RecordBatch, rows: np.ndarray, checks: Checks
) -> ValidatedBatch:
    """Parse, normalise and check one batch; split it into accepted and rejected rows.

    ``batch`` holds (a subset of) the table's columns under their canonical names; absent
    optional columns become nulls. ``rows`` gives the 1-based data row number of each row.
    """
    n = batch.num_rows
    fails = _Failures(n)
    out: dict[str, pa.Array] = {}
    texts: dict[str, pa.Array] = {}
    redact: dict[str, pa.Array] = {}
    for j, col in enumerate(table.columns):
        present = col.name in batch.schema.names
        src = batch.column(col.name) if present else pa.nulls(n, pa.string())
        # Typed columns (Parquet) are turned into text only where a rejected row needs it.
        text = as_strings(src) if col.dtype == "string" else src
        texts[col.name] = text
        values = _parse_column(table, col, src, text, out, checks, fails, j)
        if col.required:
            fails.add(j, pc.is_null(values), "missing value")
        if col.min is not None:
            fails.add(j, pc.less(values, col.min), f"below minimum {col.min:g}")
        if col.max is not None:
            fails.add(j, pc.greater(values, col.max), f"above maximum {col.max:g}")
        if col.dtype == "timestamp":
            fails.add(j, pc.less(values, EARLIEST), f"before {EARLIEST:%Y-%m-%d}")
            fails.add(j, pc.greater(values, checks.latest), "more than a day in the future")
        if col.name == _ID_HASH_COLUMN or (table.name == "labels" and col.name == "entity_id"):
            looks_raw = pc.match_substring_regex(text, _RAW_ID_RE)
            if col.name == "entity_id":
                looks_raw = pc.and_(looks_raw, pc.equal(out["entity_type"], _ID_HASH_COLUMN))
            fails.add(j, looks_raw, "raw ID number where a hash is expected")
            redact[col.name] = looks_raw
        out[col.name] = values
        if col.kind == "msisdn":
            out[raw_column(col.name)] = text

    keep = fails.field < 0
    schema = stored_schema(table)
    everything = bool(keep.all())  # the usual case: no copy
    accepted = pa.Table.from_arrays(
        [(out[f.name] if everything else pc.filter(out[f.name], keep)).cast(f.type) for f in schema]
        + [pa.array(rows[keep], pa.int64())],
        schema=schema.append(pa.field(ROW, pa.int64())),
    )
    positions = np.flatnonzero(~keep)
    rejected = _rejected(table, fails, positions, rows, texts, redact)
    return ValidatedBatch(accepted, rejected, positions)


def _parse_column(
    table: Table,
    col: Column,
    src: pa.Array,
    text: pa.Array,
    parsed: dict[str, pa.Array],
    checks: Checks,
    fails: _Failures,
    j: int,
) -> pa.Array:
    """Typed, normalised values of one column; records unparseable values in ``fails``."""
    if col.dtype == "int":
        values, ok = parse_ints(src)
        fails.add(j, _bad(ok), "not an integer")
    elif col.dtype == "float":
        values, ok = parse_floats(src)
        fails.add(j, _bad(ok), "not a number")
    elif col.dtype == "timestamp":
        values, ok = parse_times(src, checks.timezone)
        fails.add(j, _bad(ok), "not a time stamp")
    elif col.kind == "msisdn":
        values, ok = normalize_msisdn(text)
        fails.add(j, _bad(ok), "not a phone number")
    elif col.kind == "domain":
        values = normalize_domain(text)
    elif table.name == "labels" and col.name == "entity_id":
        values = _entity_ids(text, parsed["entity_type"], fails, j)
    else:
        values = clean_strings(text)
    if col.allowed:
        values, ok = _allowed(values, col.allowed)
        fails.add(j, _bad(ok), f"not one of {', '.join(col.allowed)}")
    return values


def _entity_ids(text: pa.Array, entity_type: pa.Array, fails: _Failures, j: int) -> pa.Array:
    """Label entity ids normalised like the columns they refer to, so that labels join."""
    plain = clean_strings(text)
    numbers, ok = normalize_msisdn(text)
    is_number = pc.fill_null(pc.equal(entity_type, "msisdn"), False)
    fails.add(j, pc.and_(is_number, _bad(ok)), "not a phone number")
    is_domain = pc.fill_null(pc.equal(entity_type, "domain"), False)
    return pc.if_else(is_number, numbers, pc.if_else(is_domain, normalize_domain(text), plain))


def _rejected(
    table: Table,
    fails: _Failures,
    positions: np.ndarray,
    rows: np.ndarray,
    texts: dict[str, pa.Array],
    redact: dict[str, pa.Array],
) -> pa.Table:
    """The quarantine entries (without raw JSON) of the rejected rows, in input order."""
    field_idx = fails.field[positions]
    pieces_pos, pieces_val = [], []
    for j in np.unique(field_idx):
        name = table.columns[j].name
        at = positions[field_idx == j]
        value = as_strings(pc.take(texts[name], pa.array(at)))
        if name in redact:
            masked = pc.take(redact[name], pa.array(at))
            value = pc.if_else(pc.fill_null(masked, False), REDACTED, value)
        pieces_pos.append(at)
        pieces_val.append(value)
    if pieces_pos:
        order = np.argsort(np.concatenate(pieces_pos), kind="stable")
        values = pc.take(pa.concat_arrays([v.cast(pa.string()) for v in pieces_val]), order)
    else:
        values = pa.array([], pa.string())
    names = pa.array([c.name for c in table.columns], pa.string())
    reasons = pa.array(fails.reasons or [""], pa.string())
    return pa.table(
        {
            "row": pa.array(rows[positions], pa.int64()),
            "field": pc.take(names, pa.array(field_idx)),
            "reason": pc.take(reasons, pa.array(fails.reason[positions])),
            "value": values,
        }
    )


def redact_raw_ids(table: Table, batch: pa.RecordBatch) -> pa.RecordBatch:
    """``batch`` with raw-ID-looking values of hash columns replaced, before it is quarantined."""
    names = [n for n in (_ID_HASH_COLUMN, "entity_id") if n in batch.schema.names]
    if table.name != "labels":
        names = [n for n in names if n == _ID_HASH_COLUMN]
    for name in names:
        i = batch.schema.get_field_index(name)
        text = as_strings(batch.column(i))
        masked = pc.if_else(
            pc.fill_null(pc.match_substring_regex(text, _RAW_ID_RE), False), REDACTED, text
        )
        batch = batch.set_column(i, pa.field(name, pa.string()), masked)
    return batch
