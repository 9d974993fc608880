"""Where live caller state lives: in this process (bounded, snapshot on disk) or in Redis.

Both keep the same fixed-size record per number (:mod:`fraudwall.screening.state`) and drop a
number's record once it has been idle for the TTL. The in-process store also has a hard bound on
the number of callers it holds and evicts the least recently seen one when full, so memory never
grows past ``max_callers`` records whatever the traffic.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import struct
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Protocol, TypeVar

from fraudwall.errors import InputError
from fraudwall.screening.state import SIZE, CallerState

SNAPSHOT_MAGIC = b"FWSCR1\n"
T = TypeVar("T")
log = logging.getLogger(__name__)


#: What the engine hands a store for one call: given the caller's and the callee's records
#: (``None`` when absent), update them in place and return the records to write back
#: (``None``: not written) with the result. It may run more than once (see
#: :class:`RedisStore`), so it must not have other side effects.
PairStep = Callable[
    [CallerState | None, CallerState | None],
    tuple[CallerState | None, CallerState | None, T],
]


class StateStore(Protocol):
    """Get and put callers' records; a missing or expired record is ``None``.

    ``update_pair`` is the call path: read two records, apply a step, write the results back
    as one change. ``aupdate_pair`` is the same for an event loop (the Redis store then waits
    for Redis without holding the loop)."""

    def get(self, number: str) -> CallerState | None: ...

    def put(self, number: str, state: CallerState) -> None: ...

    def update_pair(self, a: str, b: str | None, step: PairStep[T]) -> T: ...

    async def aupdate_pair(self, a: str, b: str | None, step: PairStep[T]) -> T: ...


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

    def update_pair(self, a: str, b: str | None, step: PairStep[T]) -> T:
        # one thread (the event loop) owns this store, so read-step-write cannot interleave
        sa, sb, out = step(self.get(a), self.get(b) if b is not None else None)
        if sa is not None:
            self.put(a, sa)
        if b is not None and sb is not None:
            self.put(b, sb)
        return out

    async def aupdate_pair(self, a: str, b: str | None, step: PairStep[T]) -> T:
        return self.update_pair(a, b, step)  # no await inside: atomic on the event loop

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


#: Write the records only if they are still what the step read ('' = absent): a compare-and-set
#: of one or two keys in one round trip. KEYS: the numbers' keys; ARGV: TTL in ms, then per key
#: the value read and the value to write ('' = do not write).
CAS_SCRIPT = """
for i, key in ipairs(KEYS) do
  local cur = redis.call('GET', key)
  if (cur or '') ~= ARGV[2 * i] then return 0 end
end
for i, key in ipairs(KEYS) do
  if ARGV[2 * i + 1] ~= '' then redis.call('SET', key, ARGV[2 * i + 1], 'PX', ARGV[1]) end
