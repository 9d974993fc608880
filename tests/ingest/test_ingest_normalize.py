"""Number, time stamp, domain and type normalisation (unit and property tests)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import phonenumbers
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fraudwall.ingest.normalize import normalize_domain, normalize_msisdn, parse_timestamps
from fraudwall.ingest.parse import parse_floats, parse_ints, parse_times


def e164(text: str) -> str:
    return phonenumbers.format_number(
        phonenumbers.parse(text, "CN"), phonenumbers.PhoneNumberFormat.E164
    )


def norm(values: Sequence[str | None]) -> tuple[list[str | None], list[bool | None]]:
    out, ok = normalize_msisdn(pa.array(list(values), pa.string()))
    return out.to_pylist(), ok.to_pylist()


# -- phone numbers ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "(138) 1234-5678",
        "+86 138 1234 5678",
        "+8613812345678",
        "8613812345678",
        "008613812345678",
        "0086 138 1234 5678",
        "010-8888 9999",  # Beijing landline
        "0755 1234 5678",  # Shenzhen landline
        "(021) 6666 7777",  # Shanghai landline
        "+86 10 8888 9999",
        "+86 (0)10 8888 9999",
        "+1 650 253 0000",  # foreign, with prefix
        "0044 20 7946 0958",  # foreign, with 00
    ],
)
def test_numbers_agree_with_phonenumbers(text: str) -> None:
    out, ok = norm([text])
    assert ok == [True]
    assert out == [e164(text.replace("(0)", ""))]


@pytest.mark.parametrize("text", ["95588", "10086", "110", "12315", "10690000123", "106575551234"])
def test_service_numbers_stay_digits(text: str) -> None:
    assert norm([text]) == ([text], [True])


@pytest.mark.parametrize(
    "text", ["abc", "138-1234-567x", "+", "--", "+86 138 1234 5678 ext 1", "12"]
)
def test_letters_and_junk_are_rejected(text: str) -> None:
    assert norm([text]) == ([None], [False])


def test_missing_numbers_are_null_not_bad() -> None:
    assert norm([None, "", "  "]) == ([None, None, None], [None, None, None])


def test_mixed_batch_keeps_positions() -> None:
    values = ["13812345678", "abc", None, "95588", "+86 139 0000 1111", "13912345678"]
    out, ok = norm(values)
    assert out == ["+8613812345678", None, None, "95588", "+8613900001111", "+8613912345678"]
    assert ok == [True, False, None, True, True, True]


def _valid_mobile(n: int) -> bool:
    try:
        number = phonenumbers.parse(str(n), "CN")
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE


MOBILES = st.integers(13_000_000_000, 19_999_999_999).filter(_valid_mobile).map(str)
FORMATS = [
    "{n}",
    "+86{n}",
    "86{n}",
    "0086{n}",
    "+86 {a} {b} {c}",
    "{a}-{b}-{c}",
    "(+86) {a} {b}{c}",
    "0086-{a}-{b}-{c}",
    " {a} {b} {c} ",
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(MOBILES, st.sampled_from(FORMATS)), min_size=1, max_size=20))
def test_property_valid_chinese_mobiles_match_phonenumbers_e164(
    numbers: list[tuple[str, str]],
) -> None:
    texts = [f.format(n=n, a=n[:3], b=n[3:7], c=n[7:]) for n, f in numbers]
    out, ok = norm(texts)
    assert ok == [True] * len(texts)
    assert out == [e164(t) for t in texts]


# -- time stamps --------------------------------------------------------------------------------
def ts(values: Sequence[str | None], tz: str = "Asia/Shanghai") -> tuple[list, list]:
    out, ok = parse_timestamps(pa.array(list(values), pa.string()), tz)
    return out.to_pylist(), ok.to_pylist()


def test_local_formats_are_kept_as_wall_clock() -> None:
    values = ["2024-05-01 08:30:00", "2024-05-01T08:30:00", "2024-05-01 08:30:00.250"]
    out, ok = ts(values)
    assert ok == [True, True, True]
    base = datetime(2024, 5, 1, 8, 30)
    assert out == [base, base, base + timedelta(milliseconds=250)]


def test_offsets_are_converted_to_the_manifest_zone() -> None:
    values = [
        "2024-05-01T00:00:00Z",
        "2024-05-01T09:00:00+09:00",
        "2024-04-30T20:00:00-0400",
        "2024-05-01 05:30:00+05:30",
    ]
    out, ok = ts(values, "Asia/Shanghai")
    assert ok == [True] * 4
    assert out == [datetime(2024, 5, 1, 8, 0)] * 4
    out_utc, _ = ts(values, "UTC")
    assert out_utc == [datetime(2024, 5, 1, 0, 0)] * 4


@pytest.mark.parametrize(
    "text",
    [
        "2024-02-30 10:00:00",
        "2023-02-29 10:00:00",
        "2024-05-01 24:00:00",
        "2024-05-01 10:60:00",
        "2024-05-01 10:00:60",
        "2024-05-01",
        "01/05/2024 10:00:00",
        "yesterday",
        "2024-05-01 10:00:00+25:00",
    ],
)
def test_impossible_or_unknown_times_are_rejected(text: str) -> None:
    out, ok = ts(["2024-05-01 10:00:00", text])  # a valid neighbour must not hide the bad one
    assert ok == [True, False]
    assert out[1] is None


@settings(max_examples=200, deadline=None)
@given(
    st.datetimes(datetime(2000, 1, 2), datetime(2030, 12, 30)),
    st.integers(-12 * 4, 14 * 4),
    st.sampled_from(["Asia/Shanghai", "Europe/Berlin", "America/New_York"]),
)
def test_property_offsets_match_zoneinfo(wall: datetime, quarters: int, tz: str) -> None:
    wall = wall.replace(microsecond=wall.microsecond // 1000 * 1000)
    offset = timezone(timedelta(minutes=15 * quarters))
    text = wall.replace(tzinfo=offset).isoformat(timespec="milliseconds")
    out, ok = ts([text], tz)
    expected = wall.replace(tzinfo=offset).astimezone(ZoneInfo(tz)).replace(tzinfo=None)
    assert ok == [True]
    assert out == [expected]


def test_typed_timestamps_from_parquet() -> None:
    aware = pa.array([datetime(2024, 5, 1, 0, 0, tzinfo=UTC)], pa.timestamp("ms", "UTC"))
    out, ok = parse_times(aware, "Asia/Shanghai")
    assert ok.to_pylist() == [True]
    assert out.type == pa.timestamp("us")
    assert out.to_pylist() == [datetime(2024, 5, 1, 8, 0)]
    naive = pa.array([datetime(2024, 5, 1, 0, 0)], pa.timestamp("ns"))
    assert parse_times(naive, "Asia/Shanghai")[0].to_pylist() == [datetime(2024, 5, 1, 0, 0)]


# -- domains and plain types --------------------------------------------------------------------
def test_domains_are_lowered_and_stripped() -> None:
    values = [
        "HTTPS://Pay.Example.COM:8443/login?x=1#top",
        "user:pw@evil.cn/path",
        "Example.com.",
        "WeChat",
        "http://",
        None,
    ]
    assert normalize_domain(pa.array(values)).to_pylist() == [
        "pay.example.com",
        "evil.cn",
        "example.com",
        "wechat",
        None,
        None,
    ]


def test_ints_and_floats() -> None:
    ints, ok = parse_ints(pa.array(["5", "+7", " -3 ", "12.0", "1.5", "1e3", "x", ""]))
    assert ints.to_pylist() == [5, 7, -3, 12, None, None, None, None]
    assert ok.to_pylist() == [True, True, True, True, False, False, False, None]
    floats, ok = parse_floats(pa.array(["0.5", ".5", "1e-3", "-2", "nan", "inf", "1,5", None]))
    assert floats.to_pylist() == [0.5, 0.5, 0.001, -2.0, None, None, None, None]
    assert ok.to_pylist() == [True, True, True, True, False, False, False, None]
    typed, ok = parse_ints(pa.array([1.0, 2.5, float("nan"), None]))
    assert typed.to_pylist() == [1, None, None, None]
    assert ok.to_pylist() == [True, False, None, None]


@given(
    st.lists(
        st.one_of(
            st.from_regex(r"1[0-9]{10}", fullmatch=True),
            st.text(alphabet="0123456789１８+ x", min_size=9, max_size=13),
            st.none(),
        ),
        max_size=40,
    )
)
@settings(max_examples=200, deadline=None)
def test_bare_mobile_fast_path_matches_its_regex(values):
    # the kernels that find bare mobiles must say exactly what the regex says
    import pyarrow.compute as pc

    from fraudwall.ingest.normalize import _bare_mobile

    arr = pa.array(values, pa.string())
    expected = pc.fill_null(pc.match_substring_regex(arr, r"^1[3-9]\d{9}$"), False)
    assert _bare_mobile(arr).to_pylist() == expected.to_pylist()
