"""Serve an ASGI app with a real uvicorn on a free loopback port, for the duration of a block."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import uvicorn

from fraudwall.screening.server import worker_config


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(app: Any, port: int | None = None, *, worker: bool = False) -> Iterator[httpx.Client]:
    """``worker``: with the configuration ``fraudwall screen serve`` runs (see
    :func:`fraudwall.screening.server.worker_config`), else uvicorn's defaults."""
    port = port or free_port()
    config = (
        worker_config(app, port=port)
        if worker
        else uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as c:
            yield c
    finally:
        server.should_exit = True
        thread.join(timeout=20)
