"""Outcomes as the contract's ``labels`` table, which ``fraudwall model train`` reads.

Police feedback (``confirmed_fraud`` → the case's scenario, ``not_fraud`` → ``benign``) and
hotline call-backs (``reached``/``money_sent`` → ``victim``, ``not_victim`` → ``benign``) each
keep one label per origin; a later outcome for the same lead replaces the earlier one.
"""

from __future__ import annotations

import csv
import os
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from fraudwall.cases.models import Label
from fraudwall.db.base import utcnow

COLUMNS = ("entity_type", "entity_id", "label", "source", "at", "detail")
#: The file in a workspace's ``labels`` table that fraudwall's outcomes occupy (others are kept).
WORKSPACE_FILE = "fraudwall-outcomes.parquet"


def put_label(
    session: Session,
    *,
    entity_type: str,
    entity_id: str,
    label: str | None,
    source: str,
    origin: str,
    detail: str | None = None,
) -> None:
    """Set (or, with ``label=None``, clear) the label coming from ``origin``."""
    session.execute(delete(Label).where(Label.origin == origin))
    if label is not None:
        session.add(
            Label(
                entity_type=entity_type,
                entity_id=entity_id,
                label=label,
                source=source,
                origin=origin,
                detail=detail,
                at=utcnow(),
            )
        )


def label_table(session: Session) -> pa.Table:
    """Every label in the contract's schema."""
    from fraudwall.contract import TABLES

    rows = session.execute(select(*(getattr(Label, c) for c in COLUMNS)).order_by(Label.id)).all()
    cols = {c: [getattr(r, c) for r in rows] for c in COLUMNS}
    schema = TABLES["labels"].arrow_schema()
    return pa.table({c: pa.array(cols[c], schema.field(c).type) for c in COLUMNS}, schema=schema)


def write_labels(session: Session, *, out: Path) -> int:
    """Write the labels to ``out`` (``.csv`` or ``.parquet``); returns how many."""
    t = label_table(session)
    out = Path(out)
    tmp = out.with_name(f".{out.name}.{uuid.uuid4().hex[:8]}.tmp")
    if out.suffix == ".parquet":
        pq.write_table(t, tmp)
    else:
        with tmp.open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(COLUMNS)
            for r in t.to_pylist():
                w.writerow(
                    [
                        "" if r[c] is None else (r[c].isoformat() if c == "at" else r[c])
                        for c in COLUMNS
                    ]
                )
    os.replace(tmp, out)
    return t.num_rows


def write_workspace_labels(session: Session, *, workspace: Path) -> int:
    """Put the labels into a workspace (a run directory) where ``model train --workspace``
    reads them: ``store/labels/fraudwall-outcomes.parquet``, replaced whole."""
    d = Path(workspace) / "store" / "labels"
    d.mkdir(parents=True, exist_ok=True)
    return write_labels(session, out=d / WORKSPACE_FILE)
