import pandas as pd
import pytest

from fraudwall.policy import load_policy
from fraudwall.scoring.risk import RISK_COLUMNS, fuse


def _lead(entity: str, detector: str, signal: str, score: float, scenario: str = "fraud_caller"):
    return {
        "entity_type": "msisdn",
        "entity_id": entity,
        "scenario": scenario,
        "detector": detector,
        "signal": signal,
        "score": score,
        "reasons": f"{detector} fired",
        "first_seen": pd.Timestamp("2026-03-02"),
        "last_seen": pd.Timestamp("2026-03-03"),
        "run_id": "r1",
    }


def test_independent_weak_signals_add_up_but_one_signal_counts_once():
    policy = load_policy()
    leads = pd.DataFrame(
        [
            _lead("a", "outbound_burst", "call_rate", 0.5),
            _lead("a", "other", "fanout", 0.5),  # independent: 1 - 0.5*0.5 = 0.75
            _lead("b", "outbound_burst", "call_rate", 0.5),
            _lead("b", "other", "call_rate", 0.5),  # same signal: stays 0.5
        ]
    )
    risk = fuse(leads, policy).set_index("entity_id")
    assert list(fuse(leads, policy).columns) == RISK_COLUMNS
    assert risk.loc["a", "risk_score"] == pytest.approx(0.75)
    assert risk.loc["b", "risk_score"] == pytest.approx(0.5)
    assert risk.loc["a", "n_signals"] == 2 and risk.loc["b", "n_signals"] == 1
    assert risk.loc["a", "risk_level"] == "medium" and risk.loc["b", "risk_level"] == "low"


def test_levels_actions_and_reasons():
    policy = load_policy()
    leads = pd.DataFrame(
        [
            _lead("x", "outbound_burst", "call_rate", 0.95),
            _lead("v", "victim_rule", "victim", 0.9, scenario="victim"),
        ]
    )
    risk = fuse(leads, policy).set_index("entity_id")
    assert risk.loc["x", "action"] == policy.risk.action_high
    assert risk.loc["v", "action"] == policy.risk.action_victim
    assert risk.loc["x", "top_reasons"] == "outbound_burst fired"


def test_empty_leads_give_empty_risk():
    assert fuse(pd.DataFrame(), load_policy()).empty
