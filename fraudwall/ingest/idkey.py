"""Raw ID numbers replaced by a keyed hash as they are read (``fraudwall ingest --id-key-file``).

An operator that can only export raw resident ID numbers gives ingestion a secret key; every
raw 18-character ID in a holder column becomes ``HMAC-SHA256(key, normalised ID)`` in hex
before validation, so the raw value reaches neither the store nor the quarantine. A plain
(unkeyed) SHA-256 would not do: the ID space (birth date, region, sequence) is small enough to
enumerate, so anyone holding the store could reverse an unkeyed hash.

The key is the *sharing group's* holder key (``fraudwall share key group``): operators that use
the same key pseudonymise the same person to the same ``holder_id_hash``, which is what lets a
partner's blacklisted holder be recognised here (see docs/operations.md, "Sharing with other
operators").

>>> key = bytes(32)
>>> pseudonymise_id("11010519491231002x", key) == pseudonymise_id(" 11010519491231002X ", key)
True
>>> len(pseudonymise_id("11010519491231002X", key))
64
"""

from __future__ import annotations

import hashlib
import hmac
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from fraudwall.contract import Table
from fraudwall.errors import InputError

#: A Chinese resident ID number (17 digits and a check character), as ingestion rejects it.
RAW_ID_RE = r"^\s*\d{17}[\dXx]\s*$"
#: Domain separation: the same key never yields the same bytes for another purpose.
_CONTEXT = b"fraudwall/holder-id/v1\x00"
_HEX_KEY = re.compile(r"^[0-9a-fA-F]{64,}$")
#: Columns that hold a holder pseudonym (and, in ``labels``, ``entity_id`` of holder rows).
_HOLDER_COLUMN = "holder_id_hash"


def read_key_file(path: str | Path) -> bytes:
    """The key in ``path``: one line of at least 64 hex digits (32 bytes or more).

    Raises :class:`InputError` naming the file when it is missing, unreadable or too short.
    """
    where = str(path)
    try:
        text = Path(path).read_text("ascii").strip()
    except FileNotFoundError:
        raise InputError("no such key file", file=where) from None
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"cannot read key file: {e}", file=where) from None
    if not _HEX_KEY.match(text) or len(text) % 2:
        raise InputError("a key file holds one line of 64 or more hex digits", file=where)
    return bytes.fromhex(text)


def normalise_id(raw: str) -> str:
    """A raw ID number as it is hashed: surrounding blanks removed, check letter upper-case.

    >>> normalise_id(" 11010519491231002x")
    '11010519491231002X'
    """
    return raw.strip().upper()


def pseudonymise_id(raw: str, key: bytes) -> str:
    """The ``holder_id_hash`` of one raw ID number under ``key`` (64 hex digits)."""
    return hmac.new(key, _CONTEXT + normalise_id(raw).encode("ascii"), hashlib.sha256).hexdigest()


def pseudonymise_batch(table: Table, batch: pa.RecordBatch, key: bytes | None) -> pa.RecordBatch:
    """``batch`` with every raw ID in its holder columns replaced by its keyed hash.

    Without a key the batch is returned as it is (validation then rejects raw IDs as before).
    Values that are not raw IDs (already hashed by the operator) are left alone. Each distinct
    raw ID is hashed once, so the Python work is per holder, not per row.
    """
    if key is None:
        return batch
    names = [_HOLDER_COLUMN] if table.name != "labels" else ["entity_id"]
    for name in names:
        i = batch.schema.get_field_index(name)
        if i < 0:
            continue
        text = pc.cast(batch.column(i), pa.string())
        looks_raw = pc.fill_null(pc.match_substring_regex(text, RAW_ID_RE), False)
        if name == "entity_id" and "entity_type" in batch.schema.names:
            kind = pc.cast(batch.column("entity_type"), pa.string())
            holder = pc.fill_null(pc.equal(pc.utf8_trim_whitespace(kind), _HOLDER_COLUMN), False)
            looks_raw = pc.and_(looks_raw, holder)
        if not pc.any(looks_raw).as_py():
            continue
        raw = pc.filter(text, looks_raw)
        distinct = pc.unique(raw)
        hashed = pa.array([pseudonymise_id(v, key) for v in distinct.to_pylist()], pa.string())
        mapped = pc.take(hashed, pc.index_in(text, value_set=distinct))
        batch = batch.set_column(
            i, pa.field(name, pa.string()), pc.if_else(looks_raw, mapped, text)
        )
    return batch
