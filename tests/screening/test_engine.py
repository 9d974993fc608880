import time

import pytest

from fraudwall.screening import (
    DictRisk,
    DictSettings,
    Engine,
    MemoryStore,
    RedisStore,
    ScreeningPolicy,
    SetLists,
    SubscriberSettings,
)
from fraudwall.screening.lookups import CallerProfile, CallerRisk, DictProfiles

T = 29_000_000 * 60  # seconds since the epoch
BAD = "+8613800000000"
VICTIM = "+8613900000000"


def engine(store=None, **kw) -> Engine:
    return Engine(
        policy=kw.pop("policy", ScreeningPolicy()),
        state=store if store is not None else MemoryStore(),
        **kw,
    )


def strangers(n: int, start: int = 0) -> list[str]:
    # spread out so they are not an ascending run
    return [f"+86137{(start + i) * 7919 % 10**8:08d}" for i in range(n)]


def fraud_like(eng: Engine, caller: str, n: int, *, t0: int = T, answered_every: int = 2) -> list:
    """A caller dialling strangers every 5 minutes; every other call unanswered, the rest cut
    after 8 s. Returns the decisions."""
    out = []
    for i, callee in enumerate(strangers(n)):
        t = t0 + i * 300
        d = eng.screen(caller, callee, t)
        out.append(d)
        if d.action.value != "block":
            eng.call_ended(caller, callee, t + 30, 8 if i % answered_every else 0)
    return out


def test_blacklisted_caller_is_declined_with_603():
    eng = engine(lists=SetLists({"msisdn": {BAD: "police"}}))
    d = eng.screen("13800000000", VICTIM, T)  # national form is normalised
    assert (d.action.value, d.sip_code, d.rule) == ("block", 603, "blacklist")
    assert "police" in d.reasons[0]


def test_blacklisted_imei_blocks():
    eng = engine(lists=SetLists({"imei": {"356938035643809": "own"}}))
    assert eng.screen(BAD, VICTIM, T, imei="356938035643809").rule == "blacklist"


def test_ordinary_call_is_allowed():
    d = engine().screen(BAD, VICTIM, T)
    assert (d.action.value, d.rule, d.sip_code) == ("allow", "none", None)


def test_new_number_dialling_like_a_fraud_caller_is_blocked_within_twenty_calls():
    eng = engine()
    decisions = fraud_like(eng, BAD, 40)
    first_block = next(i for i, d in enumerate(decisions) if d.action.value == "block")
    assert first_block <= 20
    assert decisions[first_block].rule == "fanout_24h"
    # the block holds for the caller, whoever it calls next
    assert eng.screen(BAD, "+8613100000001", T + 3 * 3600).action.value == "block"


def test_caller_whose_calls_are_answered_at_length_is_not_blocked():
    eng = engine()
    for i, callee in enumerate(strangers(40)):
        t = T + i * 300
        assert eng.screen("+8613500000000", callee, t).action.value == "allow"
        eng.call_ended("+8613500000000", callee, t + 200, 180)


def test_company_line_is_labelled_not_blocked():
    prof = DictProfiles({BAD: CallerProfile(0, "enterprise")})
    decisions = fraud_like(engine(profiles=prof), BAD, 40)
    assert not any(d.action.value == "block" for d in decisions)
    assert any(d.action.value == "label" and d.rule == "fanout_24h" for d in decisions)


def test_old_personal_card_is_labelled_young_one_blocked():
    minute = T // 60
    old = DictProfiles({BAD: CallerProfile(minute - 400 * 1440, "personal")})
    young = DictProfiles({BAD: CallerProfile(minute - 10 * 1440, "personal")})
    assert not any(d.action.value == "block" for d in fraud_like(engine(profiles=old), BAD, 40))
    assert any(d.action.value == "block" for d in fraud_like(engine(profiles=young), BAD, 40))


def test_burst_of_zero_second_calls_is_blocked_in_ten_minutes():
    eng = engine()
    rules = []
    for i, callee in enumerate(strangers(60)):
        d = eng.screen(BAD, callee, T + i * 10)
        rules.append(d.rule)
        if d.action.value != "block":
            eng.call_ended(BAD, callee, T + i * 10 + 5, 0)
    assert "burst_10m" in rules or "fanout_24h" in rules
    assert rules.index(next(r for r in rules if r != "none")) < 26


def test_sequential_dialling_is_blocked():
    eng = engine()
    decisions = [eng.screen(BAD, f"+86138001000{i:02d}", T + i * 60) for i in range(10)]
    assert decisions[6].rule == "sequential" and decisions[6].sip_code == 603


