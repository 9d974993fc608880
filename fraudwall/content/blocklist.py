"""Blocklists for real resolvers: DNS RPZ zone, Unbound local-zones, hosts file, adblock list.

Names are written as ASCII (IDNA punycode), lower case, sorted, once each. The RPZ zone blocks a
name and every name under it (``name CNAME .`` and ``*.name CNAME .``, i.e. NXDOMAIN); its SOA
serial is the export time in seconds and always above the serial of the file it replaces, so
secondaries and resolvers reload it.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterable
from pathlib import Path

from fraudwall.content.extract import to_ascii
from fraudwall.errors import InputError

FORMATS = ("rpz", "unbound", "hosts", "adblock")
DEFAULT_ZONE = "rpz.fraudwall"
_SERIAL = re.compile(r"^@\s+(?:\d+\s+)?IN\s+SOA\s+\S+\s+\S+\s+\(?\s*(\d+)", re.MULTILINE)


def clean_names(names: Iterable[str]) -> list[str]:
    """Valid names as ASCII, de-duplicated and sorted; anything else is an error.

    >>> clean_names(["B.example.com", "例子.中国", "b.example.com."])
    ['b.example.com', 'xn--fsqu00a.xn--fiqs8s']
    """
    out = set()
    for i, raw in enumerate(names, start=1):
        name = to_ascii(str(raw).strip())
        if name is None:
            raise InputError(f"{raw!r} is not a domain name", row=i, field="domain")
        out.add(name)
    return sorted(out)


def previous_serial(path: Path) -> int:
    """SOA serial of an existing RPZ file at ``path`` (0 when there is none)."""
    try:
        m = _SERIAL.search(Path(path).read_text("utf-8"))
    except (OSError, UnicodeDecodeError):
        return 0
    return int(m.group(1)) if m else 0


def render(
    names: list[str], fmt: str, *, zone: str = DEFAULT_ZONE, serial: int = 1, comment: str = ""
) -> str:
    """The blocklist text in one format.

    >>> print(render(["bad.top"], "unbound"), end="")
    server:
      local-zone: "bad.top." always_nxdomain
    >>> print(render(["bad.top"], "adblock"), end="")
    ||bad.top^
    """
    head = f"fraudwall blocklist: {len(names)} names" + (f"; {comment}" if comment else "")
    if fmt == "rpz":
        lines = [
            f"; {head}",
            "$TTL 300",
            f"$ORIGIN {zone.rstrip('.')}.",
            f"@ IN SOA localhost. hostmaster.localhost. ( {serial} 3600 600 864000 300 )",
            "@ IN NS localhost.",
        ]
        for n in names:
            lines += [f"{n} CNAME .", f"*.{n} CNAME ."]
        return "\n".join(lines) + "\n"
    if fmt == "unbound":
        body = [f'  local-zone: "{n}." always_nxdomain' for n in names]
        return "\n".join(["server:", *body]) + "\n"
    if fmt == "hosts":
        return "".join(f"0.0.0.0 {n}\n" for n in names)
    if fmt == "adblock":
        return "".join(f"||{n}^\n" for n in names)
    raise InputError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})", field="format")


def write_blocklist(
    names: Iterable[str], *, fmt: str, out: Path, zone: str = DEFAULT_ZONE, comment: str = ""
) -> dict[str, object]:
    """Write the blocklist atomically; returns what was written (names, serial)."""
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})", field="format")
    clean = clean_names(names)
    out = Path(out)
    serial = max(int(time.time()), previous_serial(out) + 1) if fmt == "rpz" else None
    text = render(clean, fmt, zone=zone, serial=serial or 1, comment=comment)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(text, "utf-8")
    os.replace(tmp, out)
    return {"format": fmt, "out": str(out), "names": len(clean), "serial": serial}
