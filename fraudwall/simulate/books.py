"""Books of identities: every number, device and SIM of the world is an integer index into one.

Events carry integer indices; strings are made only when a table is written, with one
``take`` per column. Own subscribers are the first ``n_own`` entries of the number book, so
``party < n_own`` tells an on-net party from an off-net one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa


@dataclass
class NumberBook:
    """All phone numbers: own subscribers first, then named ranges of external numbers."""

    n_own: int
    _parts: list[pa.Array] = field(default_factory=list)
    _ranges: dict[str, tuple[int, int]] = field(default_factory=dict)
    _size: int = 0
    _array: pa.StringArray | None = None

    def add(self, kind: str, numbers: pa.Array) -> np.ndarray:
        """Append a range of numbers under the name ``kind``; return their indices."""
        if self._array is not None:
            raise RuntimeError("number book is already frozen")
        lo = self._size
        self._parts.append(numbers.cast(pa.string()))
        self._size += len(numbers)
        self._ranges[kind] = (lo, self._size)
        return np.arange(lo, self._size, dtype=np.int64)

    def range(self, kind: str) -> tuple[int, int]:
        return self._ranges[kind]

    @property
    def array(self) -> pa.StringArray:
        """Every number as one Arrow array (built once, after all ranges were added)."""
        if self._array is None:
            self._array = pa.concat_arrays(self._parts)
        return self._array

    def take(self, idx: np.ndarray) -> pa.StringArray:
        return self.array.take(pa.array(idx, pa.int64()))

    def __len__(self) -> int:
        return self._size


@dataclass
class IdBook:
    """Devices (IMEIs) or SIMs (IMSIs): indices are handed out first, strings made at freeze."""

    size: int = 0
    strings: pa.StringArray | None = None

    def new(self, n: int) -> np.ndarray:
        """Reserve ``n`` new identities; return their indices."""
        lo = self.size
        self.size += int(n)
        return np.arange(lo, self.size, dtype=np.int64)

    def take(self, idx: np.ndarray) -> pa.Array:
        """Strings for ``idx``; a negative index gives null."""
        assert self.strings is not None
        idx = np.asarray(idx, dtype=np.int64)
        mask = idx < 0
        arr = pa.array(np.where(mask, 0, idx), pa.int64(), mask=mask if mask.any() else None)
        return self.strings.take(arr)


class Timeline:
    """Per-subscriber values that change at known times (handset or SIM swaps).

    ``value_at(sub, t)`` is the value of the latest change at or before ``t``, else the
    subscriber's default. Lookups are one vectorised ``searchsorted``.
    """

    def __init__(self, default: np.ndarray, horizon: int) -> None:
        self.default = default
        self.horizon = horizon + 1
        self._subs: list[np.ndarray] = []
        self._times: list[np.ndarray] = []
        self._values: list[np.ndarray] = []
        self._keys = np.empty(0, dtype=np.int64)
        self._vals = np.empty(0, dtype=np.int64)

    def add(self, subs: np.ndarray, times: np.ndarray, values: np.ndarray) -> None:
        """Record that ``subs[i]`` switches to ``values[i]`` at ``times[i]`` (seconds)."""
        self._subs.append(np.asarray(subs, dtype=np.int64))
        self._times.append(np.clip(np.asarray(times, dtype=np.int64), 0, self.horizon - 1))
        self._values.append(np.asarray(values, dtype=np.int64))
        keys = np.concatenate(self._subs) * self.horizon + np.concatenate(self._times)
        order = np.argsort(keys, kind="stable")
        self._keys = keys[order]
        self._vals = np.concatenate(self._values)[order]

    def value_at(self, subs: np.ndarray, times: np.ndarray) -> np.ndarray:
        subs = np.asarray(subs, dtype=np.int64)
        out = self.default[subs].astype(np.int64)
        if self._keys.size == 0 or subs.size == 0:
            return out
        q = subs * self.horizon + np.clip(times, 0, self.horizon - 1)
        pos = np.searchsorted(self._keys, q, side="right") - 1
        hit = pos >= 0
        hit[hit] = self._keys[pos[hit]] // self.horizon == subs[hit]
        out[hit] = self._vals[pos[hit]]
        return out

    def final(self) -> np.ndarray:
        """Each subscriber's value at the end of the period."""
        n = self.default.size
        return self.value_at(np.arange(n), np.full(n, self.horizon - 1, dtype=np.int64))
