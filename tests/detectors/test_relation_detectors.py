"""Relation detectors: links to numbers confirmed as fraud in the labels table."""

from __future__ import annotations

import pandas as pd

from fraudwall.detectors.library.relation_outlet_batch import RelationOutletBatch
from fraudwall.detectors.library.relation_shared_device import RelationSharedDevice
from fraudwall.detectors.library.relation_shared_holder import RelationSharedHolder

T0 = pd.Timestamp("2026-03-02 09:00")


def num(i: int) -> str:
    return f"+86138{i:08d}"


def hits(ctx, cls):
    return cls().find(ctx, ctx.policy.params(cls.name)).execute()


def confirmed(*ids, label="fraud_caller"):
    return [
        {
            "entity_type": "msisdn",
            "entity_id": num(i),
            "label": label,
            "source": "police",
            "at": "2026-03-05",
        }
        for i in ids
    ]


def used(i, imei, n, tag="", start=T0):
    return [
        {
            "record_id": f"{i}-{imei}-{tag}{k}",
            "msisdn": num(i),
            "other_party": "+8613900000000",
            "direction": "MO",
            "started_at": start + pd.Timedelta(minutes=10 * k),
            "duration_s": 30,
            "imei": imei,
            "cell_id": "C",
        }
        for k in range(n)
    ]


def test_shared_device_links_cards_of_a_fraud_phone_not_a_repair_shop_visit(make_ctx):
    calls = used(1, "GANG", 10) + used(2, "GANG", 10) + used(3, "GANG", 10)
    # A customer's SIM tested once in the repair shop's phone that a fraud number also used.
    calls += used(4, "REPAIR", 1) + used(4, "OWN", 20) + used(5, "REPAIR", 10)
    calls += used(6, "GANG", 10, tag="x")  # a benign label does not confirm anything
    # The fraud phone sold on: its next owner uses it from a month later.
    calls += used(7, "GANG", 10, start=T0 + pd.Timedelta(days=30))
    labels = [*confirmed(1, 5), dict(confirmed(6)[0], label="benign")]
    ctx = make_ctx(calls=calls, labels=labels)
    got = hits(ctx, RelationSharedDevice)
    assert sorted(got["entity_id"]) == [num(2), num(3), num(6)]
    assert (got["imei"] == "GANG").all()
    assert (got["confirmed"] == 1).all()
    assert (got["score"] >= 0.6).all()  # living in a confirmed fraud phone: act on it


def test_shared_device_scores_more_confirmed_partners_higher(make_ctx):
    calls = used(1, "A", 10) + used(2, "A", 10)
    calls += used(11, "B", 10) + used(12, "B", 10) + used(13, "B", 10) + used(14, "B", 10)
    ctx = make_ctx(calls=calls, labels=confirmed(1, 11, 12, 13))
    got = hits(ctx, RelationSharedDevice).set_index("entity_id")["score"]
    assert got[num(14)] > got[num(2)]
    assert got[num(14)] >= 0.6


def card(i, holder, htype="personal", outlet="O1", agent="O1-A1", at=T0):
    return {
        "msisdn": num(i),
        "holder_id_hash": holder,
        "holder_type": htype,
        "activated_at": at,
        "outlet_id": outlet,
        "agent_id": agent,
    }


def test_shared_holder_links_the_holders_other_cards_not_a_companys(make_ctx):
    subs = [card(1, "RING"), card(2, "RING"), card(3, "RING")]
    subs += [card(10, "CORP", "enterprise"), card(11, "CORP", "enterprise")]
    subs += [card(20, "OTHER")]
    ctx = make_ctx(subscribers=subs, labels=confirmed(1, 10))
    got = hits(ctx, RelationSharedHolder)
    assert sorted(got["entity_id"]) == [num(2), num(3)]
    assert (got["confirmed"] == 1).all()
    assert (got["holder_cards"] == 3).all()


def test_outlet_batch_links_a_batch_not_a_busy_shop_day(make_ctx):
    subs = []
    # A batch: seven cards by one agent within an hour, three of them confirmed later, one
    # still unused in a drawer.
    subs += [card(i, f"H{i}", at=T0 + pd.Timedelta(minutes=8 * i)) for i in range(7)]
    # The same shop's other agent, same hour: not the bad clerk's batch.
    subs += [
        card(50 + i, f"H{50 + i}", agent="O1-A2", at=T0 + pd.Timedelta(minutes=7 * i))
        for i in range(5)
    ]
    # A flagship: one confirmed number among sixty registered that morning.
    subs += [
        card(100 + i, f"H{100 + i}", outlet="BIG", agent=None, at=T0 + pd.Timedelta(minutes=3 * i))
        for i in range(60)
    ]
    # A card of the same outlet and agent a week later is not in the batch.
    subs += [card(200, "H200", at=T0 + pd.Timedelta(days=7))]
    calls = [r for s in subs if s["msisdn"] != num(6) for r in used(int(s["msisdn"][-8:]), "D", 2)]
    ctx = make_ctx(subscribers=subs, calls=calls, labels=confirmed(0, 2, 4, 130))
    got = hits(ctx, RelationOutletBatch)
    assert sorted(got["entity_id"]) == [num(1), num(3), num(5)]
    assert (got["confirmed"] == 3).all()
    assert (got["batch"] == 7).all()
    assert (got["score"] >= 0.6).all()


def test_outlet_batch_leaves_out_a_customer_who_walked_in_during_the_batch(make_ctx):
    # The same kind of batch, but card 5 belongs to a genuine customer: the friends it calls
    # call it back. Cards 1 and 3 call a stranger who never does.
    subs = [card(i, f"H{i}", at=T0 + pd.Timedelta(minutes=8 * i)) for i in range(7)]
    calls = [r for i in range(5) for r in used(i, f"D{i}", 2)]
    for k in range(3):
        friend, at = num(300 + k), T0 + pd.Timedelta(hours=k)
        leg = {"imei": "D5", "cell_id": "C", "duration_s": 60, "started_at": at}
        calls += [
            {
                **leg,
                "record_id": f"o{k}",
                "msisdn": num(5),
                "other_party": friend,
                "direction": "MO",
            },
            {
                **leg,
                "record_id": f"i{k}",
                "msisdn": num(5),
                "other_party": friend,
                "direction": "MT",
            },
        ]
    ctx = make_ctx(subscribers=subs, calls=calls, labels=confirmed(0, 2, 4))
    got = hits(ctx, RelationOutletBatch)
    assert sorted(got["entity_id"]) == [num(1), num(3)]
