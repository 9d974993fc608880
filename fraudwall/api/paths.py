"""Server-side folders the service reads from and writes to, named by its settings only.

A client never hands the server a path: it names a run directory by its bare name under
``FRAUDWALL_RUNS_DIR``, and exports, deliveries and provisioning commands go where the
operator configured them. Anything else is refused before a file is touched.

>>> named_under(Path("/srv/runs"), "2026-12-01", field="run", setting="FRAUDWALL_RUNS_DIR")
PosixPath('/srv/runs/2026-12-01')
>>> named_under(Path("/srv/runs"), "../etc", field="run", setting="RUNS")
Traceback (most recent call last):
...
fraudwall.errors.InputError: field run: a bare name under RUNS: letters, digits, . _ - only
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TypeVar

from fraudwall.errors import FraudwallError, InputError

_NAME = re.compile(r"^(?!\.)[A-Za-z0-9._-]{1,128}$")
T = TypeVar("T")


class NotConfigured(FraudwallError):
    """The call needs a setting the operator has not given the service."""

    http_status = 503


def configured(value: T | None, setting: str) -> T:
    """``value``, or :class:`NotConfigured` naming the variable to set."""
    if value is None:
        raise NotConfigured(f"the service has no {setting}; set it to use this call")
    return value


def named_under(root: Path | None, name: str, *, field: str, setting: str) -> Path:
    """The entry ``name`` (a bare name, no separators, not hidden) of the folder ``root``."""
    folder = configured(root, setting)
    if not _NAME.match(name):
        raise InputError(f"a bare name under {setting}: letters, digits, . _ - only", field=field)
    return Path(folder) / name
