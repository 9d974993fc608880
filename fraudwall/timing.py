"""Exclusive wall time per named piece of work, for ``run.json``.

Detectors share work: the first one to need a feature family or another detector's hits pays
for it. A :class:`Ledger` charges each piece to itself instead: time spent in a nested section
is taken off the section around it.

>>> ledger = Ledger()
>>> with ledger.section("bulk_sms"):
...     with ledger.section("features:number_calls"):
...         pass
>>> sorted(ledger.seconds)
['bulk_sms', 'features:number_calls']
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

#: Section prefix of what a run materialises once for all its readers (feature families and
#: the tables derived alike by several detectors): ``run.json`` lists them as features.
SHARED_SECTION = "features:"


class Ledger:
    """Seconds per section name, each excluding the nested sections it contains."""

    def __init__(self) -> None:
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self._open: list[tuple[str, float]] = []  # (name, when its current stretch started)

    @contextmanager
    def section(self, name: str) -> Iterator[None]:
        """Time the block as ``name``, pausing the enclosing section meanwhile."""
        now = time.perf_counter()
        if self._open:
            outer, since = self._open[-1]
            self.seconds[outer] += now - since
        self._open.append((name, now))
        try:
            yield
        finally:
            end = time.perf_counter()
            _, since = self._open.pop()
            self.seconds[name] += end - since
            if self._open:
                self._open[-1] = (self._open[-1][0], end)

    def rounded(self, prefix: str = "") -> dict[str, float]:
        """The sections whose name starts with ``prefix`` (removed), in milliseconds' precision."""
        return {
            k.removeprefix(prefix): round(v, 3)
            for k, v in self.seconds.items()
            if k.startswith(prefix)
        }
