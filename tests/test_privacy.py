"""Masking: no middle digits of a mobile number survive, lengths are stable, services are kept."""

from __future__ import annotations

import re

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fraudwall.privacy import (
    mask_entities,
    mask_id,
    mask_ids,
    mask_number,
    mask_numbers,
    scrub_text,
)

mobiles = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
#: How operators write a mobile number: (prefix digits kept, formatter).
FORMATS = {
    "bare": ("", lambda m: m),
    "e164": ("86", lambda m: "+86" + m),
    "cc": ("86", lambda m: "86" + m),
    "idd": ("0086", lambda m: "0086" + m),
    "spaced": ("86", lambda m: f"+86 {m[:3]} {m[3:7]} {m[7:]}"),
    "dashed": ("", lambda m: f"{m[:3]}-{m[3:7]}-{m[7:]}"),
}


@given(mobile=mobiles, fmt=st.sampled_from(sorted(FORMATS)))
def test_masked_mobile_shows_only_prefix_head_and_tail(mobile: str, fmt: str) -> None:
    prefix, write = FORMATS[fmt]
    written = write(mobile)
    masked = mask_number(written)
    assert masked is not None
    assert len(masked) == len(written)
    # The digits still visible are exactly the prefix, the first 3 and the last 4.
    assert re.sub(r"\D", "", masked) == prefix + mobile[:3] + mobile[-4:]
    assert masked.count("*") == 4
    # Everything that is not a masked digit is unchanged, in place.
    for a, b in zip(written, masked, strict=True):
        assert a == b or (a.isdigit() and b == "*")


@given(
    numbers=st.lists(
        st.one_of(st.none(), mobiles, st.from_regex(r"\+?[0-9]{1,16}", fullmatch=True)), max_size=30
    )
)
def test_vectorised_agrees_with_scalar_and_keeps_nulls(numbers: list[str | None]) -> None:
    series = pd.Series(numbers, index=range(100, 100 + len(numbers)), dtype="object")
    masked = mask_numbers(series)
    assert list(masked.index) == list(series.index)
    assert masked.tolist() == [mask_number(n) for n in numbers]
    arrow = mask_numbers(pa.array(numbers, type=pa.string()))
    assert arrow.to_pylist() == masked.tolist()
    for raw, out in zip(numbers, masked, strict=True):
        assert (raw is None) == (out is None)
        if raw is not None:
            assert len(out) == len(raw)


@given(digits=st.from_regex(r"[0-9]{7,15}", fullmatch=True), plus=st.booleans())
def test_personal_length_numbers_are_always_masked(digits: str, plus: bool) -> None:
    number = ("+" if plus else "") + digits
    service = not plus and re.fullmatch(r"106\d*|[48]00\d{7}", digits)
    masked = mask_number(number)
    assert masked is not None
    assert ("*" not in masked) == bool(service)


def test_service_numbers_stay_as_they_are() -> None:
    services = ["95588", "95533", "10086", "110", "1065502012345", "4008123456"]
    assert mask_numbers(pd.Series(services)).tolist() == services


def test_international_numbers_keep_their_country_code() -> None:
    out = mask_numbers(pd.Series(["+44 20 7946 0958", "+639171234567", "02112345678"])).tolist()
    assert out[0].startswith("+44 20") and out[0].endswith("0958") and "946" not in out[0]
    assert out[1].startswith("+63917") and out[1].endswith("4567")
    assert out[2] == "021****5678"


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("\u3000+86 138 1234 5678", "\u3000+86 138 **** 5678"),  # leading ideographic space
        ("008613812345678", "0086138****5678"),  # 00 prefix, then the country code
        ("+1 212 555 0100", "+1 212 *** 0100"),  # one-digit country code
        ("+852 9123 4567", "+852 91** **67"),  # three-digit country code, 8-digit national
        ("号13812345678", "号138****5678"),  # a character before the number is not whitespace
        ("+", "+"),
        ("", ""),
        ("1" * 41, "*" * 41),  # too long for a number: every digit hidden
    ],
)
def test_prefixes_and_odd_input(number: str, masked: str) -> None:
    assert mask_numbers(pd.Series([number])).tolist() == [masked]


@given(value=st.text(alphabet="0123456789abcdef", min_size=0, max_size=80))
def test_ids_reveal_at_most_eight_characters(value: str) -> None:
    masked = mask_id(value)
    assert masked is not None
    visible = [c for c in masked if c != "*"]
    assert len(visible) <= 8
    if len(value) <= 16:
        assert len(masked) == len(value)
    if len(value) >= 3:
        assert masked != value or "*" in masked


def test_imei_keeps_length_and_ends() -> None:
    assert mask_ids(pd.Series(["356938035643809"])).tolist() == ["356*********809"]


@given(text=st.text(alphabet="0123456789 +abc:,", max_size=60))
def test_scrubbed_text_holds_no_run_of_seven_digits(text: str) -> None:
    assert not re.search(r"\d{7}", scrub_text(pd.Series([text])).iloc[0])


def test_mask_entities_masks_people_not_places() -> None:
    types = pd.Series(["msisdn", "imei", "holder_id_hash", "cell_id", "domain"])
    ids = pd.Series(["13812345678", "356938035643809", "ab" * 32, "C0042", "pay-safe.example"])
    out = mask_entities(types, ids).tolist()
    assert out[0] == "138****5678"
    assert out[1] == "356*********809"
    assert out[2] == "abab********abab"
    assert out[3:] == ["C0042", "pay-safe.example"]
