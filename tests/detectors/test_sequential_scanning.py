from enginefixtures import on_both_engines
from number_cases import T0, background, call, minutes, num, numbers_in, reasons, subscribers

from fraudwall.detectors.library.sequential_scanning import SequentialScanning

pytestmark = on_both_engines

SCANNER = num(170, 1)
OFFICE = num(171, 1)


def test_flags_a_run_of_consecutive_numbers_not_a_few_neighbours(make_ctx):
    calls = background()
    # The scanner walks 25 consecutive off-net numbers (in shuffled order) plus scattered ones.
    run = [num(133, 5000 + i) for i in range(25)]
    run = run[::2] + run[1::2]
    calls += [call(SCANNER, n, "MO", T0 + minutes(i), 0) for i, n in enumerate(run)]
    calls += [call(SCANNER, num(133, 97 * i), "MO", T0 + minutes(60 + i), 0) for i in range(5)]
    # An office worker calls 5 neighbouring extensions and scattered contacts.
    calls += [call(OFFICE, num(131, 200 + i), "MO", T0 + minutes(i), 60) for i in range(5)]
    calls += [
        call(OFFICE, num(131, 1000 * i + 7), "MO", T0 + minutes(10 + i), 60) for i in range(1, 20)
    ]
    subs = subscribers(numbers_in(calls))
    p = SequentialScanning.Params()
    hits = SequentialScanning().find(make_ctx(calls=calls, subscribers=subs), p).execute()
    assert hits["entity_id"].tolist() == [SCANNER]
    assert hits["longest_run"].item() == 25
    assert hits["scanned_callees"].item() == 25
    assert hits["callees"].item() == 30
    assert 0.6 <= hits["score"].item() <= 1.0
    assert "run of 25 consecutive numbers" in reasons(SequentialScanning, hits, p)[0]


def test_a_run_of_assigned_numbers_counts_whatever_lies_unassigned_between(make_ctx):
    # Our subscribers hold every 7th number of a block; the scanner reaches 12 of them in turn,
    # a heavy caller 12 scattered ones.
    assigned = [num(139, 7 * i) for i in range(200)]
    calls = [call(SCANNER, n, "MO", T0 + minutes(i), 0) for i, n in enumerate(assigned[50:62])]
    calls += [call(OFFICE, n, "MO", T0 + minutes(i), 30) for i, n in enumerate(assigned[::16])]
    subs = subscribers([*assigned, SCANNER, OFFICE])
    p = SequentialScanning.Params()
    hits = SequentialScanning().find(make_ctx(calls=calls, subscribers=subs), p).execute()
    assert hits["entity_id"].tolist() == [SCANNER]
    assert hits["longest_run"].item() == 12


def test_repeated_calls_to_one_number_are_not_a_run(make_ctx):
    calls = [call(SCANNER, num(139, 1), "MO", T0 + minutes(i), 0) for i in range(30)]
    ctx = make_ctx(calls=calls, subscribers=subscribers([SCANNER]))
    assert SequentialScanning().find(ctx, SequentialScanning.Params()).execute().empty
