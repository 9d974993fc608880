"""Data retention: ``fraudwall prune`` deletes day partitions older than the retention period.

CDR retention is a legal duty in both directions (keep long enough, not longer), so pruning
covers the quarantine too: a quarantine file (one per ingested input file) goes when every day
its source file's accepted rows fell on is older than the cut-off, or, for a file with no
accepted rows, when it was ingested before the cut-off. The ingest log keeps its entries, so
an old file delivered again is still recognised and skipped rather than ingested anew.

The whole prune is one journalled change (:meth:`fraudwall.store.Workspace.apply`): a crash
leaves the workspace as before or as after it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fraudwall.contract import TABLES
from fraudwall.store.workspace import DAY_PREFIX, Move, Workspace

LOG_NAME = "ingest_log.json"


@dataclass
class PruneReport:
    """What a prune removed (or would remove with ``dry_run``)."""

    workspace: str
    keep_days: float
    cutoff: str
    dry_run: bool = False
    #: Day partitions removed, per table.
    partitions: dict[str, list[str]] = field(default_factory=dict)
    #: Quarantine files removed, per table.
    quarantine_files: dict[str, list[str]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "workspace": self.workspace,
            "keep_days": self.keep_days,
            "cutoff": self.cutoff,
            "dry_run": self.dry_run,
            "partitions": self.partitions,
            "quarantine_files": self.quarantine_files,
            "n_partitions": sum(len(v) for v in self.partitions.values()),
            "n_quarantine_files": sum(len(v) for v in self.quarantine_files.values()),
        }


def prune(
    workspace: Workspace,
    *,
    keep: timedelta,
    as_of: datetime | None = None,
    dry_run: bool = False,
) -> PruneReport:
    """Delete every day partition (and quarantine file) older than ``as_of - keep``.

    ``as_of`` defaults to now in the workspace's time zone: retention runs on the calendar,
    not on the data. Days on or after the cut-off's date are kept whole.
    """
    with workspace.writing():
        now = as_of or datetime.now(ZoneInfo(workspace.timezone)).replace(tzinfo=None)
        cutoff = (now - keep).date()
        report = PruneReport(
            str(workspace.path), keep.total_seconds() / 86400, cutoff.isoformat(), dry_run
        )
        trash = workspace.trash_path()
        moves: list[Move] = []
        for name, spec in TABLES.items():
            if spec.time_column is None:
                continue
            old = [d for d in workspace.days(name) if date.fromisoformat(d) < cutoff]
            if old:
                report.partitions[name] = old
            for d in old:
                part = workspace.table_dir(name) / f"{DAY_PREFIX}{d}"
                moves.append(Move(part, trash / "store" / name / part.name))
        for name, files in _old_quarantine(workspace, cutoff).items():
            report.quarantine_files[name] = [p.name for p in files]
            moves += [Move(p, trash / "quarantine" / name / p.name) for p in files]
        if moves and not dry_run:
            workspace.apply(moves, discard=[trash])
        return report


def _old_quarantine(ws: Workspace, cutoff: date) -> dict[str, list[Path]]:
    """Quarantine files whose source file lies wholly before ``cutoff``."""
    log_path = ws.path / LOG_NAME
    if not log_path.exists() or not ws.quarantine_dir.is_dir():
        return {}
    by_prefix: dict[tuple[str, str], dict[str, Any]] = {}
    for e in json.loads(log_path.read_text("utf-8")).get("files", []):
        by_prefix[(e["table"], e["sha256"][:16])] = e
    out: dict[str, list[Path]] = {}
    for tdir in sorted(p for p in ws.quarantine_dir.iterdir() if p.is_dir()):
        for f in sorted(tdir.glob("*.parquet")):
            entry = by_prefix.get((tdir.name, f.stem))
            if entry is not None and _last_day(entry) < cutoff:
                out.setdefault(tdir.name, []).append(f)
    return out


def _last_day(entry: dict[str, Any]) -> date:
    days = entry.get("days") or []
    if days:
        return date.fromisoformat(max(days))
    spec = TABLES.get(entry["table"])
    if spec is not None and spec.time_column is None:
        return date.max  # reference tables (subscribers, cells): kept while the store is
    return datetime.fromisoformat(entry["ingested_at"]).date()
