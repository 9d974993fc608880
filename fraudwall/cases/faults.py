"""Crash points for the reliability tests: a process dies exactly where a test asks.

Setting ``FRAUDWALL_CRASH_AT=<name>`` makes :func:`crash_point` with that name end the process
at once (``os._exit``: no clean-up, no rollback), as a power cut or a kill would.
"""

from __future__ import annotations

import os


def crash_point(name: str) -> None:
    """End the process here when ``$FRAUDWALL_CRASH_AT`` names this point."""
    if os.environ.get("FRAUDWALL_CRASH_AT") == name:
        os._exit(137)
