import pandas as pd
from enginefixtures import on_both_engines
from number_cases import T0, background, call, minutes, num, numbers_in, reasons, subscribers

from fraudwall.detectors.library.new_card_burst import NewCardBurst

pytestmark = on_both_engines

BURNER = num(170, 1)
NEW_COURIER = num(171, 1)
OLD_CALLER = num(172, 1)


def test_flags_a_new_card_cold_calling_at_once(make_ctx):
    calls = background()
    subs = subscribers(numbers_in(calls))
    activated = T0 - pd.Timedelta(hours=2)
    new = [{**s, "activated_at": activated} for s in subscribers([BURNER, NEW_COURIER])]
    subs += new + subscribers([OLD_CALLER])
    for i in range(60):
        at = T0 + minutes(5 * i)
        calls.append(call(BURNER, num(130, i), "MO", at, [0, 0, 10, 200][i % 4]))
        # A new courier's card: customers call back.
        calls.append(call(NEW_COURIER, num(131, i), "MO", at, 30))
        calls.append(call(NEW_COURIER, num(131, i), "MT", at + minutes(1), 20))
        # The same cold calling from a card a year old is fraud_caller's business, not this.
        calls.append(call(OLD_CALLER, num(132, i), "MO", at, 0))
    # Calls a week after activation are outside the card's first hours.
    late = [
        call(NEW_COURIER, num(133, i), "MO", activated + pd.Timedelta(days=7), 0) for i in range(60)
    ]
    p = NewCardBurst.Params()
    hits = NewCardBurst().find(make_ctx(calls=calls + late, subscribers=subs), p).execute()
    assert hits["entity_id"].tolist() == [BURNER]
    assert hits["early_callees"].item() == 60
    assert 0.6 <= hits["score"].item() <= 1.0
    assert "60 distinct numbers called within 48 h" in reasons(NewCardBurst, hits, p)[0]


COMPANY_OLD, COMPANY_NEW, SHELL_NEW = num(173, 1), num(174, 1), num(175, 1)


def test_a_new_line_of_an_established_company_is_not_flagged_for_being_new(make_ctx):
    """A call centre adding an outbound line cold-calls from its first hour, as a burner does;
    its holder has held a card for years. A shell company's first card has no such history."""
    calls = background()
    subs = subscribers(numbers_in(calls))
    new_at = T0 - pd.Timedelta(hours=2)
    subs += [
        {"msisdn": COMPANY_OLD, "holder_id_hash": "hCO", "holder_type": "enterprise",
         "activated_at": T0 - pd.Timedelta(days=3 * 365)},
        {"msisdn": COMPANY_NEW, "holder_id_hash": "hCO", "holder_type": "enterprise",
         "activated_at": new_at},
        {"msisdn": SHELL_NEW, "holder_id_hash": "hSH", "holder_type": "enterprise",
         "activated_at": new_at},
    ]  # fmt: skip
    for i in range(60):
        at = T0 + minutes(5 * i)
        calls.append(call(COMPANY_NEW, num(134, i), "MO", at, [0, 0, 10, 200][i % 4]))
        calls.append(call(SHELL_NEW, num(135, i), "MO", at, [0, 0, 10, 200][i % 4]))
    calls.append(call(COMPANY_OLD, num(136, 1), "MO", T0, 60))
    hits = NewCardBurst().find(make_ctx(calls=calls, subscribers=subs), NewCardBurst.Params())
    assert hits.execute()["entity_id"].tolist() == [SHELL_NEW]
