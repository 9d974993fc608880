"""Normalisation of phone numbers, time stamps and domains, vectorised with pyarrow.compute.

Every function takes an Arrow string array and returns arrays of the same length; none loops
over rows in Python. A normaliser returns ``(values, ok)`` where ``ok`` is false only for a
present value that cannot be normalised; nulls stay null with ``ok`` null (missing values are the
validator's business, not the normaliser's).
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

#: Field texts that mean "no value" in operator exports (Hive/MySQL write ``\N``).
NULL_TOKENS = pa.array(["", "\\N", "NULL", "null"])


def clean_strings(values: pa.Array) -> pa.Array:
    """Trim white space and turn empty fields and null tokens into nulls.

    >>> clean_strings(pa.array([" a ", "", "\\\\N", None])).to_pylist()
    ['a', None, None, None]
    """
    trimmed = pc.utf8_trim_whitespace(values)
    # Only short values can be null tokens: look them up alone (a length test is far cheaper
    # than hashing every value, and most columns hold no short value at all).
    short = pc.fill_null(pc.less_equal(pc.binary_length(trimmed), _LONGEST_TOKEN), False)
    if not pc.any(short).as_py():
        return trimmed
    token = pc.replace_with_mask(short, short, pc.is_in(pc.filter(trimmed, short), NULL_TOKENS))
    return pc.if_else(token, pa.scalar(None, pa.string()), trimmed)


_LONGEST_TOKEN = max(len(t.as_py().encode()) for t in NULL_TOKENS)


# -- phone numbers ------------------------------------------------------------------------------
# Rules in order; each is a full-match regex and its replacement. Rules run one after the
# other, so a later rule sees the output of the earlier ones.
_MSISDN_RULES = (
    (r"^00(\d)", r"+\1"),  # international prefix 00 -> +
    (r"^(1[3-9]\d{9})$", r"+86\1"),  # Chinese mobile without country code
    (r"^86(\d{11})$", r"+86\1"),  # country code without +
    (r"^0([1-9]\d{8,10})$", r"+86\1"),  # domestic landline: trunk 0 + area code + number
    (r"^\+860([1-9]\d{8,10})$", r"+86\1"),  # trunk 0 kept after the country code
)
# After the rules: E.164 (+ and 4..15 digits) or a bare digit string (service numbers such as
# 95588, 10086 and 106... SMS ports, foreign numbers without prefix) of 3..20 digits.
_MSISDN_VALID = r"^(\+[1-9]\d{3,14}|\d{3,20})$"


def normalize_msisdn(values: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Normalise phone numbers to E.164 where the number is Chinese or has a prefix.

    Spaces, dashes and parentheses are removed; ``00`` becomes ``+``; 11-digit mobiles
    (``1[3-9]``…), ``86`` + 11 digits and domestic landlines (``0`` + area code) get ``+86``;
    short service numbers (95588, 10086, 106…) stay bare digits. Values with letters or other
    symbols, or with too few or too many digits, are not ok.

    >>> v, ok = normalize_msisdn(pa.array(["138 1234 5678", "0086-10-8888-9999", "95588", "abc"]))
    >>> v.to_pylist(), ok.to_pylist()
    (['+8613812345678', '+861088889999', '95588', None], [True, True, True, False])
    """
    s = clean_strings(values)
    mobile = _bare_mobile(s)
    out = pc.binary_join_element_wise("+86", s, "")
    ok = pc.if_else(mobile, True, pa.scalar(None, pa.bool_()))
    others = pc.and_(pc.invert(mobile), pc.is_valid(s))
    if pc.any(others).as_py():
        rest, rest_ok = _msisdn_rules(pc.filter(s, others))
        out = pc.replace_with_mask(out, others, rest)
        ok = pc.replace_with_mask(ok, others, rest_ok)
    return out, ok


