"""``fraudwall audit``: the append-only log of who did what."""

from __future__ import annotations

from typing import Annotated

import typer

from fraudwall.cli.dbopts import DbOpt, JsonOpt, emit, unit_of_work


def audit(
    entity: Annotated[
        str | None,
        typer.Option("--entity", help="TYPE or TYPE:ID, e.g. case:12, batch:3, action, appeal"),
    ] = None,
    actor: Annotated[str | None, typer.Option("--actor", help="only what this user did")] = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
) -> None:
    """Show the audit log, oldest first."""
    from fraudwall.audit import list_entries

    entity_type, _, entity_id = (entity or "").partition(":")
    with unit_of_work(db, readonly=True) as s:
        rows = list_entries(
            s, entity_type=entity_type or None, entity_id=entity_id or None, actor=actor
        )
    emit(
        rows,
        as_json=as_json,
        columns=("id", "at", "actor", "action", "entity_type", "entity_id", "via", "detail"),
        title="audit",
    )
