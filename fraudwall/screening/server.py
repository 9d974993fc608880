"""How the call-path worker is served: uvicorn on httptools and uvloop, set for many small
requests on a few kept-alive connections from the SBC.

uvicorn writes a response's head and its body with one ``transport.write`` each, and uvloop
sends each write at once: two system calls and two TCP segments per decision, so the SBC (and
the benchmark's load generator) is woken twice. :class:`OneWriteTransport` holds what the
protocol writes during one pass of the event loop and sends it as one write at the end of that
pass; measured on the worker at 2,000 decisions/s, this took its CPU from ~110 to ~95 µs a
decision and the load generator's from ~62 to ~47 µs (see docs/benchmarks.md, "Call
screening"). The HTTP handling itself stays uvicorn's.
"""

from __future__ import annotations

import asyncio
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

#: idle seconds before the worker closes a kept-alive connection (uvicorn's default is 5 s: an
#: SBC's pooled connection would then be re-opened, at a cost, after every quiet moment)
KEEP_ALIVE_S = 75


class OneWriteTransport(asyncio.Transport):
    """``transport`` with the writes of one event-loop pass sent as a single write.

    The first write of a pass schedules the flush (``call_soon``: after the callbacks already
    due, before the loop waits again), so nothing waits longer than the current pass; closing
    flushes first, aborting drops what is held, as the transport itself would."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self._transport = transport
        self._loop = loop
        self._held: list[bytes | bytearray | memoryview] = []

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not data:
            return
        if not self._held:
            self._loop.call_soon(self.flush)
        self._held.append(data)

    def writelines(self, list_of_data: Any) -> None:
        for data in list_of_data:
            self.write(data)

    def flush(self) -> None:
        """Send what is held now (one write)."""
        if not self._held:
            return
        data = self._held[0] if len(self._held) == 1 else b"".join(self._held)
        self._held.clear()
        if not self._transport.is_closing():
            self._transport.write(data)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def abort(self) -> None:
        self._held.clear()
        self._transport.abort()

    def is_closing(self) -> bool:
        return self._transport.is_closing()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self._transport.get_extra_info(name, default)

    def pause_reading(self) -> None:
        self._transport.pause_reading()

    def resume_reading(self) -> None:
        self._transport.resume_reading()

    def is_reading(self) -> bool:
        return self._transport.is_reading()

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        self.flush()
        self._transport.set_protocol(protocol)

    def get_protocol(self) -> asyncio.BaseProtocol:
        return self._transport.get_protocol()

    def get_write_buffer_size(self) -> int:
        return self._transport.get_write_buffer_size() + sum(len(d) for d in self._held)

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        self._transport.set_write_buffer_limits(high, low)

    def can_write_eof(self) -> bool:
        return self._transport.can_write_eof()

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()


class WorkerHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol writing through a :class:`OneWriteTransport`."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(OneWriteTransport(transport, self.loop))


def worker_config(
    app: Any,
    *,
    host: str = "127.0.0.1",
    port: int = 8090,
    log_level: str = "warning",
    keep_alive_s: int = KEEP_ALIVE_S,
) -> uvicorn.Config:
    """The uvicorn configuration of ``fraudwall screen serve``: httptools and uvloop named
    (not "auto", which would fall back to the slower pure-Python h11 and asyncio without a
    word if either were missing), no access log, no ``Server`` header, no proxy-header
    middleware (no proxy sits on the call path), no WebSocket support."""
    return uvicorn.Config(
        app, host=host, port=port, http=WorkerHttpProtocol, loop="uvloop", ws="none",
        lifespan="on", log_level=log_level, access_log=False, proxy_headers=False,
        server_header=False, timeout_keep_alive=keep_alive_s,
    )  # fmt: skip