def _bare_mobile(s: pa.Array) -> pa.Array:
    """Which values are bare Chinese mobiles (``1[3-9]`` and 9 more digits), never null.

    Most values are: length, digit and prefix kernels find them at a seventh of the cost of
    the equivalent regex, and the rules handle the rest.

    >>> _bare_mobile(pa.array(["13812345678", "12812345678", "1381234567x", "+8613812345678",
    ...                        "1381234567８", None])).to_pylist()
    [True, False, False, False, False, False]
    """
    eleven_digits = pc.and_(pc.equal(pc.binary_length(s), 11), pc.ascii_is_decimal(s))
    prefix = pc.is_in(pc.utf8_slice_codeunits(s, 0, 2), _MOBILE_PREFIXES)
    return pc.fill_null(pc.and_(eleven_digits, prefix), False)


_MOBILE_PREFIXES = pa.array([f"1{d}" for d in range(3, 10)])


def _msisdn_rules(s: pa.Array) -> tuple[pa.Array, pa.Array]:
    """The general normalisation of :func:`normalize_msisdn`, on present values."""
    s = pc.replace_substring_regex(s, r"[\s\-()]", "")
    for pattern, replacement in _MSISDN_RULES:
        s = pc.replace_substring_regex(s, pattern, replacement)
    ok = pc.match_substring_regex(s, _MSISDN_VALID)
    return pc.if_else(ok, s, pa.scalar(None, pa.string())), ok


# -- time stamps --------------------------------------------------------------------------------
_TS_RE = (
    r"^(?P<date>\d{4}-\d{2}-\d{2})[Tt ](?P<time>\d{2}:\d{2}:\d{2})"
    r"(?:[.,](?P<frac>\d{1,9}))?\s?(?P<tz>[Zz]|[+-]\d{2}(?::?\d{2})?)?$"
)
_NULL_TS = pa.scalar(None, pa.timestamp("us"))


def parse_timestamps(values: pa.Array, timezone: str) -> tuple[pa.Array, pa.Array]:
    """Parse ISO 8601 / ``YYYY-MM-DD HH:MM:SS`` strings to naive local wall-clock time.

    Values without an offset are taken as local time in ``timezone`` and kept as they are;
    values with ``Z`` or an offset are converted to ``timezone``. The result is
    ``timestamp[us]`` without a time zone: the wall-clock time in ``timezone``. Impossible dates
    (30 February, hour 24) are not ok; fractions beyond microseconds are truncated.

    >>> ts, ok = parse_timestamps(pa.array(["2024-05-01 08:00:00", "2024-05-01T00:00:00Z"]),
    ...                           "Asia/Shanghai")
    >>> [str(t) for t in ts.to_pylist()], ok.to_pylist()
    (['2024-05-01 08:00:00', '2024-05-01 08:00:00'], [True, True])
    """
    s = clean_strings(values)
    present = pc.is_valid(s)
    missing = pa.scalar(None, pa.bool_())
    # Common case: every value is plain local time; Arrow's strict ISO cast parses them fast.
    plain = pc.fill_null(pc.match_substring_regex(s, _PLAIN_TS), True)
    if pc.all(plain).as_py():
        try:
            return pc.cast(s, pa.timestamp("us")), pc.if_else(present, True, missing)
        except pa.ArrowInvalid:
            pass  # an impossible date somewhere: the general path finds which
    ts, ok = _parse_general(s, timezone)
    return ts, pc.if_else(present, pc.fill_null(ok, False), missing)


_PLAIN_TS = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}$"


