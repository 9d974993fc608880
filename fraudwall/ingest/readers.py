"""Streaming readers: CSV (UTF-8, UTF-8 with BOM, GBK/GB18030) and Parquet, batch by batch.

Readers deliver the table's canonical columns under their canonical names (header names are
trimmed and lower-cased), each batch with the 1-based data row number of its rows (header and
blank lines excluded; a quoted field may span lines). CSV columns are read as strings, so a
bad value becomes a quarantined field instead of a failed read; CSV rows with the wrong number
of fields are set aside as :class:`BadLine`.
"""

from __future__ import annotations

import codecs
import csv
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from fraudwall.errors import InputError

#: Bytes parsed per CSV block (one batch); ~100-200k rows of a CDR, a few tens of MB of Arrow.
CSV_BLOCK_BYTES = 16 << 20
#: Rows per Parquet batch.
PARQUET_BATCH_ROWS = 131_072
_SAMPLE_BYTES = 1 << 20


@dataclass(frozen=True)
class BadLine:
    """A CSV row that could not be split into the header's number of fields."""

    row: int
    text: str
    fields: int
    expected: int


@dataclass
class RawBatch:
    """One batch as read: canonical column names, values not yet validated."""

    data: pa.RecordBatch
    #: 1-based data row number of every row of ``data``.
    rows: np.ndarray
    #: Malformed rows met since the previous batch (CSV only).
    bad_lines: list[BadLine] = field(default_factory=list)
    #: Bytes of the file consumed so far (for progress).
    bytes_read: int = 0


