"""The append-only audit log (``AuditEntry``): ``record(session, *, actor, action, entity_type,
entity_id, detail, via)`` and ``list_entries(session, *, entity_type, entity_id, ...)``.

Changing or deleting an entry is refused by the ORM (:mod:`fraudwall.audit.guard`) and, in the
database, by triggers.
"""

from __future__ import annotations

from fraudwall.audit import guard as _guard  # noqa: F401  (installs the append-only guard)
from fraudwall.audit.guard import AuditImmutable
from fraudwall.audit.models import AuditEntry, AuditRead
from fraudwall.audit.service import list_entries, record

__all__ = ["AuditEntry", "AuditImmutable", "AuditRead", "list_entries", "record"]
