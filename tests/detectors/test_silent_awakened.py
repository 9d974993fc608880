import pandas as pd
from number_cases import T0, background, call, minutes, num, numbers_in, reasons, subscribers, talk

from fraudwall.detectors.library.silent_awakened import SilentAwakened

SLEEPER = num(170, 1)
SPARE = num(171, 1)
BUSY = num(172, 1)
DAY3 = T0 + pd.Timedelta(days=2)


def test_flags_an_old_dormant_card_that_suddenly_calls_heavily(make_ctx):
    calls = background()
    subs = [{**s, "arpu": 50.0 + i} for i, s in enumerate(subscribers(numbers_in(calls)))]
    subs += subscribers([SLEEPER, SPARE], arpu=1.0) + subscribers([BUSY], arpu=300.0)
    calls += [call(SLEEPER, num(130, i), "MO", DAY3 + minutes(i), 40) for i in range(40)]
    calls += [call(SPARE, num(131, i), "MO", DAY3 + minutes(i), 40) for i in range(2)]
    calls += [call(BUSY, num(132, i), "MO", T0 + minutes(i), 40) for i in range(40)]
    p = SilentAwakened.Params()
    hits = SilentAwakened().find(make_ctx(calls=calls, subscribers=subs), p).execute()
    assert hits["entity_id"].tolist() == [SLEEPER]
    row = hits.iloc[0]
    assert (row["silent_days"], row["calls_out"]) == (2, 40)
    assert row["card_age_days"] >= 365
    assert 0.6 <= row["score"] <= 1.0
    assert "silent for 2 day(s)" in reasons(SilentAwakened, hits, p)[0]


def test_a_new_card_is_not_an_awakened_one(make_ctx):
    calls = background() + [
        call(SLEEPER, num(130, i), "MO", DAY3 + minutes(i), 40) for i in range(40)
    ]
    subs = subscribers(numbers_in(calls), arpu=1.0)
    subs = [{**s, "activated_at": T0} if s["msisdn"] == SLEEPER else s for s in subs]
    hits = SilentAwakened().find(make_ctx(calls=calls, subscribers=subs), SilentAwakened.Params())
    assert hits.execute().empty


def test_a_card_woken_in_the_last_hours_counts_by_its_daily_rate(make_ctx):
    # People call two friends a day for three days. The sleeper wakes on the evening of the
    # last day and makes 25 calls: about four times an ordinary person's total for the
    # period, but more than ten times an ordinary person's day.
    people = [num(138, i) for i in range(30)]
    calls = [
        row
        for day in range(3)
        for i, me in enumerate(people)
        for k in (1, 2)
        for row in talk(
            me, people[(i + k) % 30], T0 + pd.Timedelta(days=day) + minutes(10 * i + k), 60
        )
    ]
    subs = [{**s, "arpu": 50.0 + i} for i, s in enumerate(subscribers(people))]
    subs += subscribers([SLEEPER], arpu=1.0)
    late = DAY3 + pd.Timedelta(hours=10)
    calls += [call(SLEEPER, num(130, i), "MO", late + minutes(10 * i), 40) for i in range(25)]
    p = SilentAwakened.Params()
    hits = SilentAwakened().find(make_ctx(calls=calls, subscribers=subs), p).execute()
    assert hits["entity_id"].tolist() == [SLEEPER]
    assert hits["out_per_day"].item() == 25
    assert hits["rate_multiple"].item() >= p.min_rate_x_median
    assert "25 a day" in reasons(SilentAwakened, hits, p)[0]
