"""The ingest log ``WS/ingest_log.json``: every ingested file's content hash and counts.

A file whose content hash is in the log for the same table was ingested before and is skipped,
which makes re-running an ingestion a no-op. The new version of the log is staged with each
file's rows and moved into place in the same journalled change (see
:meth:`fraudwall.store.Workspace.apply`), so the log and the store never disagree. Each entry
also lists the ``days`` its accepted rows fall on, which retention uses for the quarantine.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from dataclasses import asdict
from pathlib import Path
from typing import Any

from fraudwall.ingest.report import FileReport
from fraudwall.store import Workspace
from fraudwall.store.workspace import Move

LOG_NAME = "ingest_log.json"
_FIELDS = (
    "table",
    "file",
    "sha256",
    "bytes",
    "format",
    "encoding",
    "rows_read",
    "accepted",
    "rejected",
    "duplicates",
    "reasons",
)


class IngestLog:
    """The files a workspace has ingested, keyed by (table, content hash)."""

    def __init__(self, workspace: Workspace) -> None:
        self.path = workspace.path / LOG_NAME
        self.entries: list[dict[str, Any]] = []
        if self.path.exists():
            self.entries = list(json.loads(self.path.read_text("utf-8")).get("files", []))
        self._seen = {(e["table"], e["sha256"]): e for e in self.entries}

    def get(self, table: str, sha256: str) -> dict[str, Any] | None:
        """The log entry of a file with this content, if it was ingested into ``table``."""
        return self._seen.get((table, sha256))

    def add(self, report: FileReport, ingested_at: str, *, days: list[str] | None = None) -> None:
        """Record a file and save the log."""
        self._record(report, ingested_at, days)
        self._save()

    def stage(
        self, report: FileReport, ingested_at: str, directory: Path, *, days: list[str]
    ) -> Move:
        """Record a file and write the new log under ``directory``; returns the move that puts
        it in place, to be applied with the file's rows."""
        self._record(report, ingested_at, days)
        staged = directory / LOG_NAME
        staged.write_text(self._text(), "utf-8")
        return Move(staged, self.path, replace=True)

    def replace_entries(self, entries: list[dict[str, Any]], directory: Path) -> Move:
        """Stage a log holding ``entries`` (retention rewrites it); returns its move."""
        self.entries = list(entries)
        self._seen = {(e["table"], e["sha256"]): e for e in self.entries}
        staged = directory / LOG_NAME
        staged.write_text(self._text(), "utf-8")
        return Move(staged, self.path, replace=True)

    def stage_current(self, directory: Path) -> Move:
        """Write the log as it stands under ``directory``; returns the move that puts it in
        place (applied with the rows it records)."""
        staged = directory / LOG_NAME
        staged.write_text(self._text(), "utf-8")
        return Move(staged, self.path, replace=True)

    def record(self, report: FileReport, ingested_at: str, days: list[str] | None) -> None:
        """Record a file in memory (saved by :meth:`stage_current` or :meth:`add`)."""
        self._record(report, ingested_at, days)

    def _record(self, report: FileReport, ingested_at: str, days: list[str] | None) -> None:
        entry = {k: v for k, v in asdict(report).items() if k in _FIELDS}
        entry["ingested_at"] = ingested_at
        entry["days"] = sorted(days or [])
        self.entries.append(entry)
        self._seen[(report.table, report.sha256)] = entry

    def _text(self) -> str:
        return json.dumps({"version": 1, "files": self.entries}, indent=1, ensure_ascii=False)

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f"{LOG_NAME}.{uuid.uuid4().hex}.tmp")
        tmp.write_text(self._text(), "utf-8")
        os.replace(tmp, self.path)


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, read in chunks."""
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()
