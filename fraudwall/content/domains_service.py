"""Domain blocklist export and domain scoring: what ``fraudwall domains`` calls."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fraudwall.content.blocklist import DEFAULT_ZONE, write_blocklist
from fraudwall.content.domain_signals import lexical_risk, load_brands
from fraudwall.content.extract import to_ascii
from fraudwall.content.runs import blocked_domains
from fraudwall.errors import InputError

#: How the `domains` blacklist entries a domain export keeps are told apart from others.
EXPORT_ORIGIN = "domains export"


def export_domains(
    *,
    run: Path,
    fmt: str,
    out: Path,
    min_level: str = "medium",
    zone: str = DEFAULT_ZONE,
    db: str | None = None,
    actor: str | None = None,
) -> dict[str, Any]:
    """Write the run's fraud domains as a blocklist in ``fmt``. With a database URL ``db``,
    also keep the case database's ``domains`` blacklist in step (as ``actor``): every exported
    name listed, names an earlier export listed and this one no longer has removed (audited);
    the database is written only after the file, in one unit of work."""
    if db is not None and not actor:
        raise InputError("storing the list in the database needs --as NAME", field="as")
    names = blocked_domains(run, min_level=min_level)
    comment = f"run {Path(run).name}, level >= {min_level}"
    result = write_blocklist(names, fmt=fmt, out=out, zone=zone, comment=comment)
    if db is not None:
        from fraudwall.db import open_database
        from fraudwall.lists.service import refresh_entries

        database = open_database(db)
        try:
            with database.session(via="cli:domains export") as session:
                result["blacklist"] = refresh_entries(
                    session,
                    list_name="domains",
                    values=names,
                    actor=str(actor),
                    reason_code="fraud_domain",
                    origin=EXPORT_ORIGIN,
                    detail=comment,
                )
        finally:
            database.dispose()
    return result


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
