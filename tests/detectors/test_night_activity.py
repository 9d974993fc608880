import pandas as pd
from enginefixtures import on_both_engines
from number_cases import T0, background, call, num, reasons

from fraudwall.detectors.library.night_activity import NightActivity

pytestmark = on_both_engines

NUISANCE = num(170, 1)
SHIFT = num(171, 1)
NIGHT = pd.Timestamp("2026-03-03 01:00:00")


def test_flags_unanswered_night_calling_not_a_night_shift_worker(make_ctx):
    calls = background()
    # Both call 20 times at night; the nuisance caller is not answered, the worker is.
    for i in range(20):
        at = NIGHT + pd.Timedelta(minutes=6 * i)
        calls.append(call(NUISANCE, num(139, i % 4), "MO", at, 0))
        calls.append(call(SHIFT, num(131, i % 4), "MO", at, 120))
    calls += [call(NUISANCE, num(139, 9), "MO", T0, 60)]
    p = NightActivity.Params()
    hits = NightActivity().find(make_ctx(calls=calls), p).execute()
    assert hits["entity_id"].tolist() == [NUISANCE]
    assert hits["night_out"].item() == 20
    assert hits["score"].item() < 0.6  # weak on its own
    assert "20 outbound calls between 0h and 6h" in reasons(NightActivity, hits, p)[0]


def test_night_is_measured_against_the_population(make_ctx):
    # Where everyone calls at night, calling at night is not unusual.
    calls = []
    for k in range(10):
        me = num(150, k)
        calls += [
            call(me, num(151, i), "MO", NIGHT + pd.Timedelta(minutes=i), 0) for i in range(20)
        ]
    assert NightActivity().find(make_ctx(calls=calls), NightActivity.Params()).execute().empty
