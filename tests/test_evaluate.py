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


def _hard_case() -> tuple[pd.DataFrame, pd.DataFrame]:
    leads = pd.DataFrame(
        {
            "entity_type": ["msisdn"] * 5,
            "entity_id": ["n1", "n1", "n2", "c1", "v1"],
            "scenario": ["bulk_sms", "fraud_caller", "bulk_sms", "fraud_caller", "victim"],
            "detector": ["bulk_sms", "callee_fanout", "bulk_sms", "fraud_caller", "victim_x"],
            "risk_level": ["low", "high", "low", "medium", "low"],
            "run_id": ["r1"] * 5,
        }
    )
    labels = pd.DataFrame(
        {
            "entity_type": ["msisdn"] * 6,
            "entity_id": ["n1", "n2", "n3", "c1", "v1", "v1"],
            "label": ["benign", "benign", "benign", "fraud_caller", "victim", "benign"],
            "detail": ["notification_sender"] * 3 + [None, None, "hung_up_callee"],
        }
    )
    return leads, labels


def test_hard_negatives_per_kind_level_and_detector() -> None:
    leads, labels = _hard_case()
    ev = evaluate(leads, labels)
    assert ev.run_id == "r1"
    hard = ev.hard_negatives
    assert hard is not None
    row = hard.set_index("kind").loc["notification_sender"]
    # n1 counts once, at its highest level; n3 was not flagged.
    assert (row["instances"], row["flagged"], row["low"], row["high"]) == (3, 2, 1, 1)
    assert row["share_flagged"] == pytest.approx(2 / 3, abs=1e-4)
    assert row["detectors"] == "bulk_sms: 2, callee_fanout: 1"
    # a victim also labelled as a hung-up callee is a positive, not a hard negative
    assert "hung_up_callee" not in set(hard["kind"])


def test_given_entities_are_separated_from_found() -> None:
    leads, labels = _hard_case()
    given = pd.DataFrame({"entity_type": ["msisdn"], "entity_id": ["c1"]})
    ev = evaluate(leads, labels, given=given)
    fc = ev.by_scenario.set_index("scenario").loc["fraud_caller"]
    assert (fc["tp"], fc["given"], fc["found"]) == (1, 1, 0)
    assert pd.isna(fc["recall_found"])  # nothing left to find once the label was given
    # leads only from a detector that reads the labels table are not findings either
    ev2 = evaluate(
        leads, labels, given=given.iloc[0:0], label_detectors=frozenset({"fraud_caller"})
    )
    assert ev2.by_scenario.set_index("scenario").loc["fraud_caller", "found"] == 0


def test_evaluate_run_rejects_bad_input(tmp_path) -> None:
    from fraudwall.errors import InputError
    from fraudwall.evaluate import evaluate_run

    with pytest.raises(InputError, match=r"leads\.parquet"):
        evaluate_run(run_dir=tmp_path, labels=tmp_path / "labels.parquet")
    leads, labels = _hard_case()
    leads.to_parquet(tmp_path / "leads.parquet")
    with pytest.raises(InputError, match="no such labels file"):
        evaluate_run(run_dir=tmp_path, labels=tmp_path / "missing.parquet")
    labels.to_parquet(tmp_path / "labels.parquet")
    with pytest.raises(InputError, match="min_level"):
        evaluate_run(run_dir=tmp_path, labels=tmp_path / "labels.parquet", min_level="urgent")
    ev = evaluate_run(run_dir=tmp_path, labels=tmp_path / "labels.parquet")
    import json

    body = json.loads((tmp_path / "evaluation.json").read_text("utf-8"))
    assert body["run_id"] == ev.run_id == "r1"
    assert body["hard_negatives"]


def test_report_hides_an_evaluation_of_another_run(tmp_path) -> None:
    import json

    from fraudwall.report import evaluation

    (tmp_path / "evaluation.json").write_text(
        json.dumps({"run_id": "old", "min_level": "medium", "by_scenario": []}), "utf-8"
    )
    stale = evaluation.build(tmp_path, "new")
    assert not stale.tables
    assert any("belongs to run old" in n for n in stale.notes)
    leads, labels = _hard_case()
    (tmp_path / "evaluation.json").write_text(
        json.dumps(evaluate(leads, labels).to_dict(), default=str), "utf-8"
    )
    fresh = evaluation.build(tmp_path, "r1")
    assert "hard_negatives" in fresh.tables and fresh.facts["evaluated run"] == "r1"
