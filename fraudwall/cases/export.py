"""``batch export``: the files the police receive, written whole or not at all.

``batch-N.csv``, ``batch-N.xlsx``, ``batch-N.json`` and ``manifest.json`` (SHA-256 of each) are
written into a fresh temporary directory next to the target and then renamed into place, the
manifest last, so a crash leaves either the previous export or the new one, never half of one.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import uuid
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from fraudwall.cases.common import act, audit, get_batch
from fraudwall.cases.enums import BatchState
from fraudwall.cases.faults import crash_point
from fraudwall.cases.models import BatchItem, Case
from fraudwall.cases.schemas import ExportResult
from fraudwall.db.base import utcnow
from fraudwall.errors import Conflict

COLUMNS = (
    "batch",
    "kind",
    "entity_type",
    "entity_id",
    "scenario",
    "risk_score",
    "risk_level",
    "entity_risk",
    "detectors",
    "reasons",
    "evidence",
    "related_numbers",
    "activity",
    "first_seen",
    "last_seen",
    "case_id",
)


def lead_rows(session: Session, batch_id: int, number: int) -> list[dict[str, Any]]:
    """The leads of a batch as they are sent: one flat record per lead."""
    rows = session.execute(
        select(BatchItem.kind, Case)
        .join(Case, Case.id == BatchItem.case_id)
        .where(BatchItem.batch_id == batch_id)
        .order_by(BatchItem.score.desc(), Case.id)
    ).all()
    out = []
    for kind, c in rows:
        related = (c.related or {}).get("top_counterparties", [])
        out.append(
            {
                "batch": number,
                "kind": kind.value,
                "entity_type": c.entity_type,
                "entity_id": c.entity_id,
                "scenario": c.scenario,
                "risk_score": c.score,
                "risk_level": c.risk_level,
                "entity_risk": c.entity_risk,
                "detectors": c.detectors,
                "reasons": c.reasons,
                "evidence": json.loads(c.evidence),
                "related_numbers": [r["number"] for r in related],
                "activity": c.activity or {},
                "first_seen": c.first_seen.isoformat() if c.first_seen else None,
                "last_seen": c.last_seen.isoformat() if c.last_seen else None,
                "case_id": c.id,
            }
        )
    return out


def _flat(v: Any) -> Any:
    if isinstance(v, dict | list):
        return json.dumps(v, ensure_ascii=False, sort_keys=True)
    return v


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_files(
    staging: Path, number: int, rows: list[dict[str, Any]], meta: dict[str, Any]
) -> dict[str, str]:
    """Write the three lead files into ``staging``; returns name → SHA-256."""
    stem = f"batch-{number}"
    with (staging / f"{stem}.csv").open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS)
        w.writeheader()
        for r in rows:
            w.writerow({k: _flat(r[k]) for k in COLUMNS})
    wb = Workbook()
    ws = wb.active
    ws.title = stem
    ws.append(list(COLUMNS))
    for r in rows:
        ws.append([_flat(r[k]) for k in COLUMNS])
    wb.save(staging / f"{stem}.xlsx")
    crash_point("export.mid_files")
    (staging / f"{stem}.json").write_text(
        json.dumps({**meta, "leads": rows}, ensure_ascii=False, indent=2), "utf-8"
    )
    return {p.name: _sha256(p) for p in sorted(staging.iterdir())}


def export_batch(session: Session, *, number: int, out: Path, actor: str) -> ExportResult:
    """Write an approved batch's files into ``out``; exporting again rewrites them."""
    who = act(session, actor, "batch.export")
    batch = get_batch(session, number)
    if batch.state is BatchState.proposed:
        raise Conflict(f"batch {number} is not approved yet; a supervisor must approve it first")
    rows = lead_rows(session, batch.id, number)
    meta = {
        "batch": number,
        "proposed_by": batch.proposed_by,
        "approved_by": batch.approved_by,
        "approved_at": batch.approved_at.isoformat() if batch.approved_at else None,
        "new": sum(r["kind"] == "new" for r in rows),
        "updates": sum(r["kind"] == "update" for r in rows),
    }
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    for stale in out.parent.glob(f".{out.name}.tmp-*"):  # left by an export that crashed
        shutil.rmtree(stale, ignore_errors=True)
    staging = out.parent / f".{out.name}.tmp-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    try:
        files = write_files(staging, number, rows, meta)
        manifest = {**meta, "leads": len(rows), "files": files, "exported_at": utcnow().isoformat()}
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2), "utf-8")
        for p in staging.iterdir():
            with p.open("rb") as f:
                os.fsync(f.fileno())
        if not out.exists():
            os.replace(staging, out)  # the whole export appears at once
        else:
            out.mkdir(exist_ok=True)
            for name in [*files, "manifest.json"]:  # the manifest last
                os.replace(staging / name, out / name)
                crash_point("export.mid_rename")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    crash_point("export.before_commit")
    batch.manifest = {**manifest, "dir": str(out.resolve())}
    batch.exported_at = utcnow()
    if batch.state is BatchState.approved:
        batch.state = BatchState.exported
    audit(session, who, "batch.export", "batch", number, out=str(out), files=files)
    return ExportResult(number=number, out=str(out), files=files)