# -- encodings ----------------------------------------------------------------------------------
def _decodes(sample: bytes, encoding: str, final: bool) -> bool:
    try:
        codecs.getincrementaldecoder(encoding)("strict").decode(sample, final=final)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(path: Path) -> str:
    """Encoding of a CSV file: ``utf-8``, ``utf-8-sig`` / ``utf-16`` (by BOM), ``gb18030`` or
    one charset-normalizer detects.

    Samples the start, middle and end of the file; UTF-8 must decode strictly everywhere,
    otherwise GB18030 (a superset of GBK and GB2312) is tried, then charset-normalizer. A file
    that changes encoding outside the samples fails later with an :class:`InputError`.
    """
    size = path.stat().st_size
    with path.open("rb") as f:
        head = f.read(_SAMPLE_BYTES)
        samples = [head]
        for offset in (size // 2, max(size - _SAMPLE_BYTES // 4, 0)):
            if offset > len(head):
                f.seek(offset)
                samples.append(f.read(_SAMPLE_BYTES // 4))
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    # A sample taken mid-file may start inside a character: skip UTF-8 continuation bytes.
    mid = [s[next((i for i, b in enumerate(s[:4]) if b & 0xC0 != 0x80), 0) :] for s in samples[1:]]
    if _decodes(head, "utf-8", final=size <= len(head)) and all(
        _decodes(s, "utf-8", final=False) for s in mid
    ):
        return "utf-8"
    # GB18030 decodes almost anything; NUL bytes mean a wide encoding, not GBK.
    if b"\x00" not in head and _decodes(head, "gb18030", final=size <= len(head)):
        return "gb18030"
    from charset_normalizer import from_bytes  # only for the rare non-Chinese legacy file

    best = from_bytes(head).best()
    if best is None:
        raise InputError("cannot tell the text encoding (not UTF-8 nor GBK)", file=str(path))
    return str(best.encoding)


def normalize_name(name: str) -> str:
    """Header name as the contract spells it: trimmed, lower-case."""
    return name.strip().lstrip("\ufeff").strip().lower()


def _unique_names(names: list[str], file: str) -> list[str]:
    seen: set[str] = set()
    for n in names:
        if n in seen:
            raise InputError(f"column {n!r} appears twice in the header", file=file, field=n)
        seen.add(n)
    return names


# -- sources ------------------------------------------------------------------------------------
class CsvSource:
    """A CSV file read in blocks, every column as a string."""

    format = "csv"

    def __init__(self, path: Path, label: str) -> None:
        self.path, self.label = path, label
        self.size = path.stat().st_size
        self.encoding = detect_encoding(path)
        self.header = self._read_header()
        self.columns = _unique_names([normalize_name(h) for h in self.header], label)

    def _read_header(self) -> list[str]:
        with self.path.open("r", encoding=self.encoding, newline="") as f:
            try:
                reader = csv.reader(f)
                header = next(reader, None)
                # Arrow cannot skip a header that ends the file without a newline.
                self.has_rows = next((r for r in reader if r), None) is not None
            except (UnicodeDecodeError, csv.Error) as e:
                raise InputError(f"unreadable header: {e}", file=self.label) from e
        if not header or not any(h.strip() for h in header):
            raise InputError("empty file or empty header row", file=self.label)
        return header

    def batches(self, columns: list[str]) -> Iterator[RawBatch]:
        """Stream the given canonical columns; malformed rows come as :class:`BadLine`."""
        reported: list[BadLine] = []
        width = len(self.columns)

        def on_invalid(row: pacsv.InvalidRow) -> str:
            # The serial reader knows the record number (header = 1), so data row = number - 1.
            number = -1 if row.number is None else row.number - 1
            reported.append(BadLine(number, row.text, row.actual_columns, width))
            return "skip"

        if not self.has_rows:
            return
        encoding = "utf8" if self.encoding in ("utf-8", "utf-8-sig") else self.encoding
        source = pa.OSFile(str(self.path))
        try:
            reader = _open_csv(
                self.label,
                source,
                read_options=pacsv.ReadOptions(
                    column_names=self.columns,
                    skip_rows=1,
                    encoding=encoding,
                    block_size=CSV_BLOCK_BYTES,
                    use_threads=False,  # the serial reader reports row numbers of bad rows
                ),
                parse_options=pacsv.ParseOptions(
                    newlines_in_values=True, invalid_row_handler=on_invalid
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types={c: pa.string() for c in self.columns},
                    include_columns=columns,
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
            seen = 0  # every data row up to here was delivered or set aside
            pending: list[BadLine] = []  # bad rows after ``seen``, in row order
            for batch in _guard(reader, self.label):
                pending += reported
                reported.clear()
                # The reader reads ahead, so bad rows of later blocks may be known already;
                # every bad row inside this batch is known before the batch is delivered.
                rows = _valid_rows(seen + 1, batch.num_rows, np.array([b.row for b in pending]))
                done: list[BadLine] = []
                if batch.num_rows:
                    seen = int(rows[-1])
                    done = [b for b in pending if b.row < seen]
                    pending = pending[len(done) :]
                yield RawBatch(batch, rows, done, source.tell())
            pending += reported
            if pending:
                empty = pa.RecordBatch.from_pylist([], schema=_string_schema(columns))
                yield RawBatch(empty, np.zeros(0, dtype=np.int64), pending, self.size)
        finally:
            source.close()


def _valid_rows(first: int, n: int, bad_rows: np.ndarray) -> np.ndarray:
    """Row numbers of ``n`` good rows counted from ``first``, skipping the ``bad_rows``.

    >>> _valid_rows(1, 4, np.array([2, 3])).tolist()
    [1, 4, 5, 6]
    """
    # The i-th good row is pushed down by every bad row that comes before it.
    offsets = bad_rows.astype(np.int64) - first - np.arange(len(bad_rows))
    i = np.arange(n, dtype=np.int64)
    return first + i + np.searchsorted(offsets, i, side="right")


def _string_schema(columns: list[str]) -> pa.Schema:
    return pa.schema([pa.field(c, pa.string()) for c in columns])


def _open_csv(label: str, *args: Any, **kwargs: Any) -> pacsv.CSVStreamingReader:
    """``pyarrow.csv.open_csv`` (which reads the first block) with errors as InputError."""
    try:
        return pacsv.open_csv(*args, **kwargs)
    except (pa.ArrowInvalid, pa.ArrowIOError, UnicodeDecodeError) as e:
        raise _unreadable(e, label) from e


def _unreadable(e: Exception, label: str) -> InputError:
    hint = " (is the file in one encoding throughout?)" if "UTF8" in str(e) else ""
    return InputError(f"unreadable CSV: {e}{hint}", file=label)


def _guard(reader: pacsv.CSVStreamingReader, label: str) -> Iterator[pa.RecordBatch]:
    """Batches of ``reader``, with Arrow read errors turned into :class:`InputError`."""
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            return
        except (pa.ArrowInvalid, pa.ArrowIOError, UnicodeDecodeError) as e:
            raise _unreadable(e, label) from e
        yield batch


class ParquetSource:
    """A Parquet file read by record batches, native types kept (cast during validation)."""

    format = "parquet"
    encoding = None

    def __init__(self, path: Path, label: str) -> None:
        self.path, self.label = path, label
        self.size = path.stat().st_size
        try:
            self._file = pq.ParquetFile(path)
        except (pa.ArrowInvalid, pa.ArrowIOError, OSError) as e:
            raise InputError(f"unreadable Parquet: {e}", file=label) from e
        self.header = list(self._file.schema_arrow.names)
        self.columns = _unique_names([normalize_name(h) for h in self.header], label)
        self.num_rows = self._file.metadata.num_rows

    def batches(self, columns: list[str]) -> Iterator[RawBatch]:
        """Stream the given canonical columns, renamed from the file's spelling."""
        original = {c: h for h, c in zip(self.header, self.columns, strict=True)}
        seen = 0
        it = self._file.iter_batches(
            batch_size=PARQUET_BATCH_ROWS, columns=[original[c] for c in columns]
        )
        while True:
            try:
                batch = next(it)
            except StopIteration:
                return
            except (pa.ArrowInvalid, pa.ArrowIOError, OSError) as e:
                raise InputError(f"unreadable Parquet: {e}", file=self.label) from e
            batch = batch.rename_columns(columns)
            rows = np.arange(seen + 1, seen + batch.num_rows + 1, dtype=np.int64)
            seen += batch.num_rows
            done = self.size * seen // max(self.num_rows, 1)
            yield RawBatch(batch, rows, [], done)

    def close(self) -> None:
        self._file.close()


Source = CsvSource | ParquetSource


def open_source(path: Path, label: str) -> Source:
    """Open a CSV or Parquet file (by extension) and read its header."""
    if not os.access(path, os.R_OK):
        raise InputError("file cannot be read (permissions)", file=label)
    if path.suffix.lower() == ".parquet":
        return ParquetSource(path, label)
    return CsvSource(path, label)
