"""The key store for sharing lists: our Ed25519 signing key, one HMAC key per partner, the
sharing group's holder key. Keys live in files (never in the database, so a database dump
reveals none of them), in a directory readable by the service's user only.

Layout of a key directory (``--keys``, else ``$FRAUDWALL_KEYS_DIR``, else ``./fraudwall-keys``)::

    operator.json        {"operator": "cq-telecom"}   our name as partners know us
    signing.key          Ed25519 private key (PKCS#8 PEM), mode 0600
    group.key            the sharing group's holder key (hex), the ``--id-key-file`` of ingest
    partners/P.json      {"hmac_key": hex, "public_key": hex | null}, mode 0600

>>> import tempfile
>>> store = KeyStore(tempfile.mkdtemp())
>>> info = store.init(operator="cq-telecom")
>>> len(store.public_key_hex())
64
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from fraudwall.errors import Conflict, FraudwallError, InputError, NotFound
from fraudwall.ingest.idkey import read_key_file

ENV_VAR = "FRAUDWALL_KEYS_DIR"
DEFAULT_DIR = "fraudwall-keys"
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


class KeyUnusable(FraudwallError):
    """A key that is missing or unusable."""

    http_status = 422


def resolve_keys_dir(cli_value: str | Path | None = None) -> Path:
    """``--keys``, else ``$FRAUDWALL_KEYS_DIR``, else ``./fraudwall-keys``."""
    return Path(cli_value or os.environ.get(ENV_VAR) or DEFAULT_DIR)


def check_name(name: str, *, field: str = "partner") -> str:
    """An operator name: lower-case letters, digits, ``_ . -`` (it becomes a file name).

    >>> check_name("cq-unicom")
    'cq-unicom'
    """
    if not _NAME.match(name or ""):
        raise InputError(
            f"{name!r}: lower-case letters, digits and _ . - only, at most 64", field=field
        )
    return name


def fingerprint(key: bytes) -> str:
    """A short, non-secret name of a key (first 16 hex digits of its SHA-256)."""
    return hashlib.sha256(b"fraudwall/fingerprint\x00" + key).hexdigest()[:16]


@dataclass(frozen=True)
class Partner:
    """What we hold for one partner operator."""

    name: str
    hmac_key: bytes
    public_key: bytes | None

    def verifier(self) -> Ed25519PublicKey | None:
        return Ed25519PublicKey.from_public_bytes(self.public_key) if self.public_key else None


def _write_secret(path: Path, data: bytes) -> None:
    """Write a secret file readable by its owner only, atomically."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


