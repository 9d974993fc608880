"""Ingestion of a contract data directory into a workspace.

>>> from fraudwall.ingest import ingest          # doctest: +SKIP
>>> report = ingest("data/", Workspace("ws/"))   # doctest: +SKIP
>>> report.tables["calls"].accepted              # doctest: +SKIP

The API used by ``fraudwall ingest`` and ``fraudwall run``: :func:`ingest` returns an
:class:`IngestReport` (per-table and per-file counts, notices, rejections by reason).
"""

from fraudwall.ingest.orchestrate import EventCallback, IngestProgress, ProgressCallback, ingest
from fraudwall.ingest.quarantine import QUARANTINE_SCHEMA
from fraudwall.ingest.report import FileReport, IngestReport, TableReport
from fraudwall.ingest.validate import raw_column, stored_schema

__all__ = [
    "QUARANTINE_SCHEMA",
    "EventCallback",
    "FileReport",
    "IngestProgress",
    "IngestReport",
    "ProgressCallback",
    "TableReport",
    "ingest",
    "raw_column",
    "stored_schema",
]
