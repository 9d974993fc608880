"""victim_engaged, victim_multi_contact and fraud_domain build on the known fraud numbers."""

import pandas as pd
from number_cases import T0, background, call, minutes, num, numbers_in, reasons, subscribers

from fraudwall.detectors.library.fraud_domain import FraudDomain
from fraudwall.detectors.library.victim_engaged import VictimEngaged
from fraudwall.detectors.library.victim_multi_contact import VictimMultiContact

GANG = [num(170, k) for k in range(3)]
HOOKED = num(138, 800)  # talks for 20 minutes, calls back, then calls the bank
LUCKLESS = num(138, 806)  # listened once for 15 minutes, and happened to phone the bank
WORKED = num(138, 801)  # talked with each gang member, twice with the first
LISTENER = num(138, 804)  # listened once for 15 minutes, then nothing
SPRAYED = num(138, 805)  # talked once with each of three gang members, bank call before
COURTED = num(138, 807)  # called twice by one gang member and called it back; no bank yet
RELAYED = num(138, 808)  # passed from one gang member to the next, then phoned the bank
SCATTERED = num(138, 809)  # two chance talks a day apart, a bank call between them, none after
HUNG_UP = num(138, 802)  # answered one gang member for 5 s
FRIEND = num(138, 803)  # long calls with an ordinary caller
ORDINARY = num(138, 0)


def world() -> tuple[list[dict], list[dict]]:
    calls = background()
    for k, fraud in enumerate(GANG):
        # Each gang member cold-calls 80 strangers without being called back.
        calls += [
            call(fraud, num(130 + k, i), "MO", T0 + minutes(3 * i), [0, 0, 8, 60][i % 4])
            for i in range(80)
        ]
    calls += [
        call(GANG[0], HOOKED, "MO", T0 + minutes(200), 1200),
        call(HOOKED, GANG[0], "MT", T0 + minutes(200), 1200),
        call(HOOKED, GANG[0], "MO", T0 + minutes(225), 300),
        call(GANG[0], HOOKED, "MT", T0 + minutes(225), 300),
        call(HOOKED, "95588", "MO", T0 + minutes(240), 180),
    ]
    calls += [
        call(GANG[1], LUCKLESS, "MO", T0 + minutes(210), 900),
        call(LUCKLESS, "95533", "MO", T0 + minutes(290), 120),
    ]
    for k, fraud in enumerate(GANG):
        calls += [call(fraud, WORKED, "MO", T0 + minutes(300 + k), 150)]
    calls += [call(GANG[0], WORKED, "MO", T0 + minutes(330), 200)]
    # Reached once each by three gang members: random reach, not a relationship.
    calls += [call(fraud, SPRAYED, "MO", T0 + minutes(340 + k), 200) for fraud in GANG]
    calls += [call(SPRAYED, "95588", "MO", T0 + minutes(100), 100)]
    calls += [
        call(GANG[2], COURTED, "MO", T0 + minutes(430), 400),
        call(COURTED, GANG[2], "MO", T0 + minutes(470), 200),
        call(GANG[2], COURTED, "MO", T0 + minutes(520), 300),
    ]
    calls += [
        call(GANG[0], RELAYED, "MO", T0 + minutes(440), 200),
        call(GANG[1], RELAYED, "MO", T0 + minutes(480), 600),
        call(RELAYED, "95566", "MO", T0 + minutes(530), 150),
    ]
    calls += [
        call(GANG[0], SCATTERED, "MO", T0 + minutes(100), 300),
        call(SCATTERED, "95588", "MO", T0 + minutes(700), 200),
        call(GANG[1], SCATTERED, "MO", T0 + minutes(1600), 400),
    ]
    calls += [call(GANG[1], HUNG_UP, "MO", T0 + minutes(400), 5)]
    calls += [call(GANG[2], LISTENER, "MO", T0 + minutes(420), 900)]
    calls += [call(ORDINARY, FRIEND, "MO", T0 + minutes(500), 1500)]
    subs = subscribers(
        sorted(
            {
                *numbers_in(calls),
                *(HOOKED, WORKED, HUNG_UP, FRIEND, LISTENER, SPRAYED, LUCKLESS, COURTED),
                *(RELAYED, SCATTERED),
            }
        )
    )
    return calls, subs


