"""Blacklists, the point-of-sale registration check and sharing lists with other operators.

- :mod:`fraudwall.lists.identifiers`: the five kinds of list and how each identifier is
  normalised, so the same number, device or holder always matches itself.
- :mod:`fraudwall.lists.models`, :mod:`fraudwall.lists.service`: list entries in the case
  database (source, reason, case link, added-by, expiry; removal is a soft delete, audited).
- :mod:`fraudwall.lists.check`: the registration check (``allow`` | ``review`` | ``deny``),
  answered from an in-memory snapshot so a point-of-sale request scans nothing.
- :mod:`fraudwall.lists.keys`, :mod:`fraudwall.lists.sharing`: keyed tokens and signed files
  for exchanging lists with partner operators without revealing identities.

This package's ``__init__`` imports nothing, so ingestion can use the identifier rules
without loading the database layer.
"""
