"""number_profile: shares and multiples of the median caller, checked by hand."""

import pandas as pd
import pytest
from enginefixtures import on_both_engines

from fraudwall.features.number_profile import number_view

pytestmark = on_both_engines

T0 = pd.Timestamp("2026-03-02 10:00:00")


def legs(msisdn, n_callees, duration, direction="MO", hour=10):
    at = T0.replace(hour=hour)
    return [
        {
            "record_id": f"{msisdn}{direction}{i}",
            "msisdn": msisdn,
            "other_party": f"p{i}",
            "direction": direction,
            "started_at": at + pd.Timedelta(minutes=i),
            "duration_s": duration,
        }
        for i in range(n_callees)
    ]


@pytest.fixture
def view(make_ctx):
    # X, Y, Z call 2, 4 and 40 numbers (median 4); W only receives calls.
    calls = legs("X", 2, 60) + legs("Y", 4, 60, hour=2) + legs("Z", 40, 0)
    calls += legs("Z", 2, 30, direction="MT")  # p0 and p1 call Z back
    calls += legs("W", 3, 60, direction="MT")
    ctx = make_ctx(calls=calls)
    return number_view(ctx.features).execute().set_index("entity_id")


def test_population_medians_come_from_numbers_that_call(view):
    assert view["median_callees"].unique().tolist() == [4.0]
    assert view.loc["Z", "callees_x_median"] == 10.0
    assert view.loc["X", "calls_out_x_median"] == 0.5


def test_shares(view):
    z = view.loc["Z"]
    assert z["callback_share"] == 2 / 40
    assert z["inbound_share"] == 2 / 42
    assert z["unanswered_share"] == 1.0 and z["fail_share"] == 1.0
    assert view.loc["W", "inbound_share"] == 1.0
    assert view.loc["W", "unanswered_share"] == 0.0  # no outbound calls: zero, not undefined
    # Y's 4 night calls among 46 outbound calls in all.
    assert view.loc["Y", "night_share"] == 1.0
    assert view["population_night_share"].iloc[0] == pytest.approx(4 / 46)
