from enginefixtures import on_both_engines
from number_cases import T0, background, call, minutes, num, reasons, talk

from fraudwall.detectors.library.wangiri import Wangiri

pytestmark = on_both_engines

FOREIGN = "+447700900123"
FRAUD = num(170, 1)


def test_flags_a_foreign_one_ring_caller_seen_only_through_our_subscribers(make_ctx):
    calls = background()
    victims = [num(138, 100 + i) for i in range(40)]
    # One ring at each of 40 subscribers (their MT legs), 4 of whom call back later.
    calls += [call(v, FOREIGN, "MT", T0 + minutes(i), 0) for i, v in enumerate(victims)]
    calls += [call(v, FOREIGN, "MO", T0 + minutes(120 + i), 45) for i, v in enumerate(victims[:4])]
    # A fraud caller rings as many people, talks to some, and is not called back.
    calls += [
        call(FRAUD, num(130, i), "MO", T0 + minutes(i), [0, 0, 0, 300][i % 4]) for i in range(40)
    ]
    p = Wangiri.Params()
    hits = Wangiri().find(make_ctx(calls=calls), p).execute()
    assert hits["entity_id"].tolist() == [FOREIGN]
    row = hits.iloc[0]
    assert (row["rung"], row["callbacks"]) == (40, 4)
    assert row["unanswered_share"] == 1.0
    assert 0.6 <= row["score"] <= 1.0
    assert "40 distinct numbers rung" in reasons(Wangiri, hits, p)[0]


def test_a_callback_must_follow_the_ring(make_ctx):
    # The rung people called this number before it rang them: those are not call-backs.
    calls = background()
    victims = [num(138, 100 + i) for i in range(40)]
    calls += [call(v, FOREIGN, "MT", T0 + minutes(600 + i), 0) for i, v in enumerate(victims)]
    for v in victims[:4]:
        calls += talk(v, FOREIGN, T0 + minutes(1), 45)[:1]
    assert Wangiri().find(make_ctx(calls=calls), Wangiri.Params()).execute().empty