end
return 1
"""
CAS_SHA = hashlib.sha1(CAS_SCRIPT.encode()).hexdigest()  # the name Redis caches the script under
MAX_TRIES = 8


@dataclass(frozen=True)
class _Update:
    """What a write-back needs to redo a step: the numbers, their keys and the step."""

    a: str
    b: str | None
    names: list[str]
    step: PairStep[Any]


class ConcurrentUpdate(RuntimeError):
    """Another worker kept changing the same record: the step could not be applied."""


class RedisStore:
    """Shared state for several workers: one Redis string per number, expiring after the TTL.

    A call costs two round trips: one ``MGET`` of the caller's and the callee's records, and a
    compare-and-set script that writes the new records only if nobody changed them meanwhile;
    if someone did (the same caller on two workers at the same moment), the step is re-run on
    the fresh records, so no count is lost. ``aupdate_pair``, the worker's call path, sends
    the commands on one pipelined connection (:mod:`fraudwall.screening.redis_pipe`: hiredis
    packs and parses) that carries all of a worker's decisions at once; redis-py's asyncio
    connection cost about 100 µs of CPU per round trip there, half of a decision. It answers
    after the read (**write-behind**): the compare-and-set is sent at once and its reply is
    handled when it comes. Redis runs a connection's commands in order, so a later call of the
    same number on this worker reads what the earlier one wrote; calls whose reads crossed
    each other's writes are decided without each other and their counts re-made, as above.
    A write-back given up (Redis gone, ``MAX_TRIES`` conflicts) is logged and counted in
    ``lost_writes``: that call is missing from the windows. The other methods use redis-py.
    """

    def __init__(self, url: str, *, ttl_minutes: int = 1560, prefix: str = "fw:scr:") -> None:
        import redis

        from fraudwall.screening.redis_pipe import RedisPipe

        self.url = url
        self.client: Any = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._cas = self.client.register_script(CAS_SCRIPT)
        self._pipe = RedisPipe(url, timeout_s=0.5)  # the call path's connection
        self.ttl_ms = ttl_minutes * 60_000
        self.prefix = prefix
        self.conflicts = 0  # steps re-run because another worker wrote first
        self.lost_writes = 0  # write-backs given up (Redis gone, conflicts): calls not counted
        self._inflight: set[asyncio.Future[Any]] = set()  # compare-and-sets sent, not answered
        self._writes: set[asyncio.Task[None]] = set()  # write-backs redone after a conflict

    def _state(self, raw: bytes | None) -> CallerState | None:
        return None if raw is None else CallerState(raw)

    def get(self, number: str) -> CallerState | None:
        return self._state(self.client.get(self.prefix + number))

    def put(self, number: str, state: CallerState) -> None:
        self.client.set(self.prefix + number, bytes(state.data), px=self.ttl_ms)

    def _plan(
        self, a: str, b: str | None, raws: list[bytes | None], step: PairStep[T]
    ) -> tuple[list[str], list[Any], T]:
        """Run the step on the records read; the compare-and-set's keys and arguments."""
        ra, rb = raws[0], raws[1] if b is not None else None
        sa, sb, out = step(self._state(ra), self._state(rb))
        keys = [self.prefix + a]
        args: list[Any] = [self.ttl_ms, ra or b"", bytes(sa.data) if sa is not None else b""]
        if b is not None:
            keys.append(self.prefix + b)
            args += [rb or b"", bytes(sb.data) if sb is not None else b""]
        return keys, args, out

    def update_pair(self, a: str, b: str | None, step: PairStep[T]) -> T:
        names = [self.prefix + a] + ([self.prefix + b] if b is not None else [])
        for _ in range(MAX_TRIES):
            keys, args, out = self._plan(a, b, self.client.mget(names), step)
            if self._cas(keys=keys, args=args):
                return out
            self.conflicts += 1
        raise ConcurrentUpdate(f"state of {a} kept changing during {MAX_TRIES} tries")

    async def aupdate_pair(self, a: str, b: str | None, step: PairStep[T]) -> T:
        names = [self.prefix + a] + ([self.prefix + b] if b is not None else [])
        raws = await self._pipe.call("MGET", *names, retry=True)
        keys, args, out = self._plan(a, b, raws, step)
        try:  # write-behind: the answer does not wait for the compare-and-set's reply
            written = self._pipe.send_now("EVALSHA", CAS_SHA, len(keys), *keys, *args)
        except Exception as e:
            self._lost(a, e)
            return out
        self._inflight.add(written)
        written.add_done_callback(partial(self._written, _Update(a, b, names, step), keys, args))
        return out

    def _written(
        self, u: _Update, keys: list[str], args: list[Any], written: asyncio.Future[Any]
    ) -> None:
        """The compare-and-set's reply: done, or finish the write-back off the call path."""
        self._inflight.discard(written)
        if written.cancelled():  # the loop is shutting down: the reply will not be read
            self._lost(u.a, asyncio.CancelledError("write-back cancelled"))
            return
        error = written.exception()
        if error is None and written.result():
            return  # every decision but a conflicting one ends here
        from redis.exceptions import NoScriptError

        if error is not None and not isinstance(error, NoScriptError):
            self._lost(u.a, error)
            return
        if error is None:
            self.conflicts += 1
        # a missing script (Redis restarted or flushed) is sent whole at once, not asked for
        # by name a second time
        redo = self._write_back(u, keys, args, reread=error is None, cached=error is None)
        task = asyncio.get_running_loop().create_task(redo)
        self._writes.add(task)
        task.add_done_callback(self._writes.discard)

    async def _write_back(
        self, u: _Update, keys: list[str], args: list[Any], *, reread: bool, cached: bool
    ) -> None:
        """Write the step's records, re-reading and re-running it after each conflict (its
        new result is dropped: the answer was given from the records first read)."""
        try:
            for _ in range(MAX_TRIES):
                if reread:
                    raws = await self._pipe.call("MGET", *u.names, retry=True)
                    keys, args, _ = self._plan(u.a, u.b, raws, u.step)
                if await self._compare_and_set(keys, args, cached=cached):
                    return
                self.conflicts += 1
                reread = cached = True
            raise ConcurrentUpdate(f"state of {u.a} kept changing during {MAX_TRIES} tries")
        except Exception as e:
            self._lost(u.a, e)

    def _lost(self, a: str, error: BaseException) -> None:
        self.lost_writes += 1
        log.warning("screening state of %s not written back, the call is not counted: %s", a, error)

    async def flush(self) -> None:
        """Wait until every write-back started so far has finished."""
        while self._inflight or self._writes:  # wait() does not cancel them if we are
            await asyncio.wait({*self._inflight, *self._writes})

    async def _compare_and_set(self, keys: list[str], args: list[Any], *, cached: bool) -> bool:
        """Run the compare-and-set; ``cached``: by its SHA first (the script is sent whole,
        which caches it again, only if Redis does not know it)."""
        from redis.exceptions import NoScriptError

        if cached:
            try:
                return bool(await self._pipe.call("EVALSHA", CAS_SHA, len(keys), *keys, *args))
            except NoScriptError:  # Redis restarted or its scripts were flushed
                pass
        return bool(await self._pipe.call("EVAL", CAS_SCRIPT, len(keys), *keys, *args))

    async def aclose(self) -> None:
        """Finish the write-backs, then close the call path's connection (the worker calls
        this at shutdown)."""
        await self.flush()
        await self._pipe.aclose()

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
