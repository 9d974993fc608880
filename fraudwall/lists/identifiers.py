"""The kinds of blacklist and how their identifiers are normalised before they are stored,
matched or turned into partner tokens.

>>> normalise("numbers", "138 1234 5678")
'+8613812345678'
>>> normalise("imeis", "35-693803-564380-9")
'35693803564380'
>>> normalise("domains", "HTTPS://Pay.Example.COM/x")
'pay.example.com'
"""

from __future__ import annotations

import re
from typing import Literal, get_args

import pyarrow as pa

from fraudwall.errors import InputError
from fraudwall.ingest.normalize import normalize_domain, normalize_msisdn

ListName = Literal["numbers", "imeis", "holders", "outlets", "domains"]
LIST_NAMES: tuple[str, ...] = get_args(ListName)
#: The entity type (as in leads and cases) each list holds.
ENTITY_TYPE: dict[str, str] = {
    "numbers": "msisdn",
    "imeis": "imei",
    "holders": "holder_id_hash",
    "outlets": "outlet_id",
    "domains": "domain",
}
LIST_OF_ENTITY: dict[str, str] = {v: k for k, v in ENTITY_TYPE.items()}

_IMEI = re.compile(r"^\d{14,16}$")
_HOLDER = re.compile(r"^[A-Za-z0-9_.:+/=-]{1,128}$")
_OUTLET = re.compile(r"^[^\x00-\x1f]{1,128}$")
_RAW_ID = re.compile(r"^\d{17}[\dXx]$")


def check_list(name: str) -> str:
    """``name`` if it is a list; :class:`InputError` naming the field otherwise."""
    if name not in LIST_NAMES:
        raise InputError(f"unknown list {name!r}; one of {', '.join(LIST_NAMES)}", field="list")
    return name


def normalise(list_name: str, value: str, *, field: str = "value") -> str:
    """The canonical form of ``value`` for list ``list_name``; :class:`InputError` if invalid.

    Numbers become E.164 as at ingestion; IMEIs keep their first 14 digits (TAC and serial: the
    check digit and software version vary for one device); domains lose scheme, path and case;
    holders and outlets are trimmed. A raw 18-character ID number is refused as a holder: lists
    hold the pseudonym (``holder_id_hash``), never the ID.
    """
    check_list(list_name)
    text = (value or "").strip()
    if not text:
        raise InputError("empty identifier", field=field)
    if list_name == "numbers":
        out, ok = normalize_msisdn(pa.array([text], pa.string()))
        if not ok[0].as_py():
            raise InputError(f"not a phone number: {_show(text)}", field=field)
        return str(out[0].as_py())
    if list_name == "imeis":
        digits = re.sub(r"[\s-]", "", text)
        if not _IMEI.match(digits):
            raise InputError(f"an IMEI has 14 to 16 digits: {_show(text)}", field=field)
        return digits[:14]
    if list_name == "holders":
        if _RAW_ID.match(text):
            raise InputError(
                "a raw ID number: lists hold the holder_id_hash (pseudonymise it with the "
                "sharing group's key)",
                field=field,
            )
        if not _HOLDER.match(text):
            raise InputError("not a holder_id_hash", field=field)
        return text
    if list_name == "domains":
        dom = normalize_domain(pa.array([text], pa.string()))[0].as_py()
        if not dom or len(dom) > 253:
            raise InputError(f"not a domain: {_show(text)}", field=field)
        return str(dom)
    if not _OUTLET.match(text):
        raise InputError("an outlet id has 1 to 128 printable characters", field=field)
    return text


def _show(text: str) -> str:
    return repr(text[:40] + ("…" if len(text) > 40 else ""))
