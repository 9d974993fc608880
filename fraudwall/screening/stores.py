"""Where live caller state lives: in this process (bounded, snapshot on disk) or in Redis.

Both keep the same fixed-size record per number (:mod:`fraudwall.screening.state`) and drop a
number's record once it has been idle for the TTL. The in-process store also has a hard bound on
the number of callers it holds and evicts the least recently seen one when full, so memory never
grows past ``max_callers`` records whatever the traffic.
"""

from __future__ import annotations

import os
import struct
from collections import OrderedDict
from pathlib import Path
from typing import Any, Protocol

from fraudwall.errors import InputError
from fraudwall.screening.state import SIZE, CallerState

SNAPSHOT_MAGIC = b"FWSCR1\n"


class StateStore(Protocol):
    """Get and put callers' records; a missing or expired record is ``None``."""

    def get(self, number: str) -> CallerState | None: ...

    def put(self, number: str, state: CallerState) -> None: ...

    def get_pair(self, a: str, b: str) -> tuple[CallerState | None, CallerState | None]: ...

    def put_pair(self, a: str, sa: CallerState, b: str | None, sb: CallerState | None) -> None: ...


class MemoryStore:
    """In-process state with a TTL and a hard bound on the number of callers.

    >>> s = MemoryStore(max_callers=2, ttl_minutes=60)
    >>> for n in ("a", "b", "c"):
    ...     st = CallerState(); st.advance(1000); s.put(n, st)
    >>> len(s), s.evicted, s.get("a") is None
    (2, 1, True)
    """

    def __init__(self, *, max_callers: int = 12_000_000, ttl_minutes: int = 1560) -> None:
        if max_callers < 1:
            raise ValueError("max_callers must be at least 1")
        self.max_callers = max_callers
        self.ttl_minutes = ttl_minutes
        self._d: OrderedDict[str, bytearray] = OrderedDict()
        self.evicted = 0  # dropped because the store was full
        self.expired = 0  # dropped because idle for the TTL
        self._now = 0

    def __len__(self) -> int:
        return len(self._d)

    def get(self, number: str) -> CallerState | None:
        buf = self._d.get(number)
        if buf is None:
            return None
        st = CallerState(buf, copy=False)
        if self._now and st.last_minute < self._now - self.ttl_minutes:
            del self._d[number]
            self.expired += 1
            return None
        return st

    def put(self, number: str, state: CallerState) -> None:
        d = self._d
        d[number] = state.data
        d.move_to_end(number)
        minute = state.last_minute
        if minute > self._now:
            self._now = minute
            self._expire()
        while len(d) > self.max_callers:
            d.popitem(last=False)
            self.evicted += 1

    def _expire(self, budget: int = 8) -> None:
        # records are kept in order of last use, so the idle ones are at the front; a few are
        # checked per write, which keeps up with any arrival rate without a background sweep
        d, horizon = self._d, self._now - self.ttl_minutes
        for _ in range(budget):
            if not d:
                return
            number, buf = next(iter(d.items()))
            if CallerState(buf, copy=False).last_minute >= horizon:
                return
            del d[number]
            self.expired += 1

    def get_pair(self, a: str, b: str) -> tuple[CallerState | None, CallerState | None]:
        return self.get(a), self.get(b)

    def put_pair(self, a: str, sa: CallerState, b: str | None, sb: CallerState | None) -> None:
        self.put(a, sa)
        if b is not None and sb is not None:
            self.put(b, sb)

    # -- snapshot -----------------------------------------------------------------------------
    def snapshot(self, path: str | Path) -> int:
        """Write every record to ``path`` atomically (temp file + rename); returns the count."""
        p = Path(path)
        tmp = p.with_name(p.name + ".tmp")
        with tmp.open("wb") as f:
            f.write(SNAPSHOT_MAGIC + struct.pack("<QI", len(self._d), SIZE))
            for number, buf in self._d.items():
                key = number.encode()
                f.write(struct.pack("<H", len(key)) + key + buf)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, p)
        return len(self._d)

    def restore(self, path: str | Path) -> int:
        """Load a snapshot written by :meth:`snapshot`; returns the records read."""
        p = Path(path)
        data = p.read_bytes()
        if not data.startswith(SNAPSHOT_MAGIC):
            raise InputError("not a fraudwall screening snapshot", file=str(p))
        off = len(SNAPSHOT_MAGIC)
        count, size = struct.unpack_from("<QI", data, off)
        if size != SIZE:
            raise InputError(
                f"snapshot records are {size} bytes, this version uses {SIZE}", file=str(p)
            )
        off += 12
        for i in range(count):
            if off + 2 > len(data):
                raise InputError(f"snapshot truncated at record {i + 1} of {count}", file=str(p))
            (n,) = struct.unpack_from("<H", data, off)
            key = data[off + 2 : off + 2 + n].decode()
            buf = data[off + 2 + n : off + 2 + n + SIZE]
            if len(buf) != SIZE:
                raise InputError(f"snapshot truncated at record {i + 1} of {count}", file=str(p))
            self.put(key, CallerState(buf))
            off += 2 + n + SIZE
        return count


class RedisStore:
    """Shared state for several workers: one Redis string per number, expiring after the TTL.

    Concurrent set-ups by the same caller on two workers within the same round trip can lose one
    count (last writer wins on that record); windows then undercount by one call.
    """

    def __init__(self, url: str, *, ttl_minutes: int = 1560, prefix: str = "fw:scr:") -> None:
        import redis

        self.client: Any = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self.ttl_ms = ttl_minutes * 60_000
        self.prefix = prefix

    def _state(self, raw: bytes | None) -> CallerState | None:
        return None if raw is None else CallerState(raw)

    def get(self, number: str) -> CallerState | None:
        return self._state(self.client.get(self.prefix + number))

    def put(self, number: str, state: CallerState) -> None:
        self.client.set(self.prefix + number, bytes(state.data), px=self.ttl_ms)

    def get_pair(self, a: str, b: str) -> tuple[CallerState | None, CallerState | None]:
        ra, rb = self.client.mget([self.prefix + a, self.prefix + b])
        return self._state(ra), self._state(rb)

    def put_pair(self, a: str, sa: CallerState, b: str | None, sb: CallerState | None) -> None:
        if b is None or sb is None:
            self.put(a, sa)
            return
        pipe = self.client.pipeline(transaction=False)
        pipe.set(self.prefix + a, bytes(sa.data), px=self.ttl_ms)
        pipe.set(self.prefix + b, bytes(sb.data), px=self.ttl_ms)
        pipe.execute()

    def __len__(self) -> int:
        return sum(1 for _ in self.client.scan_iter(match=self.prefix + "*", count=1000))


def open_store(spec: str | None, *, ttl_minutes: int, max_callers: int = 12_000_000) -> StateStore:
    """``None``/``memory`` for in-process state, ``redis://...`` for Redis."""
    if spec is None or spec == "memory":
        return MemoryStore(max_callers=max_callers, ttl_minutes=ttl_minutes)
    if spec.startswith(("redis://", "rediss://", "unix://")):
        return RedisStore(spec, ttl_minutes=ttl_minutes)
    raise InputError(
        f"unknown state store {spec!r}: use memory or redis://host:port/db", field="--state"
    )