def test_victim_engaged_needs_two_signs_of_the_fraud_sequence(make_ctx):
    calls, subs = world()
    p = VictimEngaged.Params()
    hits = VictimEngaged().find(make_ctx(calls=calls, subscribers=subs), p).execute()
    hits = hits.set_index("entity_id")
    # HOOKED called the caller back and then the bank; COURTED was called back by the caller
    # and returned the call. One sign alone is what chance listeners show: WORKED was called
    # twice by one caller, LUCKLESS phoned the bank after one long call. The hung-up, the
    # one-off listener, the person reached once by each gang member and the friend of an
    # ordinary caller show none.
    assert set(hits.index) == {HOOKED, COURTED}
    assert hits.loc[HOOKED, "longest_s"] == 1200
    assert hits.loc[HOOKED, "repeat_calls"] == 1
    assert hits.loc[HOOKED, "returned_calls"] == 1
    assert hits.loc[HOOKED, "bank_calls"] == 1
    assert (hits.loc[COURTED, "repeat_calls"], hits.loc[COURTED, "bank_calls"]) == (2, 0)
    # Only with the bank call is it the moment to act; a relationship alone is watch-list.
    assert hits.loc[HOOKED, "score"] >= 0.6
    assert hits.loc[COURTED, "score"] < 0.6
    text = reasons(VictimEngaged, hits.reset_index(), p)
    assert any("1 call(s) to a bank within 6 h" in t for t in text)
    assert any("1 call(s) back to it" in t for t in text)


def test_victims_of_confirmed_or_reported_numbers_count_without_a_behaviour_flag(make_ctx):
    # Two callers that call too few people for the fraud_caller detector: one confirmed by
    # the police (labels), one reported as fraud by three subscribers (complaints).
    confirmed, reported = num(175, 1), num(176, 1)
    victims = {confirmed: num(138, 810), reported: num(138, 811)}
    calls = background()
    for k, (caller, victim) in enumerate(victims.items()):
        at = T0 + pd.Timedelta(hours=k)
        calls += [
            call(caller, victim, "MO", at, 900),
            call(caller, victim, "MO", at + minutes(30), 600),
            call(victim, "95588", "MO", at + minutes(60), 200),
        ]
    labels = [
        {
            "entity_type": "msisdn",
            "entity_id": confirmed,
            "label": "fraud_caller",
            "source": "police",
            "at": T0,
        }
    ]
    complaints = [
        {
            "complaint_id": f"c{i}",
            "reporter_msisdn": num(138, i),
            "reported_number": reported,
            "at": T0,
            "category": "fraud",
        }
        for i in range(3)
    ]
    subs = subscribers(sorted({*numbers_in(calls), *victims.values()}))
    ctx = make_ctx(calls=calls, subscribers=subs, labels=labels, complaints=complaints)
    hits = VictimEngaged().find(ctx, VictimEngaged.Params()).execute()
    assert sorted(hits["entity_id"]) == sorted(victims.values())
    assert (hits["score"] >= 0.6).all()
    # Without that knowledge the same calls are ordinary conversations.
    bare = make_ctx(calls=calls, subscribers=subs)
    assert VictimEngaged().find(bare, VictimEngaged.Params()).execute().empty


def test_victim_multi_contact_needs_several_flagged_callers_then_the_bank(make_ctx):
    calls, subs = world()
    p = VictimMultiContact.Params()
    hits = VictimMultiContact().find(make_ctx(calls=calls, subscribers=subs), p).execute()
    # WORKED talked with three gang members but has not phoned a bank, SPRAYED phoned one
    # only before: being reached by several callers alone is chance. SCATTERED talked with
    # two, a day apart, and phoned the bank in between, ten hours after the first: a bank
    # call on one of the days of two chance contacts is no relay. RELAYED phoned the bank
    # within hours after both talks.
    assert hits["entity_id"].tolist() == [RELAYED]
    assert (hits["fraud_callers"].item(), hits["bank_calls"].item()) == (2, 1)
    assert (hits["score"] < 0.6).all()  # weak on its own
    assert reasons(VictimMultiContact, hits, p) == [
        "talked for 60 s or more with 2 distinct flagged fraud callers (threshold 2), "
        "2 contacts in all; 1 call(s) to a bank within 6 h after such talks"
    ]


def test_fraud_domain_flags_hosts_of_flagged_numbers_not_popular_ones(make_ctx):
    calls, subs = world()
    visitors = [*GANG, HOOKED]
    sessions = [
        {"msisdn": m, "started_at": T0 + pd.Timedelta(hours=k), "domain": "gold-vip.top"}
        for k, m in enumerate(visitors)
    ]
    sessions += [{"msisdn": ORDINARY, "started_at": T0, "domain": "gold-vip.top"}]
    # Everyone, the gang included, uses the popular app.
    everyone = numbers_in(calls)
    sessions += [{"msisdn": m, "started_at": T0, "domain": "weixin.qq.com"} for m in everyone]
    ctx = make_ctx(calls=calls, subscribers=subs, data_sessions=sessions)
    p = FraudDomain.Params()
    hits = FraudDomain().find(ctx, p).execute()
    assert hits["entity_id"].tolist() == ["gold-vip.top"]
    assert (hits["flagged_visitors"].item(), hits["visitors"].item()) == (4, 5)
    assert 0.6 <= hits["score"].item() <= 1.0
    assert "4 of its 5 visitors" in reasons(FraudDomain, hits, p)[0]
