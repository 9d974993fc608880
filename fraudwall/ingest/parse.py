"""Typed values from what a reader delivers: strings (CSV) or native Arrow types (Parquet).

Each parser returns ``(values, ok)``: ``values`` in the canonical Arrow type, null where the
input is missing or bad, and ``ok`` false only where a value is present but cannot be parsed
(null where it is missing). Nothing here raises on a bad value: bad values become quarantined
fields, never a crash.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from fraudwall.ingest.normalize import clean_strings, localize_timestamps, parse_timestamps

# Up to 18 digits always fits int64; "12.0" (an integer written by a float-typed exporter) is
# accepted, "12.5" is not.
_INT_RE = r"^[+-]?\d{1,18}(\.0*)?$"
_FLOAT_RE = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d{1,3})?$"


def _missing_as_null(ok: pa.Array, present: pa.Array) -> pa.Array:
    """``ok`` with null where the value is missing (so only present bad values are false)."""
    return pc.if_else(present, pc.fill_null(ok, False), pa.scalar(None, pa.bool_()))


def as_strings(values: pa.Array) -> pa.Array:
    """Any array as strings; integral floats print without ``.0`` (numbers stored as float)."""
    if pa.types.is_string(values.type):
        return values
    if pa.types.is_large_string(values.type) or pa.types.is_string_view(values.type):
        return pc.cast(values, pa.string())
    if pa.types.is_floating(values.type):
        integral = pc.equal(pc.floor(values), values)
        small = pc.less(pc.abs(values), 1e18)
        as_int = pc.cast(pc.if_else(pc.and_(integral, small), values, 0.0), pa.int64())
        return pc.if_else(
            pc.and_(integral, small), pc.cast(as_int, pa.string()), pc.cast(values, pa.string())
        )
    if pa.types.is_dictionary(values.type):
        return as_strings(values.dictionary_decode())
    return pc.cast(values, pa.string())


def parse_ints(values: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Parse integers from strings or numbers; fractional or non-numeric values are not ok.

    >>> v, ok = parse_ints(pa.array(["7", " 12.0 ", "-3", "1.5", "x", ""]))
    >>> v.to_pylist(), ok.to_pylist()
    ([7, 12, -3, None, None, None], [True, True, True, False, False, None])
    """
    t = values.type
    if pa.types.is_integer(t) or pa.types.is_boolean(t):
        out = pc.cast(values, pa.int64(), safe=False)
        return out, pc.if_else(pc.is_valid(values), True, pa.scalar(None, pa.bool_()))
    if pa.types.is_floating(t) or pa.types.is_decimal(t):
        f = pc.cast(values, pa.float64())
        present = pc.and_(pc.is_valid(f), pc.invert(pc.is_nan(f)))
        ok = pc.and_(pc.equal(pc.floor(f), f), pc.less(pc.abs(f), 9e18))
        ok = _missing_as_null(ok, present)
        safe = pc.if_else(pc.fill_null(ok, False), f, pa.scalar(None, pa.float64()))
        return pc.cast(safe, pa.int64()), ok
    s = clean_strings(as_strings(values))
    ok = _missing_as_null(pc.match_substring_regex(s, _INT_RE), pc.is_valid(s))
    digits = pc.replace_substring_regex(pc.replace_substring_regex(s, r"\.0*$", ""), r"^\+", "")
    safe = pc.if_else(pc.fill_null(ok, False), digits, pa.scalar(None, pa.string()))
    return pc.cast(safe, pa.int64()), ok


def parse_floats(values: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Parse finite floats from strings or numbers; NaN counts as missing, infinity as bad.

    >>> v, ok = parse_floats(pa.array(["0.5", "1e3", "abc", "inf", None]))
    >>> v.to_pylist(), ok.to_pylist()
    ([0.5, 1000.0, None, None, None], [True, True, False, False, None])
    """
    t = values.type
    if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t):
        f = pc.cast(values, pa.float64())
        present = pc.and_(pc.is_valid(f), pc.invert(pc.is_nan(f)))
        ok = _missing_as_null(pc.is_finite(f), present)
        return pc.if_else(pc.fill_null(ok, False), f, pa.scalar(None, pa.float64())), ok
    s = clean_strings(as_strings(values))
    ok = _missing_as_null(pc.match_substring_regex(s, _FLOAT_RE), pc.is_valid(s))
    safe = pc.if_else(pc.fill_null(ok, False), s, pa.scalar(None, pa.string()))
    return pc.cast(safe, pa.float64()), ok


def parse_times(values: pa.Array, timezone: str) -> tuple[pa.Array, pa.Array]:
    """Naive local ``timestamp[us]`` from strings or typed time stamps / dates.

    See :func:`fraudwall.ingest.normalize.parse_timestamps` for the accepted texts.
    """
    t = values.type
    if pa.types.is_timestamp(t) or pa.types.is_date(t):
        out = localize_timestamps(values, timezone)
        return out, pc.if_else(pc.is_valid(values), True, pa.scalar(None, pa.bool_()))
    return parse_timestamps(as_strings(values), timezone)
