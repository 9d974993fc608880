"""Rolling detection windows over a standing workspace.

A window is a half-open interval ``[start, end)`` of naive local wall-clock time (the store's
time stamps are local time in the workspace's time zone). Detection over a window reads only
the day partitions it overlaps and only the rows inside it, so a daily run costs the same on
day 9 as on day 900.

>>> w = Window.ending(parse_as_of("2026-03-08"), parse_span("7d"))
>>> w.start.isoformat(), w.end.isoformat()
('2026-03-01T00:00:00', '2026-03-08T00:00:00')
>>> w.days()[0], w.days()[-1], len(w.days())
('2026-03-01', '2026-03-07', 7)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fraudwall.errors import InputError

_SPAN = re.compile(r"^\s*(\d+)\s*([dhw])\s*$")
_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


def parse_span(text: str, *, option: str = "--window") -> timedelta:
    """A duration written ``7d``, ``36h`` or ``2w`` (whole hours, days or weeks, positive).

    >>> parse_span("180d").days
    180
    >>> parse_span("7x")
    Traceback (most recent call last):
    ...
    fraudwall.errors.InputError: field --window: '7x' is not a duration like 7d, 36h or 2w
    """
    m = _SPAN.match(text or "")
    if not m or int(m.group(1)) == 0:
        raise InputError(f"{text!r} is not a duration like 7d, 36h or 2w", field=option)
    return int(m.group(1)) * _UNITS[m.group(2)]


def parse_as_of(text: str, timezone: str | None = None) -> datetime:
    """``--as-of``: an ISO date (midnight) or date-time, as naive local time.

    A time with an offset is converted to ``timezone`` (the workspace's) first.

    >>> parse_as_of("2026-03-08T06:30").isoformat()
    '2026-03-08T06:30:00'
    >>> parse_as_of("2026-03-07T22:30:00+00:00", "Asia/Shanghai").isoformat()
    '2026-03-08T06:30:00'
    """
    try:
        at = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InputError(
            f"{text!r} is not a date or date-time (YYYY-MM-DD[THH:MM[:SS]])", field="--as-of"
        ) from None
    if at.tzinfo is not None:
        at = at.astimezone(ZoneInfo(timezone or "UTC")).replace(tzinfo=None)
    return at


@dataclass(frozen=True)
class Window:
    """``[start, end)`` in naive local time; ``span`` is how it was asked for (``7d``)."""

    start: datetime
    end: datetime
    span: str = ""

    @classmethod
    def ending(cls, end: datetime, length: timedelta, span: str = "") -> Window:
        return cls(end - length, end, span)

    def days(self) -> list[str]:
        """The local dates (``YYYY-MM-DD``) the window overlaps, in order."""
        first: date = self.start.date()
        last: date = (self.end - timedelta(microseconds=1)).date()
        n = (last - first).days + 1
        return [(first + timedelta(days=i)).isoformat() for i in range(max(n, 0))]

    def to_dict(self) -> dict[str, Any]:
        """As recorded in ``run.json``."""
        return {
            "span": self.span,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "days": self.days(),
        }
