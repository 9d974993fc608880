"""Police feedback: a CSV or JSON file of outcomes per lead, applied whole or not at all.

Columns: ``batch,entity_type,entity_id,outcome,case_ref,dens_found,devices_seized,note``
(outcome ``confirmed_fraud``, ``not_fraud`` or ``unknown``; the last four may be empty). Files
may be UTF-8 (with or without BOM) or GBK. Any bad row — unknown batch, an entity not in that
batch, a bad outcome or count, a truncated file — rejects the whole file with its file, row and
field, and nothing changes. Outcomes update the case (confirmed / dismissed) and become labels.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
from sqlalchemy import select
from sqlalchemy.orm import Session

from fraudwall.cases.common import act, audit
from fraudwall.cases.enums import CaseState, Outcome
from fraudwall.cases.faults import crash_point
from fraudwall.cases.importer import _store_ids
from fraudwall.cases.labels import put_label
from fraudwall.cases.models import Batch, BatchItem, Case, Feedback, FeedbackImport
from fraudwall.cases.schemas import FeedbackImportResult
from fraudwall.db.base import utcnow
from fraudwall.errors import InputError

FIELDS = (
    "batch",
    "entity_type",
    "entity_id",
    "outcome",
    "case_ref",
    "dens_found",
    "devices_seized",
    "note",
)
REQUIRED = FIELDS[:4]
MAX_ERRORS = 20


def decode(raw: bytes, file: str) -> str:
    """UTF-8 (BOM allowed) or GBK; anything else is refused."""
    for enc in ("utf-8-sig", "gbk"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise InputError("not UTF-8 or GBK text; save the file as UTF-8", file=file)


def parse(raw: bytes, file: str) -> list[dict[str, str]]:
    """The rows of a feedback file as strings (row numbers count the header as row 1)."""
    text = decode(raw, file)
    if not text.strip():
        raise InputError("the file is empty", file=file)
    if file.lower().endswith(".json") or text.lstrip()[:1] in "[{":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise InputError(
                f"not valid JSON (truncated?): {e.msg} at line {e.lineno}", file=file, row=e.lineno
            ) from e
        if isinstance(data, dict):
            data = data.get("feedback", data.get("rows"))
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise InputError('JSON must be a list of objects (or {"feedback": [...]})', file=file)
        rows = []
        for i, r in enumerate(data, start=1):
            unknown = set(r) - set(FIELDS)
            if unknown:
                raise InputError(
                    f"unknown fields {sorted(unknown)}", file=file, row=i, field=sorted(unknown)[0]
                )
            rows.append({k: "" if r.get(k) is None else str(r.get(k)) for k in FIELDS})
        return rows
    if not text.endswith(("\n", "\r")):
        # A file cut off mid-transfer ends without its line break; a whole one ends with it.
        last = text.count("\n") + 1
        raise InputError(
            "the last line has no line ending: the file looks truncated", file=file, row=last
        )
    try:
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        header = next(reader)
        body = list(reader)
    except csv.Error as e:
        raise InputError(f"not valid CSV (truncated?): {e}", file=file) from e
    header = [h.strip().lower() for h in header]
    missing = [f for f in FIELDS if f not in header]
    if missing:
        raise InputError(f"missing columns {missing}", file=file, row=1, field=missing[0])
    out = []
    for i, r in enumerate(body, start=2):
        if not any(v.strip() for v in r):
            continue
        if len(r) != len(header):
            raise InputError(
                f"{len(r)} fields where the header has {len(header)} (truncated or misquoted line)",
                file=file,
                row=i,
            )
        row = dict(zip(header, r, strict=True))
        out.append({"_row": str(i), **{k: row[k].strip() for k in FIELDS}})
    return out


def _int(v: str, field: str, file: str, row: int) -> int | None:
    if v == "":
        return None
    try:
        n = int(v)
    except ValueError:
        raise InputError(f"{v!r} is not a whole number", file=file, row=row, field=field) from None
    if n < 0:
        raise InputError(f"{n} is negative", file=file, row=row, field=field)
    return n


def import_feedback(
    session: Session, *, file: Path, actor: str, workspace: Path | None = None
) -> FeedbackImportResult:
    """Apply a police feedback file in this unit of work; the same file again is a no-op."""
    who = act(session, actor, "feedback.import")
    name = str(file)
    try:
        raw = Path(file).read_bytes()
    except OSError as e:
        raise InputError(f"cannot read: {e.strerror}", file=name) from e
    sha = hashlib.sha256(raw).hexdigest()
    done = session.scalars(select(FeedbackImport).where(FeedbackImport.sha256 == sha)).first()
    if done is not None:
        return FeedbackImportResult(
            id=done.id,
            file=name,
            sha256=sha,
            rows=done.rows,
            already_imported=True,
            outcomes={},
            labels=0,
        )
    try:
        rows = parse(raw, name)
    except InputError as e:
        raise InputError(
            f"{str(e).split(': ', 1)[-1]}; nothing was imported",
            file=e.file,
            row=e.row,
            field=e.field,
        ) from None
    if not rows:
        raise InputError("no feedback rows", file=name)
    ids = _store_ids(
        pa.chunked_array([[r["entity_type"] for r in rows]], pa.string()),
        pa.chunked_array([[r["entity_id"] for r in rows]], pa.string()),
    ).to_pylist()
    numbers = {r["batch"] for r in rows}
    batches = {
        str(b.number): b
        for b in session.scalars(
            select(Batch).where(Batch.number.in_([int(n) for n in numbers if n.isdigit()]))
        )
    }
    items: dict[tuple[int, str, str], list[tuple[int, str]]] = {}
    for bid, et, eid, cid, scen in session.execute(
        select(BatchItem.batch_id, Case.entity_type, Case.entity_id, Case.id, Case.scenario)
        .join(Case, Case.id == BatchItem.case_id)
        .where(BatchItem.batch_id.in_([b.id for b in batches.values()]))
    ):
        items.setdefault((bid, et, eid), []).append((cid, scen))
    errors: list[InputError] = []
    parsed: list[dict[str, Any]] = []
    for i, (r, eid) in enumerate(zip(rows, ids, strict=True), start=1):
        row = int(r.pop("_row", i))
        try:
            for f in REQUIRED:
                if not r[f]:
                    raise InputError("required", file=name, row=row, field=f)
            batch = batches.get(r["batch"])
            if batch is None:
                raise InputError(f"no batch {r['batch']!r}", file=name, row=row, field="batch")
            try:
                outcome = Outcome(r["outcome"])
            except ValueError:
                raise InputError(
                    f"{r['outcome']!r} is not one of {', '.join(o.value for o in Outcome)}",
                    file=name,
                    row=row,
                    field="outcome",
                ) from None
            hits = items.get((batch.id, r["entity_type"], eid), [])
            if not hits:
                raise InputError(
                    f"{r['entity_type']} {r['entity_id']} was not sent in batch {batch.number}",
                    file=name,
                    row=row,
                    field="entity_id",
                )
            if len(r["case_ref"]) > 128:
                raise InputError("longer than 128 characters", file=name, row=row, field="case_ref")
            for case_id, scenario in hits:
                parsed.append(
                    {
                        "row": row,
                        "batch_id": batch.id,
                        "case_id": case_id,
                        "scenario": scenario,
                        "entity_type": r["entity_type"],
                        "entity_id": eid,
                        "outcome": outcome,
                        "case_ref": r["case_ref"] or None,
                        "dens_found": _int(r["dens_found"], "dens_found", name, row),
                        "devices_seized": _int(r["devices_seized"], "devices_seized", name, row),
                        "note": r["note"] or None,
                    }
                )
        except InputError as e:
            errors.append(e)
            if len(errors) >= MAX_ERRORS:
                break
    if errors:
        more = (
            ""
            if len(errors) == 1
            else f" (and {len(errors) - 1} more: " + "; ".join(str(e) for e in errors[1:]) + ")"
        )
        first = errors[0]
        raise InputError(
            f"{str(first).split(': ', 1)[-1]}{more}; nothing was imported",
            file=first.file,
            row=first.row,
            field=first.field,
        )
    imp = FeedbackImport(sha256=sha, file=name, rows=len(rows), imported_by=who.name, at=utcnow())
    session.add(imp)
    session.flush()
    outcomes: dict[str, int] = {}
    labels = 0
    now = utcnow()
    for n, p in enumerate(parsed):
        fb = session.scalars(
            select(Feedback).where(
                Feedback.batch_id == p["batch_id"], Feedback.case_id == p["case_id"]
            )
        ).first()
        if fb is None:
            fb = Feedback(batch_id=p["batch_id"], case_id=p["case_id"])
            session.add(fb)
        fb.import_id, fb.row, fb.outcome, fb.at = imp.id, p["row"], p["outcome"], now
        fb.case_ref, fb.dens_found, fb.devices_seized, fb.note = (
            p["case_ref"],
            p["dens_found"],
            p["devices_seized"],
            p["note"],
        )
        outcomes[p["outcome"].value] = outcomes.get(p["outcome"].value, 0) + 1
        case = session.get(Case, p["case_id"])
        assert case is not None
        if p["outcome"] is Outcome.confirmed_fraud:
            case.state = CaseState.confirmed
        elif p["outcome"] is Outcome.not_fraud:
            case.state = CaseState.dismissed
        case.updated_at = now
        label = {Outcome.confirmed_fraud: p["scenario"], Outcome.not_fraud: "benign"}.get(
            p["outcome"]
        )
        put_label(
            session,
            entity_type=p["entity_type"],
            entity_id=p["entity_id"],
            label=label,
            source="police_feedback",
            detail=p["case_ref"],
            origin=f"feedback:{p['batch_id']}:{p['case_id']}",
        )
        labels += label is not None
        if n == len(parsed) // 2:
            crash_point("feedback.mid_rows")
    audit(
        session,
        who,
        "feedback.import",
        "feedback",
        imp.id,
        file=name,
        sha256=sha,
        rows=len(rows),
        outcomes=outcomes,
    )
    result = FeedbackImportResult(
        id=imp.id,
        file=name,
        sha256=sha,
        rows=len(rows),
        already_imported=False,
        outcomes=outcomes,
        labels=labels,
    )
    if workspace is not None:
        from fraudwall.cases.labels import write_workspace_labels

        session.flush()
        write_workspace_labels(session, workspace=workspace)
    return result
