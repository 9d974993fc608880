import json

import pandas as pd

from fraudwall.detectors.library.bulk_sms import BulkSms
from fraudwall.detectors.library.outbound_burst import OutboundBurst
from fraudwall.policy import load_policy
from fraudwall.scoring.leads import LEAD_COLUMNS, run_detectors, to_leads


def test_hits_become_explained_leads():
    policy = load_policy()
    hits = pd.DataFrame(
        {
            "entity_id": ["+8613800000001", "+8613800000002"],
            "score": [0.97, 0.55],
            "first_seen": pd.to_datetime(["2026-03-02 10:00", "2026-03-02 11:00"]),
            "last_seen": pd.to_datetime(["2026-03-02 10:59", "2026-03-02 11:30"]),
            "peak_hour_out": [290, 110],
            "calls_out": [900, 200],
        }
    )
    params = policy.params("outbound_burst")
    leads = to_leads(OutboundBurst, hits, params, policy, "run-1")
    assert list(leads.columns) == LEAD_COLUMNS
    top = leads.iloc[0]
    assert top["entity_id"] == "+8613800000001" and top["risk_level"] == "high"
    assert top["reasons"] == (
        f"290 outbound calls in one hour (threshold {params.min_calls_per_hour})"
    )
    ev = json.loads(top["evidence"])
    assert ev["features"]["peak_hour_out"] == 290
    assert ev["thresholds"]["min_calls_per_hour"] == params.min_calls_per_hour
    assert leads.iloc[1]["risk_level"] == "low"
    assert set(leads["policy_version"]) == {policy.version}


def test_detectors_without_inputs_are_skipped_with_a_reason(make_ctx):
    ctx = make_ctx(
        subscribers=[
            {
                "msisdn": "+8613800000001",
                "holder_id_hash": "h",
                "holder_type": "personal",
                "activated_at": "2025-01-01",
            }
        ]
    )
    res = run_detectors(ctx, ctx.policy, {"outbound_burst": OutboundBurst}, run_id="r")
    assert res.ran == [] and "calls" in res.skipped["outbound_burst"]
    assert res.leads.empty


def test_shared_work_is_timed_once_under_its_own_name(make_ctx):
    """bulk_sms yields to fraud_caller, so it makes fraud_caller's hits and features first;
    run.json charges that work to fraud_caller and to the feature families, not to bulk_sms."""
    t0 = pd.Timestamp("2026-03-02 09:00")
    ctx = make_ctx(
        calls=[
            {
                "record_id": f"c{i}",
                "msisdn": "+8613800000001",
                "other_party": f"+86139000000{i:02d}",
                "direction": "MO",
                "started_at": t0 + pd.Timedelta(minutes=i),
                "duration_s": 30,
            }
            for i in range(3)
        ],
        sms=[
            {
                "record_id": "s1",
                "msisdn": "+8613800000001",
                "other_party": "+8613900000001",
                "direction": "MO",
                "sent_at": t0,
            }
        ],
    )
    res = run_detectors(ctx, ctx.policy, {"bulk_sms": BulkSms}, run_id="r")
    assert res.ran == ["bulk_sms"]
    assert {"bulk_sms", "fraud_caller"} <= set(res.seconds)
    assert "number_calls" in res.feature_seconds
    assert all(v >= 0 for v in [*res.seconds.values(), *res.feature_seconds.values()])
