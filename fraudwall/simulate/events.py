"""Events of one day before they become table rows.

Generators describe what happened as integer arrays: a call from party ``a`` to party ``b``
(number-book indices) at second ``t`` lasting ``dur`` seconds; a message; a data session; a
network event. :mod:`fraudwall.simulate.render` turns a batch into contract tables (one row
per call leg, strings, timestamps).
"""

from __future__ import annotations

import numpy as np

from fraudwall.contract.tables import DEVICE_EVENTS

EVENT_CODES = {name: i for i, name in enumerate(DEVICE_EVENTS)}
#: Kind of an SMS left to :mod:`fraudwall.simulate.sms_content` to decide from its sender.
AUTO_KIND = -1


class Rows:
    """Column arrays appended piece by piece and concatenated once."""

    def __init__(self, *fields: str) -> None:
        self.fields = fields
        self._parts: dict[str, list[np.ndarray]] = {f: [] for f in fields}
        self.size = 0

    def add(self, **cols: np.ndarray | int) -> None:
        sizes = [np.size(v) for v in cols.values() if np.ndim(v) > 0]
        if not sizes or min(sizes) == 0:
            return
        n = max(sizes)
        for f in self.fields:
            self._parts[f].append(np.broadcast_to(np.asarray(cols[f], dtype=np.int64), (n,)))
        self.size += n

    def arrays(self) -> dict[str, np.ndarray]:
        return {
            f: np.concatenate(p) if p else np.empty(0, dtype=np.int64)
            for f, p in self._parts.items()
        }


class Batch:
    """All events a generator produced for one slice of a day."""

    def __init__(self) -> None:
        self.calls = Rows("a", "b", "t", "dur")
        self.sms = Rows("a", "b", "t", "length", "kind")
        self.sessions = Rows("sub", "t", "domain", "up", "down")
        self.signals = Rows("sub", "event", "t")

    def call(
        self, a: np.ndarray | int, b: np.ndarray | int, t: np.ndarray, dur: np.ndarray
    ) -> None:
        """Calls from ``a`` to ``b``: one leg per own party is written."""
        self.calls.add(a=a, b=b, t=t, dur=dur)

    def text(
        self,
        a: np.ndarray | int,
        b: np.ndarray | int,
        t: np.ndarray,
        length: np.ndarray | int,
        kind: np.ndarray | int = AUTO_KIND,
    ) -> None:
        """SMS from ``a`` to ``b``; ``kind`` is what they say (an index into
        :data:`fraudwall.simulate.sms_templates.KINDS`; by default decided from the sender)."""
        self.sms.add(a=a, b=b, t=t, length=length, kind=kind)

    def session(
        self,
        sub: np.ndarray | int,
        t: np.ndarray,
        domain: np.ndarray | int,
        rng: np.random.Generator,
        scale: np.ndarray | float = 1.0,
    ) -> None:
        """Data sessions of ``sub`` to ``domain`` with typical byte counts (``scale`` x)."""
        n = np.size(t)
        down = np.rint(np.exp(rng.normal(np.log(200_000 * scale), 1.4, n))).astype(np.int64)
        up = np.rint(down * rng.uniform(0.03, 0.3, n)).astype(np.int64)
        self.sessions.add(sub=sub, t=t, domain=domain, up=up, down=down)

    def signal(self, sub: np.ndarray | int, event: str, t: np.ndarray | int) -> None:
        """Network events of one kind (``attach``, ``sim_change``, ...)."""
        self.signals.add(sub=sub, event=EVENT_CODES[event], t=t)

    def __len__(self) -> int:
        return self.calls.size + self.sms.size + self.sessions.size + self.signals.size
