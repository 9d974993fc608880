import pandas as pd
from enginefixtures import on_both_engines
from number_cases import T0, background, call, minutes, num, reasons, talk

from fraudwall.detectors.library.harassment_repeat import HarassmentRepeat

# The habit test computes a Chernoff bound in the engine (ln, exp, a cross join): both engines.
pytestmark = on_both_engines

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
    # Eight rejected calls within one morning, against the same count spread over four days
    # (in a network where people answer: a network where nobody does rejects no one).
    calls = background()
    calls += [call(HARASSER, TARGET, "MO", T0 + minutes(20 * i), 0) for i in range(8)]
    calls += [
        call(PARENT, CHILD, "MO", T0 + pd.Timedelta(days=i // 2) + minutes(60 * i), 0)
        for i in range(8)
    ]
    p = HarassmentRepeat.Params()
    hits = HarassmentRepeat().find(make_ctx(calls=calls), p).execute()
    assert hits["entity_id"].tolist() == [HARASSER]
    assert hits["max_failed_day"].item() == 8
    assert "up to 8 failed calls to one person in a day" in reasons(HarassmentRepeat, hits, p)[0]


def _barrage(caller: str, callee: str) -> list[dict]:
    """Eight rejected calls within one morning and four more the next day."""
    at = [T0 + minutes(20 * i) for i in range(8)] + [
        T0 + pd.Timedelta(days=1) + minutes(60 * i) for i in range(4)
    ]
    return [row for t in at for row in talk(caller, callee, t, 0)]


def test_a_callee_who_texts_back_knows_the_caller(make_ctx):
    # Both barrages look alike by call; one callee replies by text ("in a meeting, later").
    other, texter = num(173, 1), num(138, 903)
    calls = background() + _barrage(HARASSER, TARGET) + _barrage(other, texter)
    sms = [
        {
            "record_id": "s1",
            "msisdn": texter,
            "other_party": other,
            "direction": "MO",
            "sent_at": T0 + minutes(200),
        }
    ]
    p = HarassmentRepeat.Params()
    hits = HarassmentRepeat().find(make_ctx(calls=calls, sms=sms), p).execute()
    assert hits["entity_id"].tolist() == [HARASSER]
    assert "text-back" in reasons(HarassmentRepeat, hits, p)[0]


def test_a_callee_who_answers_nobody_does_not_make_the_caller_a_pest(make_ctx):
    # The same barrage on two people: one answers friends who call, the other leaves 9 of 10
    # calls from everyone unanswered, so this caller's failures are the callee's habit.
    frequent, answerer, ignorer = num(174, 1), num(138, 904), num(138, 905)
    calls = background() + _barrage(HARASSER, answerer) + _barrage(frequent, ignorer)
    for i in range(20):
        friend = num(139, i)
        calls += talk(friend, answerer, T0 + minutes(30 * i + 7), 90)
        calls += talk(friend, ignorer, T0 + minutes(30 * i + 9), 90 if i % 10 == 0 else 0)
    p = HarassmentRepeat.Params()
    hits = HarassmentRepeat().find(make_ctx(calls=calls), p).execute()
    assert hits["entity_id"].tolist() == [HARASSER]
    assert 10 ** hits["habit_log10"].item() < p.max_habit_chance
    assert "explains that with a chance as low as 10^-" in reasons(HarassmentRepeat, hits, p)[0]