def _parse_general(s: pa.Array, timezone: str) -> tuple[pa.Array, pa.Array]:
    """Regex-based parse of :func:`parse_timestamps`, with fractions and offsets."""
    m = pc.extract_regex(s, _TS_RE)
    date, time = pc.struct_field(m, "date"), pc.struct_field(m, "time")
    base = pc.strptime(
        pc.binary_join_element_wise(date, time, " "),
        format="%Y-%m-%d %H:%M:%S",
        unit="us",
        error_is_null=True,
    )
    # strptime rolls impossible values over (31 Feb -> 2 Mar, :60 -> next minute): catch them
    # by comparing the parsed day and second with the text.
    day_ok = pc.equal(pc.day(base), pc.cast(pc.utf8_slice_codeunits(date, 8, 10), pa.int64()))
    sec_ok = pc.equal(pc.second(base), pc.cast(pc.utf8_slice_codeunits(time, 6, 8), pa.int64()))
    frac = pc.utf8_slice_codeunits(pc.utf8_rpad(pc.struct_field(m, "frac"), 6, "0"), 0, 6)
    wall = pc.add(base, pc.cast(pc.cast(frac, pa.int64()), pa.duration("us")))

    tz = pc.struct_field(m, "tz")
    has_offset = pc.not_equal(tz, "")
    tz = pc.replace_substring_regex(pc.utf8_upper(tz), r"^Z$", "+00:00")
    digits = pc.if_else(has_offset, pc.replace_substring(tz, ":", ""), "+00")
    hours = pc.cast(pc.utf8_slice_codeunits(digits, 1, 3), pa.int64())
    minutes = pc.cast(pc.utf8_rpad(pc.utf8_slice_codeunits(digits, 3, 5), 2, "0"), pa.int64())
    sign = pc.if_else(pc.starts_with(tz, "-"), -1, 1)
    offset_min = pc.multiply(sign, pc.add(pc.multiply(hours, 60), minutes))
    offset_ok = pc.and_(pc.less_equal(hours, 14), pc.less(minutes, 60))
    offset = pc.cast(pc.multiply(offset_min, 60_000_000), pa.duration("us"))
    # Naive values count as UTC when cast to a zoned type; shifting by the offset gives the
    # instant, and local_timestamp gives its wall-clock time in the manifest time zone.
    instant = pc.cast(pc.subtract(wall, offset), pa.timestamp("us", "UTC"))
    local = pc.local_timestamp(pc.cast(instant, pa.timestamp("us", timezone)))

    ok = pc.and_(pc.and_(day_ok, sec_ok), pc.or_(pc.invert(has_offset), offset_ok))
    ok = pc.fill_null(ok, False)
    return pc.if_else(ok, pc.if_else(has_offset, local, wall), _NULL_TS), ok


def localize_timestamps(values: pa.Array, timezone: str) -> pa.Array:
    """Typed time stamps (e.g. from Parquet) to naive local ``timestamp[us]``.

    Zoned values are converted to ``timezone``; naive values are already local wall-clock time.
    """
    if pa.types.is_timestamp(values.type) and values.type.tz is not None:
        zoned = pc.cast(values, pa.timestamp("us", timezone), safe=False)
        return pc.local_timestamp(zoned)
    return pc.cast(values, pa.timestamp("us"), safe=False)


# -- domains ------------------------------------------------------------------------------------
_DOMAIN_RULES = (
    (r"^[a-z][a-z0-9+.\-]*://", ""),  # scheme
    (r"^[^/?#@]*@", ""),  # user info
    (r"[/?#].*$", ""),  # path, query, fragment
    (r":\d*$", ""),  # port
    (r"\.+$", ""),  # trailing dot of a fully qualified name
)


def normalize_domain(values: pa.Array) -> pa.Array:
    """Lower-case host names and strip scheme, user, port, path, query and fragment.

    App names (``WeChat``) are only lower-cased. Values empty after stripping become null.

    >>> normalize_domain(pa.array(["HTTPS://Pay.Example.COM:8443/a?b=1", "WeChat"])).to_pylist()
    ['pay.example.com', 'wechat']
    """
    # A session log repeats a few thousand domains: run the regex passes on each once.
    if len(values) < _DISTINCT_FROM:
        return _normalize_domain(values)
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    encoded = pc.dictionary_encode(values)
    return pc.take(_normalize_domain(encoded.dictionary), encoded.indices)


#: Arrays at least this long are normalised on their distinct values.
_DISTINCT_FROM = 4096


def _normalize_domain(values: pa.Array) -> pa.Array:
    s = pc.utf8_lower(clean_strings(values))
    for pattern, replacement in _DOMAIN_RULES:
        s = pc.replace_substring_regex(s, pattern, replacement)
    return clean_strings(s)