class KeyStore:
    """A key directory (see the module docstring)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    # -- our identity ------------------------------------------------------------------------
    @property
    def operator(self) -> str:
        """Our operator name, as partners know us."""
        try:
            return str(json.loads((self.path / "operator.json").read_text("utf-8"))["operator"])
        except FileNotFoundError:
            raise NotFound(f"{self.path}: no key store; run `fraudwall share key init`") from None

    def init(self, *, operator: str) -> dict[str, Any]:
        """Create our signing key (kept if it exists) and record our operator name."""
        check_name(operator, field="operator")
        self.path.mkdir(parents=True, exist_ok=True, mode=0o700)
        (self.path / "operator.json").write_text(json.dumps({"operator": operator}), "utf-8")
        key_file = self.path / "signing.key"
        if not key_file.exists():
            pem = Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            _write_secret(key_file, pem)
        return {"operator": operator, "public_key": self.public_key_hex(), "path": str(self.path)}

    def signing_key(self) -> Ed25519PrivateKey:
        try:
            key = serialization.load_pem_private_key(
                (self.path / "signing.key").read_bytes(), password=None
            )
        except FileNotFoundError:
            raise NotFound(f"{self.path}: no signing key; run `fraudwall share key init`") from None
        if not isinstance(key, Ed25519PrivateKey):
            raise KeyUnusable(f"{self.path / 'signing.key'}: not an Ed25519 key")
        return key

    def public_key_hex(self) -> str:
        """Our Ed25519 public key (hex), to give to partners."""
        raw = (
            self.signing_key()
            .public_key()
            .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        )
        return raw.hex()

    # -- the sharing group's holder key --------------------------------------------------------
    @property
    def group_key_file(self) -> Path:
        return self.path / "group.key"

    def set_group_key(self, key: bytes | None = None, *, replace: bool = False) -> bytes:
        """Store the sharing group's holder key (a new random one when ``key`` is None).

        Replacing it changes every holder pseudonym, so it needs ``replace=True``.
        """
        if self.group_key_file.exists() and not replace:
            raise Conflict(
                f"{self.group_key_file}: a group key exists; pass --replace to change it"
            )
        key = key if key is not None else secrets.token_bytes(32)
        if len(key) < 32:
            raise InputError("a group key has at least 32 bytes", field="key")
        _write_secret(self.group_key_file, (key.hex() + "\n").encode())
        return key

    def group_key(self) -> bytes:
        if not self.group_key_file.exists():
            raise NotFound(f"{self.path}: no group key; run `fraudwall share key group`")
        return read_key_file(self.group_key_file)

    # -- partners ------------------------------------------------------------------------------
    def _partner_file(self, name: str) -> Path:
        return self.path / "partners" / f"{check_name(name)}.json"

    def set_partner(
        self, name: str, *, hmac_key: bytes | None = None, public_key: str | None = None
    ) -> Partner:
        """Store (or update) a partner: the HMAC key agreed with it and its public key.

        Without ``hmac_key`` a partner that exists keeps its key, a new one gets a random key
        (to hand to the partner over a secure channel).
        """
        path = self._partner_file(name)
        old = self.partner(name) if path.exists() else None
        key = hmac_key or (old.hmac_key if old else secrets.token_bytes(32))
        if len(key) < 32:
            raise InputError("a partner key has at least 32 bytes", field="hmac_key")
        pub = old.public_key if old else None
        if public_key is not None:
            try:
                pub = bytes.fromhex(public_key.strip())
                Ed25519PublicKey.from_public_bytes(pub)
            except ValueError:
                raise InputError(
                    "an Ed25519 public key is 64 hex digits", field="public_key"
                ) from None
        doc = {"hmac_key": key.hex(), "public_key": pub.hex() if pub else None}
        _write_secret(path, json.dumps(doc).encode())
        return Partner(name, key, pub)

    def partner(self, name: str) -> Partner:
        """The partner ``name``; :class:`NotFound` when no key is held for it."""
        path = self._partner_file(name)
        try:
            doc = json.loads(path.read_text("utf-8"))
        except FileNotFoundError:
            raise NotFound(
                f"no key for partner {name!r}; run `fraudwall share key partner {name}`"
            ) from None
        pub = doc.get("public_key")
        return Partner(name, bytes.fromhex(doc["hmac_key"]), bytes.fromhex(pub) if pub else None)

    def partners(self) -> list[Partner]:
        """Every partner, by name."""
        folder = self.path / "partners"
        names = sorted(p.stem for p in folder.glob("*.json")) if folder.is_dir() else []
        return [self.partner(n) for n in names]

    def describe(self) -> dict[str, Any]:
        """What the store holds, with fingerprints only (never a secret)."""
        out: dict[str, Any] = {"path": str(self.path)}
        try:
            out["operator"] = self.operator
            out["public_key"] = self.public_key_hex()
        except NotFound:
            out["operator"] = out["public_key"] = None
        out["group_key"] = fingerprint(self.group_key()) if self.group_key_file.exists() else None
        out["partners"] = [
            {
                "name": p.name,
                "hmac_key": fingerprint(p.hmac_key),
                "public_key": p.public_key.hex() if p.public_key else None,
            }
            for p in self.partners()
        ]
        return out


def verify(public: Ed25519PublicKey, signature: bytes, message: bytes) -> bool:
    """Whether ``signature`` is ``public``'s signature of ``message``."""
    try:
        public.verify(signature, message)
    except InvalidSignature:
        return False
    return True
