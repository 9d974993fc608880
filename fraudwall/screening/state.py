"""Per-caller live state: sliding windows packed into a fixed 216-byte record.

One record per number holds three rings of saturating 8-bit counters — 10 one-minute buckets
(the 10-minute window), 6 ten-minute buckets (1 hour) and 12 two-hour buckets (24 hours) — a
ring of 24 fingerprints of the numbers it called most recently (novelty, call-backs, contacts),
three slots counting repeat calls to one callee (harassment) and the last number dialled with
the length of the ascending run (sequential dialling). The layout is the same in memory, in a
snapshot and in Redis, so every store holds exactly the same information, and its size is fixed:
memory grows with the number of callers, never with the number of calls.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

VERSION = 1
_HEAD = struct.Struct(
    "<BBBBIIBBq"
)  # version, flags, fp head, seq run, last_min, hold, rule, _, last
A_OFF, A_N, A_W, A_MIN = _HEAD.size, 10, 2, 1  # calls, new
B_OFF, B_N, B_W, B_MIN = A_OFF + A_N * A_W, 6, 5, 10  # calls, new, ended, answered, short
C_OFF, C_N, C_W, C_MIN = B_OFF + B_N * B_W, 12, 6, 120  # + callbacks
FP_OFF, FP_N = C_OFF + C_N * C_W, 24
REP_OFF, REP_N = FP_OFF + FP_N * 2, 3
_REP = struct.Struct("<HBBI")  # fingerprint, calls, answered, since minute
SIZE = REP_OFF + REP_N * _REP.size
CALLS, NEW, ENDED, ANSWERED, SHORT, CALLBACKS = range(6)


def fingerprint(number: str) -> int:
    """A 16-bit fingerprint of a number (never 0, which marks an empty slot).

    >>> 0 < fingerprint("+8613800000000") < 65536
    True
    """
    return (zlib.crc32(number.encode()) & 0xFFFF) or 1


def numeric(number: str) -> int:
    """The digits of a number as an integer, for sequential-dialling runs (0 if none).

    >>> numeric("+8613800000001") - numeric("+8613800000000")
    1
    """
    digits = number.lstrip("+")
    return int(digits) if digits.isdigit() and len(digits) <= 18 else 0


@dataclass(frozen=True)
class Windows:
    """Counts over the three sliding windows, as the rules read them."""

    calls_10m: int
    new_10m: int
    calls_1h: int
    new_1h: int
    ended_1h: int
    answered_1h: int
    calls_24h: int
    new_24h: int
    ended_24h: int
    answered_24h: int
    short_24h: int
    callbacks_24h: int
    sequential_run: int


class CallerState:
    """A caller's record; ``data`` is the packed bytes (what the stores keep)."""

    __slots__ = ("data",)

    def __init__(self, data: bytes | bytearray | None = None, *, copy: bool = True) -> None:
        if data is None:
            self.data = bytearray(SIZE)
            self.data[0] = VERSION
        else:
            if len(data) != SIZE or data[0] != VERSION:
                raise ValueError(f"caller state of {len(data)} bytes, version {data[0]} unknown")
            # the in-memory store hands its own buffer over (copy=False) to avoid a copy per call
            self.data = data if isinstance(data, bytearray) and not copy else bytearray(data)

    # -- header -------------------------------------------------------------------------------
    def _head(self) -> tuple[int, ...]:
        return _HEAD.unpack_from(self.data, 0)

    @property
    def last_minute(self) -> int:
        return int(self._head()[4])

    @property
    def hold(self) -> tuple[int, int]:
        """(minute until which a live block holds, rule code)."""
        h = self._head()
        return int(h[5]), int(h[6])

    def set_hold(self, until_minute: int, rule: int) -> None:
        h = list(self._head())
        h[5], h[6] = until_minute, rule
        _HEAD.pack_into(self.data, 0, *h)

    # -- time ---------------------------------------------------------------------------------
    def advance(self, minute: int) -> None:
        """Move the windows to ``minute``, clearing buckets that slid out (never rewinds)."""
        last = self.last_minute
        if minute <= last:
            return
        d = self.data
        for off, n, w, size in (
            (A_OFF, A_N, A_W, A_MIN),
            (B_OFF, B_N, B_W, B_MIN),
            (C_OFF, C_N, C_W, C_MIN),
        ):
            old, new = last // size, minute // size
            if last == 0 or new - old >= n:
                d[off : off + n * w] = bytes(n * w)
                continue
            for b in range(old + 1, new + 1):
                i = off + (b % n) * w
                d[i : i + w] = bytes(w)
        h = list(self._head())
        h[4] = minute
        _HEAD.pack_into(d, 0, *h)

    def _bump(self, minute: int, counter: int, rings: str = "ABC") -> None:
        d = self.data
        for ring in rings:
            off, n, w, size = _RINGS[ring]
            if counter >= w:
                continue
            i = off + ((minute // size) % n) * w + counter
            if d[i] < 255:
                d[i] += 1

    # -- events -------------------------------------------------------------------------------
    def knows(self, fp: int) -> bool:
        """Whether this number called the number with fingerprint ``fp`` recently."""
        d = self.data
        for k in range(FP_N):
            i = FP_OFF + 2 * k
            if d[i] | (d[i + 1] << 8) == fp:
                return True
        return False

    def record_attempt(self, minute: int, callee: str) -> bool:
        """Count a call set-up to ``callee``; returns whether the callee was new."""
        self.advance(minute)
        fp = fingerprint(callee)
        new = not self.knows(fp)
        self._bump(minute, CALLS)
        h = list(self._head())
        if new:
            self._bump(minute, NEW)
            i = FP_OFF + 2 * h[2]
            self.data[i], self.data[i + 1] = fp & 0xFF, fp >> 8
            h[2] = (h[2] + 1) % FP_N
        value = numeric(callee)
        step = value - h[8]
        h[3] = min(255, h[3] + 1) if 0 < step <= self._max_step else 0
        h[8] = value
        _HEAD.pack_into(self.data, 0, *h)
        self._repeat(fp, minute, calls=1)
        return new

    _max_step = 20  # set from the policy by the engine (class-wide: one policy per process)

    def record_end(self, minute: int, callee: str, duration_s: int, short_s: int) -> None:
        """Count the end of a call: answered when ``duration_s > 0``, short below ``short_s``."""
        self.advance(minute)
        self._bump(minute, ENDED, "BC")
        if duration_s > 0:
            self._bump(minute, ANSWERED, "BC")
            if duration_s < short_s:
                self._bump(minute, SHORT, "C")
            self._repeat(fingerprint(callee), minute, answered=1)

    def record_callback(self, minute: int) -> None:
        """Count a call from someone this number called (a call-back)."""
        self.advance(minute)
        self._bump(minute, CALLBACKS, "C")

    def _repeat(self, fp: int, minute: int, calls: int = 0, answered: int = 0) -> None:
        slots = [_REP.unpack_from(self.data, REP_OFF + k * _REP.size) for k in range(REP_N)]
        k = next((k for k, s in enumerate(slots) if s[0] == fp and minute - s[3] < 1440), None)
        if k is None:
            if not calls:
                return
            # replace the slot with the fewest calls (or an expired one)
            k = min(range(REP_N), key=lambda j: (minute - slots[j][3] < 1440, slots[j][1]))
            slots[k] = (fp, 0, 0, minute)
        f, c, a, since = slots[k]
        _REP.pack_into(
            self.data,
            REP_OFF + k * _REP.size,
            f,
            min(255, c + calls),
            min(255, a + answered),
            since,
        )

    def repeats(self, callee: str, minute: int) -> tuple[int, int]:
        """(calls, answered) to ``callee`` in the current 24-hour slot, counting this one."""
        fp = fingerprint(callee)
        for k in range(REP_N):
            f, c, a, since = _REP.unpack_from(self.data, REP_OFF + k * _REP.size)
            if f == fp and minute - since < 1440:
                return c, a
        return 0, 0

    # -- reading ------------------------------------------------------------------------------
    def windows(self, minute: int) -> Windows:
        """Counts over the windows ending at ``minute`` (call :meth:`advance` first)."""
        d = self.data
        # counter c of every bucket of a ring is a strided slice: summed in C, not in a loop
        a = [sum(d[A_OFF + c : A_OFF + A_N * A_W : A_W]) for c in range(A_W)]
        b = [sum(d[B_OFF + c : B_OFF + B_N * B_W : B_W]) for c in range(B_W)]
        c24 = [sum(d[C_OFF + c : C_OFF + C_N * C_W : C_W]) for c in range(C_W)]
        return Windows(
            calls_10m=a[0], new_10m=a[1],
            calls_1h=b[0], new_1h=b[1], ended_1h=b[2], answered_1h=b[3],
            calls_24h=c24[0], new_24h=c24[1], ended_24h=c24[2], answered_24h=c24[3],
            short_24h=c24[4], callbacks_24h=c24[5],
            sequential_run=self._head()[3],
        )  # fmt: skip


_RINGS = {
    "A": (A_OFF, A_N, A_W, A_MIN),
    "B": (B_OFF, B_N, B_W, B_MIN),
    "C": (C_OFF, C_N, C_W, C_MIN),
}
