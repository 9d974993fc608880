"""A bounded, short-lived, in-process cache of verified bearer tokens.

Looking a token up in the database on every call costs more than the registration check
itself, so the service remembers a verified token for at most ``ttl_s`` seconds (and never
past the token's own expiry). The price is the revocation bound: a token revoked, or a user
deactivated, from another process (the CLI, another worker) is refused at the latest
``ttl_s`` seconds later; in the process that revoked it, at once (:meth:`TokenCache.clear`).
Keys are the tokens' SHA-256, never the secrets.

>>> now = [0.0]
>>> cache = TokenCache(ttl_s=2, max_entries=2, clock=lambda: now[0])
>>> cache.put("fw_a", "ann")
>>> cache.get("fw_a")
'ann'
>>> now[0] = 2.5
>>> cache.get("fw_a") is None
True
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

from fraudwall.auth.tokens import hash_token

T = TypeVar("T")


class TokenCache(Generic[T]):
    """Verified tokens and what they act as, each for at most ``ttl_s`` seconds; at most
    ``max_entries`` (least recently used dropped first). ``ttl_s == 0`` turns it off."""

    def __init__(
        self,
        *,
        ttl_s: float,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl_s, self.max_entries, self._clock = ttl_s, max_entries, clock
        self._entries: OrderedDict[str, tuple[float, T]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, token: str) -> T | None:
        """What ``token`` acts as, if it was verified less than ``ttl_s`` seconds ago."""
        if self.ttl_s <= 0:
            return None
        key = hash_token(token)
        with self._lock:
            hit = self._entries.get(key)
            if hit is None:
                return None
            if hit[0] <= self._clock():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return hit[1]

    def put(self, token: str, value: T, *, valid_s: float | None = None) -> None:
        """Remember a just-verified ``token`` for ``ttl_s`` seconds, or ``valid_s`` when the
        token expires sooner."""
        if self.ttl_s <= 0:
            return
        life = self.ttl_s if valid_s is None else min(self.ttl_s, valid_s)
        if life <= 0:
            return
        key = hash_token(token)
        with self._lock:
            self._entries[key] = (self._clock() + life, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        """Forget every token (after a revocation or deactivation in this process)."""
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
