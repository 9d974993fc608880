import pandas as pd
import pytest

from fraudwall.evaluate import evaluate


def test_precision_recall_and_false_positive_kinds():
    leads = pd.DataFrame(
        {
            "entity_type": ["msisdn"] * 4,
            "entity_id": ["a", "b", "c", "z"],
            "scenario": ["fraud_caller"] * 3 + ["harassment"],
            "detector": ["fc", "fc", "fanout", "rep"],
            "risk_level": ["high", "medium", "high", "low"],
        }
    )
    labels = pd.DataFrame(
        {
            "entity_type": ["msisdn"] * 4,
            "entity_id": ["a", "d", "b", "c"],
            "label": ["fraud_caller", "fraud_caller", "benign", "simbox_sim"],
            "detail": [None, None, "call_centre", None],
        }
    )
    ev = evaluate(leads, labels)
    fc = ev.by_scenario.set_index("scenario").loc["fraud_caller"]
    assert (fc["tp"], fc["fp"], fc["fn"]) == (1, 2, 1)
    assert fc["precision"] == pytest.approx(1 / 3, abs=1e-4)
    assert fc["recall"] == pytest.approx(0.5)
    # the low-risk harassment lead is not counted by default, and counted with min_level=low
    assert "harassment" not in set(ev.by_scenario["scenario"])
    assert "harassment" in set(evaluate(leads, labels, min_level="low").by_scenario["scenario"])
    kinds = dict(zip(ev.false_positives["kind"], ev.false_positives["count"], strict=True))
    assert kinds == {"call_centre": 1, "other:simbox_sim": 1}
    det = ev.by_detector.set_index("detector")
    assert det.loc["fc", "precision"] == pytest.approx(0.5)
    assert det.loc["fanout", "tp"] == 0
