"""Masking of personal identifiers in anything a person reads: reports, catalogues, exports.

Phone numbers keep their international prefix and country code, the first digits of the
national number and the last digits; the middle digits become ``*`` in place, so separators
and the length survive::

    13812345678       ->  138****5678
    +86 138 1234 5678 ->  +86 138 **** 5678
    95588             ->  95588          (short service numbers are not personal)

Identifiers (IMEIs, hashed holder ids, IMSIs) keep a few characters at each end
(:func:`mask_id`). Free text such as reasons is scrubbed of any long digit run
(:func:`scrub_text`) as a last line of defence.

The ``*s`` functions are vectorised over pandas Series or Arrow arrays; the scalar forms call
them, so there is one definition of each rule.
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np
import pandas as pd
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc

Strings = TypeVar("Strings", pd.Series, pa.Array, pa.ChunkedArray)

# Country calling codes (1-3 digits) form a prefix code: no code is a prefix of another, so
# at most one of a number's first one, two or three digits is a code. One lookup table a width.
_CC_TABLES = tuple(
    np.isin(np.arange(10**w), [c for c in phonenumbers.COUNTRY_CODE_TO_REGION_CODE if c < 10**w])
    & (np.arange(10**w) >= 10 ** (w - 1))
    for w in (1, 2, 3)
)
# Unicode White_Space code points (what may stand before a leading '+' or '00'), as a table
# over the code points up to U+3000; the extra last entry stands for every code point above.
_WHITESPACE = np.zeros(0x3002, dtype=bool)
_WHITESPACE[[*range(9, 14), 0x20, 0x85, 0xA0, 0x1680, *range(0x2000, 0x200B)]] = True
_WHITESPACE[[0x2028, 0x2029, 0x202F, 0x205F, 0x3000]] = True
#: Digits kept at the head and tail of a national number of 0..10+ digits.
_HEAD = np.array([0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 3])
_TAIL = np.array([0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 4])
#: Longer values are not phone numbers; all their digits are masked.
_MAX_NUMBER_CHARS = 40
#: Rows masked per numpy block (bounds the fixed-width character matrix).
_BLOCK = 65_536
_STAR = ord("*")
_MAX_ID_STARS = 8


def _to_arrow(values: pd.Series | pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(values, pd.Series):
        arr = pa.array(values.astype("object").where(values.notna(), None), type=pa.string())
    elif isinstance(values, pa.ChunkedArray):
        arr = values.combine_chunks()
    else:
        arr = values
    return arr if arr.type == pa.string() else pc.cast(arr, pa.string())


def _like_input(masked: pa.Array, values: Strings) -> Strings:
    if isinstance(values, pd.Series):
        return pd.Series(
            masked.to_numpy(zero_copy_only=False),
            index=values.index,
            name=values.name,
            dtype="object",
        )
    if isinstance(values, pa.ChunkedArray):
        return pa.chunked_array([masked])
    return masked


def _star_positions(
    text: pa.Array, keep_head: np.ndarray, keep_tail: np.ndarray, *, digits_only: bool
) -> pa.Array:
    """Replace characters (or only digits) outside the kept head and tail with ``*``.

    ``keep_head`` / ``keep_tail`` count digits when ``digits_only`` (separators are skipped
    over and kept), characters otherwise. Works on a fixed-width code-point matrix, one block
    of rows at a time, so there is no Python loop over rows.
    """
    out = []
    for start in range(0, len(text), _BLOCK):
        block = text.slice(start, _BLOCK)
        u = np.asarray(block.to_numpy(zero_copy_only=False), dtype=str)
        width = u.dtype.itemsize // 4
        if width == 0:
            out.append(block)
            continue
        codes = u.view(np.uint32).reshape(len(u), width).copy()
        present = codes != 0
        target = (codes >= 48) & (codes <= 57) if digits_only else present
        ordinal = np.cumsum(target, axis=1, dtype=np.int64)
        total = ordinal[:, -1:]
        head = keep_head[start : start + len(u), None]
        tail = keep_tail[start : start + len(u), None]
        hide = target & (ordinal > head) & (ordinal <= total - tail)
        codes[hide] = _STAR
        out.append(pa.array(codes.view(f"<U{width}").reshape(len(u)), type=pa.string()))
    return pa.concat_arrays(out) if out else text


def mask_numbers(values: Strings) -> Strings:
    """Mask the middle digits of every phone number in a Series or Arrow array.

    The international prefix (``+`` or ``00``) and country code are kept, then 3 leading and
    4 trailing digits of a national number of 10 or more digits (2 and 2 for 7–9 digits, 1 and
    1 below); separators stay where they were and the length is unchanged. Bare service numbers
    (up to 6 digits, ``106…`` SMS ports, ``400``/``800`` hotlines) are returned as they are.
    Nulls stay null.

    >>> mask_numbers(pd.Series(["13812345678", "+8613812345678", "95588", None])).tolist()
    ['138****5678', '+86138****5678', '95588', None]
    """
    s = _to_arrow(values)
    if len(s) == 0:
        return values
    text = pc.fill_null(s, "")
    masked = pa.concat_arrays(
        [_mask_number_block(text.slice(i, _BLOCK)) for i in range(0, len(text), _BLOCK)]
    )
    if s.null_count:
        masked = pc.if_else(pc.is_null(s), pa.scalar(None, pa.string()), masked)
    return _like_input(masked, values)


def _mask_number_block(block: pa.Array) -> pa.Array:
    """:func:`mask_numbers` over one block of non-null strings, on their code-point matrix (a
    fixed cost of a few dozen numpy operations, so a page of results costs about one value)."""
    u = np.asarray(block.to_numpy(zero_copy_only=False), dtype=str)
    width = u.dtype.itemsize // 4
    if width == 0:
        return block
    n = len(u)
    codes = u.view(np.uint32).reshape(n, width).copy()
    is_digit = (codes >= 48) & (codes <= 57)
    ordinal = np.cumsum(is_digit, axis=1, dtype=np.int64)
    n_digits = ordinal[:, -1]
    # Each row's first six digits, left-aligned; -1 where it has fewer.
    order = np.argsort(~is_digit, axis=1, kind="stable")[:, :6]
    d = np.take_along_axis(np.where(is_digit, codes.astype(np.int64) - 48, -1), order, axis=1)
    if d.shape[1] < 6:
        d = np.pad(d, ((0, 0), (0, 6 - d.shape[1])), constant_values=-1)
    # The first character after leading whitespace and the one after it: '+' or '00'.
    body = (codes != 0) & ~_WHITESPACE[np.minimum(codes, len(_WHITESPACE) - 1)]
    first = np.argmax(body, axis=1)
    rows = np.arange(n)
    lead = codes[rows, first] * body[rows, first]
    after = codes[rows, np.minimum(first + 1, width - 1)] * (first + 1 < width)
    plus = lead == ord("+")
    idd = ~plus & (lead == ord("0")) & (after == ord("0"))
    international = plus | idd
    r = np.where(idd[:, None], d[:, 2:5], d[:, 0:3])  # the digits after an 00 prefix
    ok = r >= 0
    r = np.maximum(r, 0)
    cc_len = np.select(
        [
            ok[:, 0] & _CC_TABLES[0][r[:, 0]],
            ok[:, 1] & _CC_TABLES[1][r[:, 0] * 10 + r[:, 1]],
            ok[:, 2] & _CC_TABLES[2][r[:, 0] * 100 + r[:, 1] * 10 + r[:, 2]],
        ],
        [1, 2, 3],
        0,
    )
    # 86 + an 11-digit mobile written without '+' still carries a country code.
    cc_bare = (
        ~international & (n_digits == 13) & (d[:, 0] == 8) & (d[:, 1] == 6) & (d[:, 2] == 1)
    ) & (d[:, 3] >= 3)
    prefix = 2 * idd + np.where(cc_bare, 2, cc_len * international)
    national = np.clip(n_digits - prefix, 0, len(_HEAD) - 1)
    # Service numbers: up to 6 digits, 106... SMS ports, 400/800 + 7 digits.
    service = (~international & ~cc_bare) & (
        ((n_digits >= 1) & (n_digits <= 6))
        | ((d[:, 0] == 1) & (d[:, 1] == 0) & (d[:, 2] == 6))
        | ((n_digits == 10) & ((d[:, 0] == 4) | (d[:, 0] == 8)) & (d[:, 1] == 0) & (d[:, 2] == 0))
    )
    keep_head = np.where(service, n_digits, prefix + _HEAD[national])
    keep_tail = np.where(service, 0, _TAIL[national])
    too_long = (codes != 0).sum(axis=1) > _MAX_NUMBER_CHARS  # not a number: mask every digit
    keep_head[too_long] = 0
    keep_tail[too_long] = 0
    hide = is_digit & (ordinal > keep_head[:, None]) & (ordinal <= (n_digits - keep_tail)[:, None])
    codes[hide] = _STAR
    return pa.array(codes.view(f"<U{width}").reshape(n), type=pa.string())


def mask_number(number: str | None) -> str | None:
    """Mask one phone number (see :func:`mask_numbers`).

    >>> mask_number("+86 138 1234 5678")
    '+86 138 **** 5678'
    >>> mask_number("10086")
    '10086'
    """
    if number is None:
        return None
    return mask_numbers(pa.array([number], type=pa.string()))[0].as_py()


def mask_ids(values: Strings) -> Strings:
    """Mask identifiers (IMEI, IMSI, hashed holder id): keep a few characters at each end.

    4 characters at each end are kept for ids of 16 or more characters, 3 for 10–15, 2 for
    6–9, 1 for 3–5; shorter ids are fully masked. Up to 16 characters the length is kept;
    longer ids (hashes) show 8 ``*`` for their middle, so they stay readable in a table.

    >>> mask_ids(pd.Series(["356938035643809", "a1b2c3d4e5f60718293a4b5c6d7e8f90"])).tolist()
    ['356*********809', 'a1b2********8f90']
    """
    s = _to_arrow(values)
    if len(s) == 0:
        return values
    text = pc.fill_null(s, "")
    n = pc.utf8_length(text).to_numpy(zero_copy_only=False).astype(np.int64)
    keep = np.select([n >= 16, n >= 10, n >= 6, n >= 3], [4, 3, 2, 1], 0)
    # Ids too long for a table are cut before masking; only their ends are ever shown.
    cut = pc.binary_join_element_wise(
        pc.utf8_slice_codeunits(text, 0, 4),
        pc.utf8_slice_codeunits(text, -4),
        "*" * _MAX_ID_STARS,
    )
    short = pc.less_equal(pc.utf8_length(text), 4 + 4 + _MAX_ID_STARS)
    masked = _star_positions(pc.if_else(short, text, ""), keep, keep, digits_only=False)
    masked = pc.if_else(short, masked, cut)
    masked = pc.if_else(pc.is_null(s), pa.scalar(None, pa.string()), masked)
    return _like_input(masked, values)


def mask_id(value: str | None) -> str | None:
    """Mask one identifier (see :func:`mask_ids`).

    >>> mask_id("860000000000001")
    '860*********001'
    """
    if value is None:
        return None
    return mask_ids(pa.array([value], type=pa.string()))[0].as_py()


#: How each entity type is shown to a person; types not listed are not personal.
_MASKERS = {"msisdn": mask_numbers, "imei": mask_ids, "holder_id_hash": mask_ids, "imsi": mask_ids}


def mask_entities(entity_type: pd.Series, entity_id: pd.Series) -> pd.Series:
    """Mask entity ids by their type: numbers as numbers, devices and holders as ids.

    Outlets, cells and domains are places and services, not people, and are shown as they are.

    >>> mask_entities(pd.Series(["msisdn", "cell_id"]), pd.Series(["13812345678", "C1"])).tolist()
    ['138****5678', 'C1']
    """
    out = entity_id.astype("object").copy()
    for kind, masker in _MASKERS.items():
        sel = (entity_type == kind).to_numpy()
        if sel.any():
            out[sel] = masker(entity_id[sel]).to_numpy()
    return out


def scrub_text(values: Strings) -> Strings:
    """Mask the middle of every run of 7 or more digits in free text (reasons, file names).

    Reasons should carry counts, never numbers; this is the safety net if one ever does. Counts
    of 7 digits or more are masked too, which is the price of the net.

    >>> scrub_text(pd.Series(["call from 13812345678 at 09:00", "312 calls"])).tolist()
    ['call from 138****5678 at 09:00', '312 calls']
    """
    s = _to_arrow(values)
    s = pc.replace_substring_regex(s, r"(\d{3})\d{4,}(\d{4})", r"\1****\2")
    s = pc.replace_substring_regex(s, r"(\d{2})\d{3,6}(\d{2})", r"\1***\2")
    return _like_input(s, values)
