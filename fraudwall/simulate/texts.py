"""Training texts from a simulated world: the SMS content it holds, with each text's class.

A text's class is the fraud type of the number that sent it where the world's truth calls that
number a ``fraud_sms`` sender, else ``normal``: the ``content,label`` file that
``fraudwall sms train`` reads. Only for simulated worlds, whose truth is known; a model trained
on one world is measured on others (see the detector catalogue).
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from fraudwall.errors import InputError

_COLUMNS = ["msisdn", "other_party", "direction", "content"]


def export_texts(data_dir: str | Path, out: str | Path) -> int:
    """Write the held texts of a simulated world with their class to ``out``; the row count.

    One row per distinct (content, label), sorted, so the same world gives the same file.
    """
    data = Path(data_dir)
    truth = sorted((data / "truth").glob("labels.*"))
    if not truth:
        raise InputError("not a simulated world (no truth/labels.parquet)", file=str(data))
    files = sorted((data / "sms").glob("*.parquet")) or sorted((data / "sms").glob("*.csv"))
    if not files:
        raise InputError("no sms files in this world", file=str(data / "sms"))
    manifest = json.loads((data / "manifest.json").read_text("utf-8"))
    encoding = manifest.get("encoding", "utf-8")
    sms = _read(files, _COLUMNS, encoding)
    senders = _read(truth[:1], ["entity_id", "label", "detail"], encoding)
    con = duckdb.connect()
    try:
        con.register("sms", sms)
        con.register("truth", senders)
        rows = con.sql(
            """SELECT DISTINCT s.content, coalesce(t.detail, 'normal') AS label
               FROM sms s
               LEFT JOIN (SELECT entity_id, detail FROM truth WHERE label = 'fraud_sms') t
                 ON t.entity_id = CASE WHEN s.direction = 'MO' THEN s.msisdn
                                       ELSE s.other_party END
               WHERE s.content IS NOT NULL ORDER BY 2, 1"""
        ).to_arrow_table()
    finally:
        con.close()
    pacsv.write_csv(rows, out)
    return rows.num_rows


def _read(files: list[Path], columns: list[str], encoding: str) -> pa.Table:
    """``columns`` of the world's Parquet files, or of its CSV files (all text) in ``encoding``."""
    if files[0].suffix == ".parquet":
        return pa.concat_tables(pq.read_table(f, columns=columns) for f in files)
    read = pacsv.ReadOptions(encoding=encoding)
    convert = pacsv.ConvertOptions(
        include_columns=columns,
        column_types=dict.fromkeys(columns, pa.string()),
        strings_can_be_null=True,
    )
    return pa.concat_tables(
        pacsv.read_csv(f, read_options=read, convert_options=convert) for f in files
    )
