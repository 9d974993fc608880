"""The ingestion section: rows read, accepted, rejected and duplicated per table, and why.

Counts come from the run's ingestion report (``RunResult.ingest``, see
:meth:`fraudwall.ingest.report.IngestReport.to_dict`); when it is missing or partial the store's
Parquet footers and the quarantine fill the gaps, with a note. Examples of rejected rows are read
from ``OUT/quarantine/**.parquet`` with the engine and shown masked: numbers as numbers, ids as
ids, free text never.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

import ibis
import pandas as pd
import pyarrow.parquet as pq

from fraudwall.contract import TABLES
from fraudwall.privacy import mask_ids, mask_numbers, scrub_text
from fraudwall.report import svg
from fraudwall.report.model import Section, Tab
from fraudwall.store import Workspace

#: Columns of the per-table counts and the ingestion-report keys they come from.
COUNTS = {
    "read": "rows_read",
    "accepted": "accepted",
    "rejected": "rejected",
    "duplicates": "duplicates",
}
EXAMPLES_PER_REASON = 3
MAX_EXAMPLES = 60
MAX_REASONS_CHARTED = 15
#: More ingestion notices than this go to a collapsed list instead of the section's notes.
MAX_NOTES = 4
#: Free-text columns whose values are never shown, even masked.
HIDDEN_FIELDS = {"content", "text"}
#: Identifier columns that point at a person or their device (record, cell and outlet ids
#: do not, and are shown scrubbed of digit runs like any plain value).
PERSONAL_IDS = {"imei", "imsi", "holder_id_hash", "agent_id"}


def build(ingest: Mapping[str, Any] | None, ws: Workspace, con: ibis.BaseBackend) -> Section:
    """Counts per table, rejected rows by table and reason, and masked examples."""
    s = Section("ingestion", "Ingestion")
    ingest = ingest if isinstance(ingest, Mapping) else {}
    quarantine = _read_quarantine(ws, con)

    counts = _table_counts(ingest, s)
    if counts is None:
        s.note(
            "The run carries no ingestion report: accepted rows are counted in the store "
            "and rejected rows in the quarantine."
        )
        counts = _counts_from_store(ws, quarantine)
    if counts.empty:
        s.note("No table was ingested.")
    else:
        s.facts = {k: f"{int(counts[k].sum()):,}" for k in COUNTS if counts[k].notna().all()}
        # The store may hold more than this run read (earlier ingestions into the same place).
        counts["in store"] = pd.array([_stored_rows(ws, n) for n in counts["table"]], "Int64")
        s.tables["counts"] = Tab.from_frame(counts)

    reasons = _reasons(ingest, quarantine, con)
    if reasons.empty:
        s.note("No row was rejected.")
    else:
        s.tables["reasons"] = Tab.from_frame(reasons)
        top = reasons.head(MAX_REASONS_CHARTED)
        s.charts["reasons"] = svg.hbar(
            [f"{t} · {r}" for t, r in zip(top["table"], top["reason"], strict=True)],
            {"rows": top["rows"].tolist()},
            title="rejected rows by table and reason",
            colours={"rows": svg.PALETTE[5]},
        )
    if quarantine is not None:
        s.tables["examples"] = Tab.from_frame(
            _examples(quarantine),
            caption="Values are masked; free text and whole raw rows are never shown.",
        )
    elif not reasons.empty:
        s.note("The quarantine holds no files, so no example of a rejected row can be shown.")

    files = _files(ingest)
    if not files.empty:
        s.tables["files"] = Tab.from_frame(files)
    notices = scrub_text(pd.Series([str(n) for n in ingest.get("notices", []) or []], dtype=object))
    if len(notices) > MAX_NOTES:
        s.note(f"Ingestion left {len(notices)} notices (listed below).")
        s.tables["notices"] = Tab(["notice"], [[str(n)] for n in notices])
    else:
        s.notes += [str(n) for n in notices]
    return s


def _stored_rows(ws: Workspace, table: str) -> int:
    """Rows of a stored table, from the Parquet footers (no data is read)."""
    return sum(pq.ParquetFile(p).metadata.num_rows for p in ws.parquet_files(table))


def _table_counts(ingest: Mapping[str, Any], s: Section) -> pd.DataFrame | None:
    tables = ingest.get("tables")
    if not isinstance(tables, Mapping) or not tables:
        return None
    rows, missing = [], set()
    for name, t in tables.items():
        t = t if isinstance(t, Mapping) else {}
        row: dict[str, Any] = {"table": str(name)}
        for col, key in COUNTS.items():
            v = t.get(key)
            row[col] = v if isinstance(v, int | float) else None
            if row[col] is None:
                missing.add(col)
        rows.append(row)
    if missing:
        s.note(
            f"The ingestion report lacks {', '.join(sorted(missing))} for some tables (shown as —)."
        )
    df = pd.DataFrame(rows, columns=["table", *COUNTS])
    return df.astype({c: "Int64" for c in COUNTS})


def _counts_from_store(ws: Workspace, quarantine: ibis.Table | None) -> pd.DataFrame:
    """Accepted rows from Parquet footers (no data read); rejected from the quarantine."""
    rejected: dict[str, int] = {}
    if quarantine is not None:
        r = quarantine.group_by("table").agg(n=quarantine.count()).to_pandas()
        rejected = dict(zip(r["table"], r["n"], strict=True))
    names = [n for n in TABLES if ws.has(n) or n in rejected]
    accepted = [_stored_rows(ws, n) for n in names]
    df = pd.DataFrame(
        {
            "table": names,
            "read": None,
            "accepted": accepted,
            "rejected": [rejected.get(n, 0) for n in names],
            "duplicates": None,
        }
    )
    return df.astype({c: "Int64" for c in COUNTS})


def _read_quarantine(ws: Workspace, con: ibis.BaseBackend) -> ibis.Table | None:
    qdir = ws.quarantine_dir
    if not qdir.is_dir() or not any(qdir.rglob("*.parquet")):
        return None
    t = con.read_parquet(
        str(qdir / "**" / "*.parquet"), table_name="report_quarantine", union_by_name=True
    )
    needed = {"table", "file", "row", "field", "reason"}
    if not needed <= set(t.columns):
        return None
    return t if "value" in t.columns else t.mutate(value=ibis.null("string"))


def _reasons(
    ingest: Mapping[str, Any], quarantine: ibis.Table | None, con: ibis.BaseBackend
) -> pd.DataFrame:
    by_reason = ingest.get("rejected_by_reason")
    if isinstance(by_reason, Mapping) and by_reason:
        rows = [
            (str(t), str(r), int(n))
            for t, reasons in by_reason.items()
            if isinstance(reasons, Mapping)
            for r, n in reasons.items()
        ]
        df = pd.DataFrame(rows, columns=["table", "reason", "rows"])
    elif quarantine is not None:
        df = quarantine.group_by(["table", "reason"]).agg(rows=quarantine.count()).to_pandas()
    else:
        return pd.DataFrame(columns=["table", "reason", "rows"])
    df["reason"] = scrub_text(df["reason"].astype("object"))
    return df.sort_values(["rows", "table"], ascending=[False, True], ignore_index=True)


def _examples(q: ibis.Table) -> pd.DataFrame:
    """A few rejected rows per (table, reason), their value masked by the field's kind."""
    w = ibis.window(group_by=[q.table, q.reason], order_by=[q.file, q.row])
    ex = (
        q.mutate(k=ibis.row_number().over(w))
        .filter(ibis._.k < EXAMPLES_PER_REASON)
        .select("table", "file", "row", "field", "reason", "value")
        .order_by(["table", "reason", "file", "row"])
        .limit(MAX_EXAMPLES)
        .to_pandas()
    )
    ex["file"] = scrub_text(ex["file"].map(lambda f: PurePath(str(f)).name).astype("object"))
    ex["value"] = _mask_values(ex)
    ex["reason"] = scrub_text(ex["reason"].astype("object"))
    return ex


