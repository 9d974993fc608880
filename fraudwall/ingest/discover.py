"""Finding the tables of a data directory and reading its manifest.

A table is ``NAME.csv``, ``NAME.parquet`` or a directory ``NAME/`` of CSV/Parquet files
(searched recursively, so ``calls/day=2024-05-01/part-0.parquet`` works; files in sorted
path order). Other entries are ignored with a notice; hidden entries (``.x``) and
``_SUCCESS``-style markers are skipped silently.
"""

from __future__ import annotations

import json
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fraudwall.contract import TABLES
from fraudwall.errors import InputError
from fraudwall.store.workspace import DEFAULT_TIMEZONE

MANIFEST = "manifest.json"
FORMATS = {".csv": "csv", ".parquet": "parquet"}


@dataclass(frozen=True)
class SourceFile:
    """One input file of one table."""

    table: str
    path: Path
    #: Path relative to the data directory (POSIX), as reports and the quarantine name it.
    name: str
    size: int


@dataclass
class DataDir:
    """What a data directory holds."""

    path: Path
    #: Input files per table, in contract table order, each list in sorted path order.
    files: dict[str, list[SourceFile]]
    #: The manifest with defaults filled in (``timezone``).
    manifest: dict[str, Any]
    #: Entries that are not tables (relative names), reported as notices.
    ignored: list[str] = field(default_factory=list)


def _skipped(path: Path) -> bool:
    return path.name.startswith((".", "_"))


def read_manifest(data_dir: Path) -> dict[str, Any]:
    """The effective manifest: ``manifest.json`` if present, ``timezone`` defaulted and checked."""
    path = data_dir / MANIFEST
    manifest: dict[str, Any] = {}
    if path.exists():
        try:
            manifest = json.loads(path.read_text("utf-8-sig"))
        except (OSError, ValueError) as e:
            raise InputError(f"not a readable JSON file: {e}", file=str(path)) from e
        if not isinstance(manifest, dict):
            raise InputError("must hold a JSON object", file=str(path))
    tz = manifest.get("timezone", DEFAULT_TIMEZONE)
    try:
        zoneinfo.ZoneInfo(str(tz))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as e:
        raise InputError(f"unknown time zone {tz!r}", file=str(path), field="timezone") from e
    return {**manifest, "timezone": str(tz)}


def discover(data_dir: str | Path) -> DataDir:
    """Find every table's files in ``data_dir``; require ``subscribers`` and ``calls``.

    Raises :class:`InputError` when the directory or a required table is missing.
    """
    root = Path(data_dir)
    if not root.is_dir():
        raise InputError("data directory not found", file=str(root))
    files: dict[str, list[Path]] = {}
    ignored: list[str] = []
    for entry in sorted(root.iterdir()):
        if _skipped(entry) or entry.name == MANIFEST:
            continue
        if entry.is_dir() and entry.name in TABLES:
            for f in sorted(p for p in entry.rglob("*") if p.is_file()):
                rel = f.relative_to(root)
                if any(part.startswith((".", "_")) for part in rel.parts):
                    continue
                if f.suffix.lower() in FORMATS:
                    files.setdefault(entry.name, []).append(f)
                else:
                    ignored.append(rel.as_posix())
        elif entry.is_file() and entry.suffix.lower() in FORMATS and entry.stem in TABLES:
            files.setdefault(entry.stem, []).append(entry)
        else:
            ignored.append(entry.name + ("/" if entry.is_dir() else ""))
    for table in TABLES.values():
        if table.required_table and not files.get(table.name):
            raise InputError(
                f"required table {table.name!r} not found: expected {table.name}.csv, "
                f"{table.name}.parquet or a directory {table.name}/ of such files",
                file=str(root),
            )
    found = {
        name: [
            SourceFile(name, p, p.relative_to(root).as_posix(), p.stat().st_size)
            for p in files[name]
        ]
        for name in TABLES
        if name in files
    }
    return DataDir(root, found, read_manifest(root), ignored)
