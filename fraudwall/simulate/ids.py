"""Identifier strings built in bulk: numbers, IMEIs, IMSIs, hashes, record ids.

Everything here turns numpy arrays into Arrow string arrays without a Python loop over rows:
digits are laid out in a fixed-width byte matrix and handed to Arrow as one buffer.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_ZERO = ord("0")


def fixed_width(buf: np.ndarray) -> pa.StringArray:
    """An Arrow string array from an ``(n, width)`` matrix of ASCII bytes, one row per string."""
    n, width = buf.shape
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int64)
    data = np.ascontiguousarray(buf, dtype=np.uint8)
    arr = pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data))
    return arr.cast(pa.string())


def ascii_digits(values: np.ndarray, width: int) -> np.ndarray:
    """Zero-padded decimal digits of non-negative integers as an ``(n, width)`` byte matrix."""
    v = np.asarray(values, dtype=np.int64).copy()
    out = np.empty((v.size, width), dtype=np.uint8)
    for pos in range(width - 1, -1, -1):  # loop over digit positions, not rows
        out[:, pos] = _ZERO + v % 10
        v //= 10
    return out


def digit_strings(values: np.ndarray, width: int, prefix: bytes = b"") -> pa.StringArray:
    """``prefix`` followed by each value as ``width`` zero-padded digits.

    >>> digit_strings(np.array([7, 42]), 3, b"C").to_pylist()
    ['C007', 'C042']
    """
    digits = ascii_digits(values, width)
    if not prefix:
        return fixed_width(digits)
    head = np.broadcast_to(np.frombuffer(prefix, dtype=np.uint8), (digits.shape[0], len(prefix)))
    return fixed_width(np.hstack([head, digits]))


def hex_strings(rng: np.random.Generator, n: int, nbytes: int = 32) -> pa.StringArray:
    """``n`` random lower-case hex strings of ``2 * nbytes`` characters (hash-like ids)."""
    raw = rng.integers(0, 256, size=(n, nbytes), dtype=np.uint8)
    out = np.empty((n, 2 * nbytes), dtype=np.uint8)
    out[:, 0::2] = _HEX[raw >> 4]
    out[:, 1::2] = _HEX[raw & 15]
    return fixed_width(out)


def unique_ints(rng: np.random.Generator, low: int, high: int, n: int) -> np.ndarray:
    """``n`` distinct integers from ``[low, high)`` in random order."""
    if high - low < n:
        raise ValueError(f"cannot draw {n} distinct values from a range of {high - low}")
    got = np.empty(0, dtype=np.int64)
    while got.size < n:
        extra = rng.integers(low, high, size=int((n - got.size) * 1.2) + 16, dtype=np.int64)
        merged = np.concatenate([got, extra])
        _, first = np.unique(merged, return_index=True)
        got = merged[np.sort(first)]  # keep first-drawn order so the result stays random
    return got[:n]


def prefixed_numbers(
    rng: np.random.Generator, prefixes: tuple[int, ...], n: int, digits: int = 8
) -> np.ndarray:
    """``n`` distinct numbers ``PREFIX`` + ``digits`` random digits, as int64 (e.g. mobiles)."""
    span = 10**digits
    pool = len(prefixes) * span
    flat = unique_ints(rng, 0, pool, n)
    return np.asarray(prefixes, dtype=np.int64)[flat // span] * span + flat % span


def imeis(rng: np.random.Generator, n: int, tacs: np.ndarray) -> pa.StringArray:
    """``n`` distinct 15-digit IMEIs: a type allocation code, a serial, a Luhn check digit."""
    body = unique_ints(rng, 0, tacs.size * 10**6, n)
    body = tacs[body // 10**6] * 10**6 + body % 10**6
    d = ascii_digits(body, 14).astype(np.int64) - _ZERO
    doubled = d[:, 1::2] * 2
    total = d[:, 0::2].sum(axis=1) + (doubled - 9 * (doubled > 9)).sum(axis=1)
    check = (10 - total % 10) % 10
    return fixed_width(np.hstack([d + _ZERO, (check + _ZERO)[:, None]]).astype(np.uint8))


def luhn_ok(imei: str) -> bool:
    """Whether a 15-digit IMEI carries a valid Luhn check digit (used by the tests)."""
    total = 0
    for i, ch in enumerate(imei[:14]):
        x = int(ch) * (2 if i % 2 else 1)
        total += x - 9 if x > 9 else x
    return (10 - total % 10) % 10 == int(imei[14])
