"""The registration check: card limit across operators, blacklist hits, outlet risk."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fraudwall.db.base import utcnow
from fraudwall.errors import InputError
from fraudwall.lists import service
from fraudwall.lists.check import RegistrationRequest, check_registration
from fraudwall.lists.models import EntryCreate, ListEntry
from fraudwall.lists.snapshot import SnapshotBuilder, SnapshotCache
from fraudwall.policy import RegistrationPolicy


def _subs(holder: str, n: int, **extra: object) -> list[dict[str, object]]:
    ops = ["own", "cq-unicom", "cq-mobile"]
    return [
        {
            "msisdn": f"1390000{holder[-1]}{i:03d}",
            "holder_id_hash": holder,
            "operator": ops[i % 3],
            **extra,
        }
        for i in range(n)
    ]


@pytest.fixture
def ws(tmp_path, make_workspace):
    rows = (
        _subs("hold-five", 5)
        + _subs("hold-four", 4)
        + _subs("hold-four", 3, status="closed")  # closed cards do not count
    )
    return make_workspace(tmp_path / "ws", rows)


def _answer(team, ws, policy=None, **req):
    builder = SnapshotBuilder(team, workspace=ws, keys=None, policy=policy or RegistrationPolicy())
    return check_registration(builder.build(), RegistrationRequest(**req))


def test_card_limit_counts_active_cards_across_operators(team, ws) -> None:
    five = _answer(team, ws, holder_id_hash="hold-five")
    assert five.decision == "deny" and five.cards_held == 5
    assert [r.code for r in five.reasons] == ["card_limit"]
    assert "3 operator(s)" in five.reasons[0].message
    four = _answer(team, ws, holder_id_hash="hold-four")
    assert (four.decision, four.cards_held, four.reasons) == ("allow", 4, [])
    new = _answer(team, ws, holder_id_hash="someone-new")
    assert (new.decision, new.cards_held) == ("allow", 0)
    stricter = _answer(team, ws, RegistrationPolicy(card_limit=4), holder_id_hash="hold-four")
    assert stricter.decision == "deny"


def test_outlet_risk_sends_to_review_at_the_policy_level(team, ws) -> None:
    bad = _answer(team, ws, holder_id_hash="hold-four", outlet_id="OUT-BAD")
    assert bad.decision == "review" and [r.code for r in bad.reasons] == ["outlet_risk"]
    med = _answer(team, ws, holder_id_hash="hold-four", outlet_id="OUT-MED")
    assert med.decision == "allow"
    pol = RegistrationPolicy(outlet_review_level="medium")
    assert _answer(team, ws, pol, holder_id_hash="hold-four", outlet_id="OUT-MED").decision == (
        "review"
    )
    off = RegistrationPolicy(outlet_review_level="off")
    assert _answer(team, ws, off, holder_id_hash="x", outlet_id="OUT-BAD").decision == "allow"


def test_blacklist_hits_deny_and_expired_or_removed_entries_stop_matching(team, ws) -> None:
    with team.session() as s:
        imei = service.add_entry(
            s,
            list_name="imeis",
            data=EntryCreate(value="356938035643809", reason_code="simbox"),
            actor="ann",
        )
        service.add_entry(s, list_name="outlets", data=EntryCreate(value="OUT-9"), actor="ann")
        service.add_entry(s, list_name="holders", data=EntryCreate(value="hold-four"), actor="ann")
    a = _answer(team, ws, holder_id_hash="hold-four", imei="35693803564380-0", outlet_id="OUT-9")
    assert a.decision == "deny"
    assert sorted(r.code for r in a.reasons) == ["device_listed", "holder_listed", "outlet_listed"]
    with team.session() as s:
        row = s.get(ListEntry, imei.id)
        assert row is not None
        row.expires_at = utcnow() - timedelta(seconds=1)
        service.remove_entry(
            s, actor="boss", reason="cleared", list_name="holders", value="hold-four"
        )
    b = _answer(team, ws, holder_id_hash="hold-four", imei="356938035643809")
    assert (b.decision, b.reasons) == ("allow", [])


def test_without_subscriber_data_the_check_asks_for_review(team) -> None:
    builder = SnapshotBuilder(team, workspace=None, keys=None, policy=RegistrationPolicy())
    a = check_registration(builder.build(), RegistrationRequest(holder_id_hash="h1"))
    assert a.decision == "review" and a.cards_held is None
    assert [r.code for r in a.reasons] == ["cards_unknown"]


@pytest.mark.parametrize(
    ("req", "field"),
    [
        ({"holder_id_hash": "11010119900307123X"}, "holder_id_hash"),
        ({"holder_id_hash": "h1", "imei": "12"}, "imei"),
        ({"holder_id_hash": ""}, "holder_id_hash"),
    ],
)
def test_malformed_requests_name_the_field(team, ws, req, field) -> None:
    with pytest.raises(InputError) as err:
        _answer(team, ws, **req)
    assert err.value.field == field


def test_snapshot_cache_sees_this_process_changes_at_once(team, ws) -> None:
    builder = SnapshotBuilder(team, workspace=ws, keys=None, policy=RegistrationPolicy())
    cache = SnapshotCache(builder.build, refresh_s=3600, generation=service.generation)
    req = RegistrationRequest(holder_id_hash="hold-four")
    assert check_registration(cache.get(), req).decision == "allow"
    first = cache.get()
    assert cache.get() is first  # no rebuild without a change
    with team.session() as s:
        service.add_entry(s, list_name="holders", data=EntryCreate(value="hold-four"), actor="ann")
    assert check_registration(cache.get(), req).decision == "deny"


def test_snapshot_cache_rebuilds_once_for_callers_that_find_it_stale() -> None:
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    builds: list[int] = []
    gen = [0]

    def build():  # type: ignore[no-untyped-def]
        builds.append(gen[0])
        time.sleep(0.05)  # long enough for every caller to arrive while it runs
        return object()

    cache = SnapshotCache(build, refresh_s=3600, generation=lambda: gen[0])
    barrier = threading.Barrier(12)

    def get(_: int) -> object:
        barrier.wait()
        return cache.get()

    with ThreadPoolExecutor(12) as pool:
        first = set(map(id, pool.map(get, range(12))))
    assert len(builds) == 1 and len(first) == 1
    gen[0] = 1  # a list changed in this process
    with ThreadPoolExecutor(12) as pool:
        second = set(map(id, pool.map(get, range(12))))
    assert builds == [0, 1] and len(second) == 1 and second != first
