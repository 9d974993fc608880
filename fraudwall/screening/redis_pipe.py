"""One pipelined connection to Redis for the call path: hiredis packs and parses, in order.

Measured on the worker's call path, redis-py's asyncio connection (stream reader and writer,
a timeout context per reply, its Python RESP parser and command encoder) cost about 100 µs of
CPU per round trip on a 2-core VM, half of what a decision with Redis state cost. Here a
command is packed by ``hiredis.pack_command``, written straight to the transport, and its reply
is parsed by ``hiredis.Reader`` as the bytes arrive; replies come back in the order the
commands were sent (Redis answers one connection in order), so one connection carries every
decision of a worker at once, pipelined, and no pool is needed. A watchdog closes the
connection when the oldest command has waited longer than the timeout, which fails every
command still waiting on it (Kamailio then fails open) instead of a timer per command.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from typing import Any

import hiredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError


def _pack(*args: Any) -> bytes:
    """One command in Redis's wire format (hiredis's stub types ``pack_command`` for one
    argument only; it takes any number)."""
    packed: bytes = hiredis.pack_command(args)
    return packed


class _Protocol(asyncio.Protocol):
    """The connection: commands out, replies matched to the waiting futures in order."""

    def __init__(self, timeout_s: float) -> None:
        self.timeout_s = timeout_s
        self.transport: asyncio.Transport | None = None
        self.reader = hiredis.Reader()
        self.waiting: deque[tuple[asyncio.Future[Any], float]] = deque()
        self.lost: BaseException | None = None
        self._watchdog: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.reader.feed(data)
        waiting = self.waiting
        while (reply := self.reader.gets()) is not False:
            future, _ = waiting.popleft()
            if future.done():  # its caller went away (cancelled)
                continue
            if isinstance(reply, hiredis.ReplyError):
                text = str(reply)
                error = NoScriptError if text.startswith("NOSCRIPT") else ResponseError
                future.set_exception(error(text))
            else:
                future.set_result(reply)

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = exc or RedisConnectionError("connection closed by Redis")
        if self._watchdog is not None:
            self._watchdog.cancel()
        while self.waiting:
            future, _ = self.waiting.popleft()
            if not future.done():
                future.set_exception(RedisConnectionError(f"Redis connection lost: {self.lost}"))

    def send(self, packed: bytes, loop: asyncio.AbstractEventLoop) -> asyncio.Future[Any]:
        """Write one packed command; the future gets its reply."""
        assert self.transport is not None
        future = loop.create_future()
        self.waiting.append((future, time.monotonic()))
        self.transport.write(packed)
        if self._watchdog is None:
            self._watchdog = loop.call_later(self.timeout_s, self._check, loop)
        return future

    def _check(self, loop: asyncio.AbstractEventLoop) -> None:
        self._watchdog = None
        if not self.waiting or self.lost is not None:
            return
        late = time.monotonic() - self.waiting[0][1] - self.timeout_s
        if late >= 0:  # Redis stopped answering: fail everything waiting, reconnect next time
            self.lost = RedisTimeoutError(f"no reply from Redis within {self.timeout_s} s")
            while self.waiting:
                future, _ = self.waiting.popleft()
                if not future.done():
                    future.set_exception(self.lost)
            assert self.transport is not None
            self.transport.abort()
            return
        self._watchdog = loop.call_later(-late, self._check, loop)


class RedisPipe:
    """Commands on one pipelined connection to ``url``, opened on first use and again after
    a loss. The URL is read by redis-py (host and port or a unix socket, ``db``, user and
    password, TLS and its options), so it means the same as for the store's other commands."""

    def __init__(self, url: str, *, timeout_s: float = 0.5) -> None:
        from redis import asyncio as aioredis

        pool = aioredis.ConnectionPool.from_url(url, socket_connect_timeout=timeout_s)
        #: redis-py's connection for the URL, never connected: where and how to connect
        self.target: Any = pool.make_connection()
        self.timeout_s = timeout_s
        self._conn: _Protocol | None = None
        self._connecting: asyncio.Future[_Protocol] | None = None
        #: connections opened so far (one, unless Redis closed or stopped answering one)
        self.opened = 0

    async def call(self, *args: Any, retry: bool = False) -> Any:
        """Send one command and wait for its reply. ``retry``: the command may be repeated
        (a read), so if the connection turns out to be closed it is sent once more on a new
        one. Redis errors raise redis-py's ``ResponseError`` (``NoScriptError`` included)."""
        loop = asyncio.get_running_loop()
        packed = _pack(*args)
        conn = await self._connection(loop)
        try:
            return await conn.send(packed, loop)
        except RedisConnectionError:
            if not retry:
                raise
            return await (await self._connection(loop)).send(packed, loop)

    def send_now(self, *args: Any) -> asyncio.Future[Any]:
        """Send a command on the open connection without waiting: its reply comes in the
        returned future. Raises ``ConnectionError`` if the connection is not open."""
        conn = self._conn
        if conn is None or conn.lost is not None:
            raise RedisConnectionError("Redis connection lost")
        return conn.send(_pack(*args), asyncio.get_running_loop())

    async def _connection(self, loop: asyncio.AbstractEventLoop) -> _Protocol:
        conn = self._conn
        if conn is not None and conn.lost is None:
            return conn
        if self._connecting is None:  # one connect at a time; the others wait for it
            self._connecting = loop.create_future()
            try:
                self._conn = await self._open(loop)
                self._connecting.set_result(self._conn)
            except BaseException as e:
                self._connecting.set_exception(e)
                self._connecting.exception()  # retrieved: no "never retrieved" warning
                raise
            finally:
                self._connecting = None
            return self._conn
        return await asyncio.shield(self._connecting)

    async def _open(self, loop: asyncio.AbstractEventLoop) -> _Protocol:
        t = self.target
        tls = t.ssl_context.get() if hasattr(t, "ssl_context") else None
        conn: _Protocol | None = None
        try:
            async with asyncio.timeout(self.timeout_s):
                if getattr(t, "path", None):
                    _, conn = await loop.create_unix_connection(
                        lambda: _Protocol(self.timeout_s), t.path
                    )
                else:
                    _, conn = await loop.create_connection(
                        lambda: _Protocol(self.timeout_s), t.host, t.port, ssl=tls
                    )
                setup = []  # sent together, their replies read in order
                if t.password:
                    auth = (t.username, t.password) if t.username else (t.password,)
                    setup.append(conn.send(_pack("AUTH", *auth), loop))
                if t.db:
                    setup.append(conn.send(_pack("SELECT", t.db), loop))
                for reply in setup:
                    await reply
        except BaseException as e:
            if conn is not None and conn.transport is not None:
                conn.transport.close()  # connected, but the log-in failed or hung
            if isinstance(e, ResponseError):
                raise RedisConnectionError(f"Redis refused the connection: {e}") from e
            if isinstance(e, OSError | TimeoutError):
                raise RedisConnectionError(f"cannot connect to Redis: {e}") from e
            raise
        self.opened += 1
        return conn

    async def aclose(self) -> None:
        """Close the connection (commands still waiting fail)."""
        conn, self._conn = self._conn, None
        if conn is not None and conn.transport is not None and conn.lost is None:
            conn.transport.close()
            await asyncio.sleep(0)  # let connection_lost run
