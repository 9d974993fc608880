"""fraud_caller and its weaker companions (callee_fanout, short_call_share) on hand-made calls."""

from __future__ import annotations

import pandas as pd
import pytest
from number_cases import T0, background, call, minutes, num, numbers_in, reasons, subscribers, talk

from fraudwall.detectors.library.callee_fanout import CalleeFanout
from fraudwall.detectors.library.fraud_caller import FraudCaller
from fraudwall.detectors.library.short_call_share import ShortCallShare

FRAUD = num(170, 1)
CENTRE = num(171, 1)
COURIER = num(172, 1)
SOCIAL = num(173, 1)


def fraudster(n: int = 80) -> list[dict]:
    """Cold calls to strangers: most unanswered or hung up at once, a few long conversations."""
    rows = []
    for i in range(n):
        duration = [0, 0, 0, 0, 0, 0, 0, 8, 12, 600][i % 10]
        rows.append(call(FRAUD, num(130, i), "MO", T0 + minutes(3 * i), duration))
    rows.append(call(FRAUD, num(130, 999), "MT", T0 + minutes(500), 20))
    return rows


def call_centre(n: int = 60) -> list[dict]:
    """Outbound calls to customers, often unanswered, and customers calling the line in."""
    rows = []
    for i in range(n):
        duration = [0, 0, 0, 10, 12, 90, 120, 180, 240, 300][i % 10]
        rows.append(call(CENTRE, num(131, i), "MO", T0 + minutes(3 * i), duration))
    for i in range(n):
        rows.append(call(CENTRE, num(131, 5000 + i), "MT", T0 + minutes(3 * i + 1), 150))
    return rows


def courier(n: int = 60) -> list[dict]:
    """Short answered calls to many customers, half of whom call back."""
    rows = []
    for i in range(n):
        rows.append(call(COURIER, num(132, i), "MO", T0 + minutes(5 * i), [0, 10, 25, 30][i % 4]))
        if i % 2 == 0:
            rows.append(call(COURIER, num(132, i), "MT", T0 + minutes(5 * i + 2), 20))
    return rows


def heavy_social(friends: int = 20) -> list[dict]:
    """Many calls to the same circle of friends, answered, and called back."""
    rows = []
    for k in range(5):
        for i in range(friends):
            at = T0 + pd.Timedelta(hours=3 * k) + minutes(i)
            rows += talk(SOCIAL, num(138, 500 + i), at, 200)
            rows += talk(num(138, 500 + i), SOCIAL, at + minutes(60), 100)
    return rows


@pytest.fixture
def ctx(make_ctx):
    calls = background() + fraudster() + call_centre() + courier() + heavy_social()
    return make_ctx(calls=calls)


def test_fraud_caller_flags_the_cold_caller_only(ctx):
    p = FraudCaller.Params()
    hits = FraudCaller().find(ctx, p).execute()
    assert hits["entity_id"].tolist() == [FRAUD]
    row = hits.iloc[0]
    assert row["callees"] == 80
    assert row["callback_share"] == 0
    assert 0.6 <= row["score"] <= 1.0  # all conditions met: an analyst should see it
    assert "80 distinct numbers called" in reasons(FraudCaller, hits, p)[0]


def test_fraud_caller_scores_a_clearer_case_higher(make_ctx):
    # Same behaviour against twice as many strangers is more certainly a campaign.
    base = background()
    small = FraudCaller().find(make_ctx(calls=base + fraudster(80)), FraudCaller.Params())
    large = FraudCaller().find(make_ctx(calls=base + fraudster(200)), FraudCaller.Params())
    assert large.execute()["score"].item() > small.execute()["score"].item()


def test_fraud_caller_needs_fanout_relative_to_the_population(make_ctx):
    # In a population where everyone calls 80 people, 80 callees is not unusual.
    busy = []
    for i in range(30):
        me = num(150, i)
        busy += [call(me, num(151, 100 * i + k), "MO", T0 + minutes(k), 60) for k in range(80)]
    hits = FraudCaller().find(make_ctx(calls=busy + fraudster()), FraudCaller.Params())
    assert hits.execute().empty


def test_callee_fanout_is_weak_and_also_catches_outbound_telemarketing(ctx):
    p = CalleeFanout.Params()
    hits = CalleeFanout().find(ctx, p).execute()
    assert set(hits["entity_id"]) == {FRAUD, CENTRE}  # the courier is called back
    assert (hits["score"] < 0.6).all()
    assert reasons(CalleeFanout, hits, p)


def test_short_call_share_flags_busy_callers_who_are_hung_up_on(make_ctx):
    quiet = [call(num(174, 1), num(133, i), "MO", T0 + minutes(i), 0) for i in range(5)]
    ctx = make_ctx(calls=background() + fraudster() + courier() + quiet)
    p = ShortCallShare.Params(min_fail_share=0.7)
    hits = ShortCallShare().find(ctx, p).execute()
    # The courier's calls last 25-30 s; the quiet number fails always but calls little.
    assert hits["entity_id"].tolist() == [FRAUD]
    assert hits["score"].item() < 0.6
    assert "outbound calls unanswered" in reasons(ShortCallShare, hits, p)[0]


def test_fraud_caller_flags_cold_calls_whose_listeners_hang_up_after_half_a_minute(make_ctx):
    # 45% of the calls fail outright; most answered ones end after 30 s: a cold caller whose
    # script is heard out briefly is still a cold caller.
    durations = [0] * 8 + [10] + [30] * 10 + [900]
    calls = background() + [
        call(FRAUD, num(130, i), "MO", T0 + minutes(3 * i), durations[i % 20]) for i in range(80)
    ]
    hits = FraudCaller().find(make_ctx(calls=calls), FraudCaller.Params()).execute()
    assert hits["entity_id"].tolist() == [FRAUD]
    assert hits["fail_share"].item() == pytest.approx(0.45)


def test_fraud_caller_leaves_iot_cards_used_as_phones_to_iot_misuse(make_ctx):
    iot = num(177, 1)
    calls = background() + fraudster()
    calls += [{**r, "record_id": f"iot{i}", "msisdn": iot} for i, r in enumerate(fraudster())]
    subs = subscribers(numbers_in(calls))
    subs = [{**s, "holder_type": "iot"} if s["msisdn"] == iot else s for s in subs]
    hits = FraudCaller().find(make_ctx(calls=calls, subscribers=subs), FraudCaller.Params())
    assert hits.execute()["entity_id"].tolist() == [FRAUD]
