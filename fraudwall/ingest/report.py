"""What an ingestion did: counts per file and per table, notices, rejection reasons.

Every file satisfies ``rows_read == accepted + rejected + duplicates``: nothing is dropped
silently. A file already ingested earlier is listed with ``skipped=True`` and zero counts.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from fraudwall.contract import TABLES
from fraudwall.ingest.dedup import duplicate_reason


@dataclass
class FileReport:
    """Counts of one input file."""

    table: str
    #: Path relative to the data directory.
    file: str
    sha256: str
    bytes: int
    format: str
    encoding: str | None = None
    rows_read: int = 0
    accepted: int = 0
    rejected: int = 0
    duplicates: int = 0
    #: Already ingested (same content hash): nothing was read this time.
    skipped: bool = False
    #: Rejected rows per reason (duplicates excluded; they are counted in ``duplicates``).
    reasons: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def balanced(self) -> bool:
        """Whether every row read was accepted, rejected or counted as a duplicate."""
        return self.rows_read == self.accepted + self.rejected + self.duplicates


@dataclass
class TableReport:
    """Counts of one table: the sum over its files."""

    name: str
    files: list[FileReport] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def accepted(self) -> int:
        return sum(f.accepted for f in self.files)

    @property
    def rejected(self) -> int:
        return sum(f.rejected for f in self.files)

    @property
    def duplicates(self) -> int:
        return sum(f.duplicates for f in self.files)

    @property
    def skipped(self) -> int:
        """Files skipped because they were ingested before."""
        return sum(f.skipped for f in self.files)


@dataclass
class IngestReport:
    """The outcome of :func:`fraudwall.ingest.ingest`."""

    data_dir: str
    workspace: str
    timezone: str
    #: Tables found in the data directory, in contract order.
    tables: dict[str, TableReport] = field(default_factory=dict)
    #: Entries of the data directory that are not tables.
    ignored: list[str] = field(default_factory=list)
    #: Things a person should know (ignored entries, dropped columns, skipped files).
    notices: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def files(self) -> list[FileReport]:
        return [f for t in self.tables.values() for f in t.files]

    @property
    def rows_read(self) -> int:
        return sum(t.rows_read for t in self.tables.values())

    @property
    def accepted(self) -> int:
        return sum(t.accepted for t in self.tables.values())

    @property
    def rejected(self) -> int:
        return sum(t.rejected for t in self.tables.values())

    @property
    def duplicates(self) -> int:
        return sum(t.duplicates for t in self.tables.values())

    def rejected_by_reason(self, *, duplicates: bool = True) -> dict[str, dict[str, int]]:
        """Rejected-row counts by table and reason, most frequent reason first.

        With ``duplicates`` (the default), duplicates appear under their reason
        (``duplicate record_id``, ``duplicate row``) next to the validation failures.
        """
        out: dict[str, dict[str, int]] = {}
        for name, t in self.tables.items():
            counts: Counter[str] = Counter()
            for f in t.files:
                counts.update(f.reasons)
                if duplicates and f.duplicates:
                    counts[duplicate_reason(TABLES[name])] += f.duplicates
            if counts:
                out[name] = dict(counts.most_common())
        return out

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the report with per-table totals."""
        return {
            "data_dir": self.data_dir,
            "workspace": self.workspace,
            "timezone": self.timezone,
            "seconds": self.seconds,
            "ignored": list(self.ignored),
            "notices": list(self.notices),
            "tables": {
                name: {
                    "rows_read": t.rows_read,
                    "accepted": t.accepted,
                    "rejected": t.rejected,
                    "duplicates": t.duplicates,
                    "files": [asdict(f) for f in t.files],
                }
                for name, t in self.tables.items()
            },
            "rejected_by_reason": self.rejected_by_reason(),
        }