def test_repeated_unanswered_calls_to_one_person_are_labelled_harassment():
    eng = engine()
    out = []
    for i in range(8):
        d = eng.screen(BAD, VICTIM, T + i * 1800)
        eng.call_ended(BAD, VICTIM, T + i * 1800 + 20, 0)
        out.append(d)
    assert out[3].action.value == "allow"
    assert out[4].rule == "repeat_callee" and out[4].label == "骚扰电话"


def test_opted_in_callee_gets_labelled_calls_blocked_with_607():
    settings = DictSettings({VICTIM: SubscriberSettings(opted_in=True)})
    eng = engine(subscribers=settings)
    out = []
    for i in range(6):
        out.append(eng.screen(BAD, VICTIM, T + i * 1800))
        eng.call_ended(BAD, VICTIM, T + i * 1800 + 20, 0)
    assert (out[4].action.value, out[4].sip_code) == ("block", 607)


def test_personal_lists_win_over_everything():
    settings = DictSettings(
        {
            VICTIM: SubscriberSettings(allowed=frozenset({BAD})),
            "+8613900000001": SubscriberSettings(blocked=frozenset({"+8613500000000"})),
        }
    )
    eng = engine(lists=SetLists({"msisdn": {BAD: "own"}}), subscribers=settings)
    assert eng.screen(BAD, VICTIM, T).rule == "personal_allow"
    d = eng.screen("+8613500000000", "+8613900000001", T)
    assert (d.action.value, d.sip_code, d.rule) == ("block", 607, "personal_block")


def test_a_number_the_callee_called_is_never_blocked_for_them():
    eng = engine(lists=SetLists({"msisdn": {BAD: "own"}}))
    eng.screen(VICTIM, BAD, T)  # the callee called this number before
    d = eng.screen(BAD, VICTIM, T + 600)
    assert d.action.value == "label" and d.rule == "blacklist"
    # and a live-rule block of the caller does not apply to them either
    eng2 = engine()
    eng2.screen(VICTIM, BAD, T - 600)
    fraud_like(eng2, BAD, 30)
    assert eng2.screen(BAD, VICTIM, T + 30 * 300).rule == "contact"


def test_batch_risk_blocks_high_and_labels_medium_and_harassment():
    risk = DictRisk(
        {
            BAD: CallerRisk("high", ("fraud_caller",), 0.93),
            "+8613800000001": CallerRisk("medium", ("fraud_caller",), 0.65),
            "+8613800000002": CallerRisk("high", ("harassment",), 0.9),
        }
    )
    eng = engine(risk=risk)
    assert eng.screen(BAD, VICTIM, T).sip_code == 603
    d = eng.screen("+8613800000001", VICTIM, T)
    assert (d.action.value, d.label) == ("label", "疑似诈骗")
    d = eng.screen("+8613800000002", VICTIM, T)
    assert (d.action.value, d.label) == ("label", "骚扰电话")


def test_thresholds_come_from_the_policy():
    strict = ScreeningPolicy(fanout_block_callees=30, fanout_label_callees=25)
    decisions = fraud_like(engine(policy=strict), BAD, 24)
    assert all(d.action.value == "allow" for d in decisions)


def test_engine_decides_the_same_on_every_state_store(store):
    ref = [d.to_dict() for d in fraud_like(engine(MemoryStore()), BAD, 30)]
    assert [d.to_dict() for d in fraud_like(engine(store), BAD, 30)] == ref


def test_redis_state_expires_after_the_ttl(redis_url):
    s = RedisStore(redis_url, ttl_minutes=60, prefix=f"ttl{time.monotonic_ns()}:")
    s.ttl_ms = 200
    eng = engine(s)
    eng.screen(BAD, VICTIM, T)
    assert s.get(BAD) is not None
    time.sleep(0.4)
    assert s.get(BAD) is None


def test_two_engines_sharing_redis_see_each_others_calls(redis_url):
    prefix = f"two{time.monotonic_ns()}:"
    a = engine(RedisStore(redis_url, prefix=prefix))
    b = engine(RedisStore(redis_url, prefix=prefix))
    decisions = []
    for i, callee in enumerate(strangers(40)):
        eng = a if i % 2 else b  # the caller's set-ups alternate between two workers
        t = T + i * 300
        decisions.append(eng.screen(BAD, callee, t))
        if decisions[-1].action.value != "block":
            eng.call_ended(BAD, callee, t + 30, 8 if i % 2 else 0)
    first = next(i for i, d in enumerate(decisions) if d.action.value == "block")
    assert first <= 20


@pytest.mark.parametrize("bad", ["", "abc", "+86"])
def test_screen_tolerates_odd_numbers(bad):
    # the call path must answer for any presented identity: unknown forms are simply allowed
    assert engine().screen(bad or "anonymous", VICTIM, T).action.value == "allow"
