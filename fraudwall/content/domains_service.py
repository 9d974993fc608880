"""Domain blocklist export and domain scoring: what ``fraudwall domains`` calls."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fraudwall.content.blocklist import DEFAULT_ZONE, write_blocklist
from fraudwall.content.domain_signals import lexical_risk, load_brands
from fraudwall.content.extract import to_ascii
from fraudwall.content.runs import blocked_domains
from fraudwall.errors import InputError


def export_domains(
    *, run: Path, fmt: str, out: Path, min_level: str = "medium", zone: str = DEFAULT_ZONE
) -> dict[str, Any]:
    """Write the run's fraud domains as a blocklist in ``fmt``."""
    names = blocked_domains(run, min_level=min_level)
    return write_blocklist(
        names, fmt=fmt, out=out, zone=zone, comment=f"run {Path(run).name}, level >= {min_level}"
    )


def score_names(*, names: list[str], brands: Path | None = None) -> list[dict[str, Any]]:
    """Lexical risk of each name (bad names are an error naming their position)."""
    book = load_brands(brands)
    out = []
    for i, raw in enumerate(names, start=1):
        host = to_ascii(raw)
        if host is None:
            raise InputError(f"{raw!r} is not a domain name", row=i, field="domain")
        r = lexical_risk(host, book)
        out.append(
            {
                "domain": host,
                "score": r.score,
                "signals": list(r.signals),
                "reasons": list(r.reasons),
            }
        )
    return out
