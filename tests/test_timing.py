import pytest

from fraudwall import timing
from fraudwall.timing import Ledger


@pytest.fixture
def clock(monkeypatch):
    """A clock that moves only when the test says so."""
    now = [0.0]
    monkeypatch.setattr(timing.time, "perf_counter", lambda: now[0])
    return now


def test_nested_time_is_charged_to_the_nested_section_only(clock):
    ledger = Ledger()
    with ledger.section("bulk_sms"):
        clock[0] += 1
        with ledger.section("features:number_calls"):
            clock[0] += 10
            with ledger.section("fraud_caller"):
                clock[0] += 4
            clock[0] += 2
        clock[0] += 3
    assert dict(ledger.seconds) == {
        "bulk_sms": 4,
        "features:number_calls": 12,
        "fraud_caller": 4,
    }
    assert sum(ledger.seconds.values()) == clock[0]  # nothing counted twice or lost


def test_reentering_a_section_adds_up_and_prefixes_select(clock):
    ledger = Ledger()
    for _ in range(2):
        with ledger.section("features:a"):
            clock[0] += 1.5
    with ledger.section("det"):
        clock[0] += 0.25
    assert ledger.rounded("features:") == {"a": 3.0}
    assert ledger.rounded() == {"features:a": 3.0, "det": 0.25}


def test_a_failing_section_is_still_charged(clock):
    ledger = Ledger()
    with pytest.raises(RuntimeError), ledger.section("outer"):
        clock[0] += 1
        with ledger.section("inner"):
            clock[0] += 2
            raise RuntimeError
    assert dict(ledger.seconds) == {"outer": 1, "inner": 2}
