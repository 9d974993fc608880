"""Write a data directory in the canonical layout, as Parquet or as CSV (UTF-8 or GBK).

Day-partitioned tables get one file per day under ``TABLE/``; chunks are appended as they are
generated (Parquet row groups of about a million rows), so memory stays bounded.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
from pathlib import Path
from typing import Any, BinaryIO, Literal

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from fraudwall.contract import TABLES

Format = Literal["parquet", "csv"]
FORMATS = ("parquet", "csv")
ENCODINGS = ("utf-8", "gbk")
ROW_GROUP = 1_000_000
CSV_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def csv_ready(table: pa.Table) -> pa.Table:
    """Timestamps as ``YYYY-MM-DD HH:MM:SS`` local-time strings; everything else as is."""
    cols = []
    for col, field in zip(table.columns, table.schema, strict=True):
        if pa.types.is_timestamp(field.type):
            col = pc.strftime(col.cast(pa.timestamp("s")), format=CSV_TIME_FORMAT)
        cols.append(col)
    return pa.table(cols, names=table.column_names)


class DataDirWriter:
    """Writes the tables of one simulated data directory."""

    def __init__(self, out: Path, fmt: Format = "parquet", encoding: str = "utf-8") -> None:
        if fmt not in FORMATS:
            raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
        if encoding.lower() not in ENCODINGS:
            raise ValueError(f"encoding must be one of {', '.join(ENCODINGS)}, not {encoding!r}")
        self.out = Path(out)
        self.fmt = fmt
        self.encoding = encoding.lower()
        self.rows: dict[str, int] = {name: 0 for name in TABLES}
        self._open: dict[str, _Sink] = {}

    @property
    def suffix(self) -> str:
        return f".{self.fmt}"

    def clear(self) -> None:
        """Remove what an earlier run left of the tables this writer owns (and nothing else)."""
        self.out.mkdir(parents=True, exist_ok=True)
        for name in TABLES:
            for p in (self.out / f"{name}.parquet", self.out / f"{name}.csv"):
                p.unlink(missing_ok=True)
            if (self.out / name).is_dir():
                shutil.rmtree(self.out / name)
        (self.out / "manifest.json").unlink(missing_ok=True)
        shutil.rmtree(self.out / "truth", ignore_errors=True)

    def write_table(self, name: str, table: pa.Table) -> Path:
        """A whole table as ``NAME.parquet`` / ``NAME.csv``."""
        path = self.out / f"{name}{self.suffix}"
        path.parent.mkdir(parents=True, exist_ok=True)
        sink = _Sink(path, table.schema, self.fmt, self.encoding)
        sink.write(table)
        sink.close()
        self.rows[name] = self.rows.get(name, 0) + table.num_rows
        return path

    def append(self, name: str, day: dt.date, table: pa.Table) -> None:
        """Add rows to ``NAME/<day>.<fmt>`` (opened on first use, closed by :meth:`end_day`)."""
        if name not in self._open:
            path = self.out / name / f"{day.isoformat()}{self.suffix}"
            path.parent.mkdir(parents=True, exist_ok=True)
            self._open[name] = _Sink(path, TABLES[name].arrow_schema(), self.fmt, self.encoding)
        self._open[name].write(table)
        self.rows[name] += table.num_rows

    def end_day(self, day: dt.date) -> None:
        """Close the day's files; a table with no rows that day still gets an empty file."""
        for name, table in TABLES.items():
            if table.time_column and name != "complaints" and name not in self._open:
                self.append(name, day, table.arrow_schema().empty_table())
        for sink in self._open.values():
            sink.close()
        self._open.clear()

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        (self.out / "manifest.json").write_text(
            json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", "utf-8"
        )


class _Sink:
    """One output file: buffered Parquet row groups, or CSV chunks in the chosen encoding."""

    def __init__(self, path: Path, schema: pa.Schema, fmt: Format, encoding: str) -> None:
        self.path = path
        self.fmt = fmt
        self.encoding = encoding
        self.schema = schema
        self._buffer: list[pa.Table] = []
        self._buffered = 0
        self._pq: pq.ParquetWriter | None = None
        self._fh: BinaryIO | None = None
        self._header = True

    def write(self, table: pa.Table) -> None:
        self._buffer.append(table)
        self._buffered += table.num_rows
        if self._buffered >= ROW_GROUP:
            self._flush()

    def _flush(self) -> None:
        if not self._buffer:
            return
        table = pa.concat_tables(self._buffer).cast(self.schema)
        self._buffer, self._buffered = [], 0
        if self.fmt == "parquet":
            if self._pq is None:
                self._pq = pq.ParquetWriter(self.path, self.schema, compression="zstd")
            self._pq.write_table(table, row_group_size=ROW_GROUP)
            return
        if self._fh is None:
            self._fh = open(self.path, "wb")  # noqa: SIM115 - closed in close()
        buf = io.BytesIO()
        pacsv.write_csv(csv_ready(table), buf, pacsv.WriteOptions(include_header=self._header))
        self._header = False
        data = buf.getvalue()
        if self.encoding != "utf-8":
            data = data.decode("utf-8").encode(self.encoding)
        self._fh.write(data)

    def close(self) -> None:
        if self._pq is None and self._fh is None and not self._buffer:
            self._buffer.append(self.schema.empty_table())  # an empty table still gets a file
        self._flush()
        if self._pq is not None:
            self._pq.close()
        if self._fh is not None:
            self._fh.close()