def _mask_values(ex: pd.DataFrame) -> pd.Series:
    kinds = [_kind(t, f) for t, f in zip(ex["table"], ex["field"], strict=True)]
    kind = pd.Series(kinds, index=ex.index, dtype="object")
    value = ex["value"].astype("object")
    out = pd.Series("(not shown)", index=ex.index, dtype="object")
    for k, masker in (("msisdn", mask_numbers), ("id", mask_ids), ("plain", scrub_text)):
        sel = kind == k
        if sel.any():
            out[sel] = masker(value[sel].str.slice(0, 40))
    return out.where(value.notna(), "—")


def _kind(table: Any, field: Any) -> str:
    """How to show a rejected value: as a number, an id, plain (scrubbed) text or not at all."""
    if field is None or pd.isna(field):
        return "plain"  # a malformed line; the value says how many fields it had
    spec = TABLES.get(str(table))
    try:
        col = spec.column(str(field)) if spec else None
    except KeyError:
        col = None
    if col is None or col.name in HIDDEN_FIELDS:
        return "hidden"
    if col.kind == "msisdn":
        return "msisdn"
    return "id" if col.name in PERSONAL_IDS else "plain"


def _files(ingest: Mapping[str, Any]) -> pd.DataFrame:
    tables = ingest.get("tables")
    if not isinstance(tables, Mapping):
        return pd.DataFrame()
    rows = [
        f
        for t in tables.values()
        if isinstance(t, Mapping)
        for f in (t.get("files") or [])
        if isinstance(f, Mapping)
    ]
    if not rows:
        return pd.DataFrame()
    cols = [
        "table",
        "file",
        "format",
        "encoding",
        "rows_read",
        "accepted",
        "rejected",
        "duplicates",
        "skipped",
    ]
    df = pd.DataFrame(rows).reindex(columns=cols)
    df["file"] = scrub_text(df["file"].astype("object"))
    return df.rename(columns={"rows_read": "read"})
