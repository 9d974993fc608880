import json

import pandas as pd

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
