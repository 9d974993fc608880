"""The file two operators exchange blacklists in: keyed tokens, reason codes, a signed manifest.

An entry leaves as ``HMAC-SHA256(partner key, context ‖ entity type ‖ normalised identifier)``:
the partner, holding the same key, computes the same token from its own subscribers'
identifiers and so recognises a listed number, device or holder it already knows, but learns
nothing about identifiers it does not hold (and cannot enumerate them without the key). A
file made for one partner is useless under another partner's key.

The file is one JSON document::

    {"manifest": {...}, "signature": "<hex Ed25519 signature of the canonical manifest>",
     "entries": [{"token": "<64 hex>", "reason_code": "fraud_caller", "expires_at": null}, ...]}

The manifest names sender and recipient, the list, creation and expiry, the SHA-256 of the
canonical entries and a *key check* (an HMAC of a fixed string under the partner key), so a file
that was altered, re-signed, expired, meant for someone else or made under another key is
rejected whole by :func:`read_share_file`.

>>> key = bytes(32)
>>> token(key, "msisdn", "+8613812345678") == token(key, "msisdn", "+8613812345678")
True
>>> token(key, "msisdn", "+8613812345678") == token(bytes(31) + b"x", "msisdn", "+8613812345678")
False
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fraudwall.contract import SCENARIOS
from fraudwall.errors import InputError
from fraudwall.lists.identifiers import ENTITY_TYPE, check_list
from fraudwall.lists.keys import Partner, verify

FORMAT = "fraudwall-share/1"
_TOKEN_CONTEXT = b"fraudwall/share-token/v1\x00"
_KEY_CHECK = b"fraudwall/share-key-check/v1"
#: Reason codes a shared entry may carry: the scenarios, and where the listing came from.
REASON_CODES: frozenset[str] = frozenset(SCENARIOS) | {"police_report", "partner_report", "other"}
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
#: A file "created" further in the future than this is refused (clock skew allowance).
_SKEW = timedelta(hours=1)
#: Files above this size are refused before parsing.
MAX_FILE_BYTES = 256 << 20


class ShareRejected(InputError):
    """A shared file refused as a whole (tampered, expired, wrongly keyed or malformed)."""


def canonical(obj: Any) -> bytes:
    """The bytes that are hashed and signed: sorted keys, no blanks, UTF-8.

    >>> canonical({"b": 1, "a": [1, 2]})
    b'{"a":[1,2],"b":1}'
    """
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def token(key: bytes, entity_type: str, value: str) -> str:
    """The token of one normalised identifier under a partner key (64 hex digits)."""
    msg = _TOKEN_CONTEXT + entity_type.encode() + b"\x00" + value.encode("utf-8")
    return hmac.digest(key, msg, hashlib.sha256).hex()


def key_check(key: bytes) -> str:
    """A value that proves which key a file was made under without revealing it."""
    return hmac.digest(key, _KEY_CHECK, hashlib.sha256).hex()


@dataclass(frozen=True)
class SharedEntry:
    """One entry of a shared file."""

    token: str
    reason_code: str
    expires_at: datetime | None

    def as_json(self) -> dict[str, Any]:
        return {
            "token": self.token,
            "reason_code": self.reason_code,
            "expires_at": _iso(self.expires_at),
        }


@dataclass(frozen=True)
class SharedFile:
    """A verified shared file."""

    sender: str
    recipient: str
    list_name: str
    created_at: datetime
    expires_at: datetime
    entries: list[SharedEntry]
    sha256: str


def build_share_file(
    *,
    list_name: str,
    entries: list[SharedEntry],
    sender: str,
    recipient: str,
    partner_key: bytes,
    signer: Ed25519PrivateKey,
    created_at: datetime,
    expires_at: datetime,
) -> bytes:
    """The bytes of a signed shared file (entries sorted by token, so the same list gives the
    same file apart from its dates)."""
    check_list(list_name)
    body = [e.as_json() for e in sorted(entries, key=lambda e: e.token)]
    manifest = {
        "format": FORMAT,
        "from": sender,
        "to": recipient,
        "list": list_name,
        "entity_type": ENTITY_TYPE[list_name],
        "created_at": _iso(created_at),
        "expires_at": _iso(expires_at),
        "entries": len(body),
        "entries_sha256": hashlib.sha256(canonical(body)).hexdigest(),
        "key_check": key_check(partner_key),
        "signer": signer.public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        .hex(),
    }
    doc = {
        "manifest": manifest,
        "signature": signer.sign(canonical(manifest)).hex(),
        "entries": body,
    }
    return json.dumps(doc, ensure_ascii=False, indent=1).encode() + b"\n"


def read_share_file(path: str | Path, *, partner: Partner, us: str, now: datetime) -> SharedFile:
    """Read and verify a file ``partner`` sent ``us``; :class:`ShareRejected` names what is
    wrong, and nothing of a rejected file is used."""
    where = str(path)

    def reject(msg: str, field: str | None = None) -> ShareRejected:
        return ShareRejected(msg, file=where, field=field)

    p = Path(path)
    try:
        if p.stat().st_size > MAX_FILE_BYTES:
            raise reject(f"larger than {MAX_FILE_BYTES >> 20} MiB")
        data = p.read_bytes()
    except FileNotFoundError:
        raise reject("no such file") from None
    except IsADirectoryError:
        raise reject("a directory, not a shared file") from None
    sha = hashlib.sha256(data).hexdigest()
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise reject(f"not a JSON document: {e}") from None
    if not isinstance(doc, dict) or not all(k in doc for k in ("manifest", "signature", "entries")):
        raise reject("not a fraudwall shared file (manifest, signature and entries expected)")
    manifest, signature, body = doc["manifest"], doc["signature"], doc["entries"]
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise reject(f"unknown format (expected {FORMAT})", "manifest.format")
    if partner.public_key is None:
        raise reject(
            f"no public key held for partner {partner.name!r}; "
            f"add it with `fraudwall share key partner {partner.name} --public-key HEX`"
        )
    if manifest.get("signer") != partner.public_key.hex():
        raise reject(f"signed by a key that is not {partner.name!r}'s", "manifest.signer")
    verifier = partner.verifier()
    assert verifier is not None
    try:
        sig = bytes.fromhex(signature) if isinstance(signature, str) else b""
    except ValueError:
        sig = b""
    if not verify(verifier, sig, canonical(manifest)):
        raise reject("the signature does not verify: the manifest was altered", "signature")
    if manifest.get("from") != partner.name:
        raise reject(f"sent by {manifest.get('from')!r}, not {partner.name!r}", "manifest.from")
    if manifest.get("to") != us:
        raise reject(f"addressed to {manifest.get('to')!r}, not to {us!r}", "manifest.to")
    if not isinstance(body, list) or hashlib.sha256(canonical(body)).hexdigest() != manifest.get(
        "entries_sha256"
    ):
        raise reject("the entries do not match the signed manifest: the file was altered")
    if not hmac.compare_digest(str(manifest.get("key_check", "")), key_check(partner.hmac_key)):
        raise reject(
            f"made under a different key than the one agreed with {partner.name!r}",
            "manifest.key_check",
        )
    try:
        list_name = check_list(str(manifest.get("list")))
        created = _parse(manifest.get("created_at"), "manifest.created_at", required=True)
        expires = _parse(manifest.get("expires_at"), "manifest.expires_at", required=True)
    except InputError as e:
        raise reject(str(e)) from None
    assert created is not None and expires is not None
    if expires <= now:
        raise reject(f"expired at {_iso(expires)}", "manifest.expires_at")
    if created > now + _SKEW:
        raise reject(f"created in the future ({_iso(created)})", "manifest.created_at")
    if manifest.get("entries") != len(body):
        raise reject("entry count does not match the manifest", "manifest.entries")
    entries = []
    for i, item in enumerate(body, start=1):
        if not isinstance(item, dict) or not _HEX64.match(str(item.get("token", ""))):
            raise ShareRejected("not a token (64 hex digits)", file=where, row=i, field="token")
        code = item.get("reason_code")
        if code not in REASON_CODES:
            raise ShareRejected(
                f"unknown reason code {code!r}", file=where, row=i, field="reason_code"
            )
        try:
            exp = _parse(item.get("expires_at"), "expires_at")
        except InputError as e:
            raise ShareRejected(str(e), file=where, row=i, field="expires_at") from None
        entries.append(SharedEntry(item["token"], code, exp))
    return SharedFile(partner.name, us, list_name, created, expires, entries, sha)


def _iso(t: datetime | None) -> str | None:
    return None if t is None else t.astimezone(UTC).isoformat(timespec="microseconds")


def _parse(value: Any, field: str, *, required: bool = False) -> datetime | None:
    if value is None and not required:
        return None
    try:
        t = datetime.fromisoformat(str(value))
    except ValueError:
        raise InputError(f"not an ISO 8601 time: {value!r}", field=field) from None
    if t.tzinfo is None:
        raise InputError(f"a time without a time zone: {value!r}", field=field)
    return t.astimezone(UTC)
