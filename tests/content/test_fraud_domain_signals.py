"""fraud_domain with name risk and fraud SMS: risky names need fewer flagged visitors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sms_tables import LENDER, T0, rows, write_sms_policy

from fraudwall.detectors.library.fraud_domain import FraudDomain

GANG = ["13100000001", "13100000002"]
PUBLIC = [f"1330000{i:04d}" for i in range(20)]
#: Ordinary data users elsewhere: flagged numbers are 2 of 72 data users (under 3%).
OTHERS = [f"1350000{i:04d}" for i in range(50)]


def _tables() -> dict:
    everyone = [*GANG, *PUBLIC, *OTHERS, LENDER]
    subs = [
        {
            "msisdn": m,
            "holder_id_hash": f"h{m}",
            "holder_type": "personal",
            "activated_at": T0 - pd.Timedelta(days=365),
        }
        for m in everyone
    ]
    calls = [
        {
            "record_id": f"c{i}",
            "msisdn": m,
            "other_party": PUBLIC[0],
            "direction": "MO",
            "started_at": T0,
            "duration_s": 30,
        }
        for i, m in enumerate(everyone)
    ]
    labels = [
        {
            "entity_type": "msisdn",
            "entity_id": m,
            "label": "fraud_caller",
            "source": "police",
            "at": T0,
        }
        for m in GANG
    ]
    sessions = []
    # A look-alike visited by two confirmed fraud numbers and ten ordinary people: a share of 1/6,
    # far below the behavioural threshold, but its name imitates a bank.
    for k, m in enumerate([*GANG, *PUBLIC[:10]]):
        sessions.append(
            {"msisdn": m, "started_at": T0 + pd.Timedelta(hours=k), "domain": "icbc-kefu.top"}
        )
    # The same visitors on an ordinary-looking name: not flagged.
    for k, m in enumerate([*GANG, *PUBLIC[:10]]):
        sessions.append(
            {"msisdn": m, "started_at": T0 + pd.Timedelta(hours=k), "domain": "goldstar.com"}
        )
    # A domain nobody flagged visits but the fraud SMS sender advertises.
    for k, m in enumerate(PUBLIC[:5]):
        sessions.append(
            {
                "msisdn": m,
                "started_at": T0 + pd.Timedelta(days=2, hours=k),
                "domain": "daikuan-vip.top",
            }
        )
    sessions.append(
        {"msisdn": PUBLIC[0], "started_at": T0 + pd.Timedelta(days=5), "domain": "goldstar.com"}
    )
    for k, m in enumerate(OTHERS):
        sessions.append({"msisdn": m, "started_at": T0 + pd.Timedelta(hours=k), "domain": "qq.com"})
    return {"subscribers": subs, "calls": calls, "labels": labels, "data_sessions": sessions}


def test_a_popular_risky_name_is_not_flagged_on_chance_visits(make_ctx):
    # The same look-alike, but its visitors are the whole data population: the two flagged
    # visitors are no more than their share of all users, so the name alone does not flag it.
    t = _tables()
    t["data_sessions"] = [
        *t["data_sessions"],
        *(
            {"msisdn": m, "started_at": T0 + pd.Timedelta(hours=k), "domain": "icbc-kefu.top"}
            for k, m in enumerate(OTHERS)
        ),
    ]
    hits = FraudDomain().find(make_ctx(**t), FraudDomain.Params()).execute()
    assert "icbc-kefu.top" not in set(hits["entity_id"])


def test_risky_names_touched_by_flagged_numbers_are_flagged_ordinary_names_are_not(make_ctx):
    ctx = make_ctx(**_tables())
    hits = FraudDomain().find(ctx, FraudDomain.Params()).execute().set_index("entity_id")
    assert list(hits.index) == ["icbc-kefu.top"]
    h = hits.loc["icbc-kefu.top"]
    assert (h["flagged_visitors"], h["visitors"], h["fraud_senders"]) == (2, 12, 0)
    assert h["lexical_score"] >= 0.6 and "中国工商银行" in h["lexical_reasons"]
    assert h["age_days"] > 4.5  # first seen on day 0, data ends on day 5
    assert 0.65 <= h["score"] <= 1.0


def test_fraud_sms_senders_count_as_touches(make_ctx, tmp_path: Path, model_dir: Path):
    policy = write_sms_policy(
        tmp_path / "policy.toml", model_dir, "[detectors.fraud_domain]\nmin_fraud_senders = 2\n"
    )
    sms = rows()
    # A second sender advertises the same link.
    sms += [{**r, "msisdn": "13900000005", "record_id": r["record_id"] + "b"} for r in rows()[:2]]
    ctx = make_ctx(policy=policy, sms=sms, **_tables())
    hits = FraudDomain().find(ctx, policy.params("fraud_domain")).execute()
    got = hits.set_index("entity_id")
    assert "daikuan-vip.top" in got.index
    assert got.loc["daikuan-vip.top", "fraud_senders"] == 2
    assert got.loc["daikuan-vip.top", "flagged_visitors"] == 0
    assert "goldstar.com" not in got.index
    assert got.loc["daikuan-vip.top", "first_seen"] == T0 + pd.Timedelta(days=2)
