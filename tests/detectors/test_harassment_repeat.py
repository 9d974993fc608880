import pandas as pd
from number_cases import T0, background, call, minutes, num, reasons, talk

from fraudwall.detectors.library.harassment_repeat import HarassmentRepeat

HARASSER = num(170, 1)
PARENT = num(171, 1)
TARGET = num(138, 900)
CHILD = num(138, 901)


def test_flags_pestering_not_a_parent_who_gets_called_back(make_ctx):
    calls = background()
    # 12 calls to one person who rejects them (0-3 s) and never calls back.
    for i in range(12):
        calls += talk(HARASSER, TARGET, T0 + minutes(40 * i), [0, 0, 3][i % 3])
    # A parent calls a child 12 times unanswered; the child calls back in the evening.
    for i in range(12):
        calls += talk(PARENT, CHILD, T0 + minutes(10 * i), 0)
    calls += talk(CHILD, PARENT, T0 + minutes(600), 300)
    p = HarassmentRepeat.Params()
    hits = HarassmentRepeat().find(make_ctx(calls=calls), p).execute()
    assert hits["entity_id"].tolist() == [HARASSER]
    row = hits.iloc[0]
    assert (row["targets"], row["max_calls"]) == (1, 12)  # both legs count once
    assert row["fail_share"] == 1.0
    assert 0.6 <= row["score"] <= 1.0
    assert "up to 12 calls to one" in reasons(HarassmentRepeat, hits, p)[0]


def test_answered_repeated_calls_are_not_pestering(make_ctx):
    calls = [call(HARASSER, TARGET, "MO", T0 + minutes(30 * i), 240) for i in range(15)]
    assert HarassmentRepeat().find(make_ctx(calls=calls), HarassmentRepeat.Params()).execute().empty


def test_calling_someone_who_rarely_answers_anyone_is_not_pestering(make_ctx):
    # A friend tries three times a day for three days; the person rarely picks up (anyone),
    # talks now and then, and never calls back: repeated, mostly failed, but never a barrage.
    friend, quiet = num(172, 1), num(138, 902)
    calls = background()
    for day in range(3):
        for k in range(3):
            at = T0 + pd.Timedelta(days=day) + minutes(180 * k)
            calls += talk(friend, quiet, at, 120 if (day, k) == (1, 2) else 0)
    hits = HarassmentRepeat().find(make_ctx(calls=calls), HarassmentRepeat.Params())
    assert hits.execute().empty


def test_a_barrage_on_one_day_is_pestering_even_when_spread_targets_are_not(make_ctx):
    # Eight rejected calls within one morning, against the same count spread over four days.
    calls = [call(HARASSER, TARGET, "MO", T0 + minutes(20 * i), 0) for i in range(8)]
    calls += [
        call(PARENT, CHILD, "MO", T0 + pd.Timedelta(days=i // 2) + minutes(60 * i), 0)
        for i in range(8)
    ]
    p = HarassmentRepeat.Params()
    hits = HarassmentRepeat().find(make_ctx(calls=calls), p).execute()
    assert hits["entity_id"].tolist() == [HARASSER]
    assert hits["max_failed_day"].item() == 8
    assert "up to 8 failed calls to one person in a day" in reasons(HarassmentRepeat, hits, p)[0]
