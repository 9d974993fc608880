"""The supervised model inside the pipeline: trained on police feedback, scored as a detector."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from fraudwall.cli import app
from fraudwall.cli import model as model_cli
from fraudwall.detectors.library.ml_fraud_caller import MlFraudCaller
from fraudwall.evaluate import evaluate
from fraudwall.models import ModelConfig, with_params
from fraudwall.scoring.leads import run_detectors

#: Used by no other test and for no tuning.
SEED = 61_043


def test_skipped_with_a_reason_until_a_model_is_configured(make_ctx):
    ctx = make_ctx(
        calls=[
            {
                "record_id": "1",
                "msisdn": "+8613800000001",
                "other_party": "+8613800000002",
                "direction": "MO",
                "started_at": "2026-03-02 10:00:00",
                "duration_s": 30,
            }
        ]
    )
    res = run_detectors(ctx, ctx.policy, {"ml_fraud_caller": MlFraudCaller}, run_id="r")
    assert "no model configured" in res.skipped["ml_fraud_caller"]


def test_train_needs_files_or_a_workspace(tmp_path):
    result = CliRunner().invoke(app, ["model", "train", "--out", str(tmp_path / "m")])
    assert result.exit_code == 2
    assert "--workspace" in result.output


@pytest.mark.slow
def test_police_feedback_trains_a_model_that_finds_unreported_fraud(tmp_path, monkeypatch):
    from fraudwall.simulate import generate

    quick = with_params(ModelConfig(cv_folds=3, inner_folds=3), num_boost_round=60)
    monkeypatch.setattr(model_cli, "training_config", lambda: quick)
    run = CliRunner()
    data, ws, model = tmp_path / "data", tmp_path / "ws", tmp_path / "model"
    generate(data, subscribers=4_000, days=2, seed=SEED)
    assert run.invoke(app, ["ingest", "--data", str(data), "--workspace", str(ws)]).exit_code == 0
    trained = run.invoke(app, ["model", "train", "--workspace", str(ws), "--out", str(model)])
    assert trained.exit_code == 0, trained.output
    policy = tmp_path / "policy.toml"
    policy.write_text(
        f'version = "with-model"\n[detectors.ml_fraud_caller]\nmodel_dir = "{model}"\n'
    )
    out = tmp_path / "run"
    ran = run.invoke(app, ["run", "--data", str(data), "--out", str(out), "--policy", str(policy)])
    assert ran.exit_code == 0, ran.output

    leads = pd.read_parquet(out / "leads.parquet")
    ml = leads[leads["detector"] == "ml_fraud_caller"]
    assert ml["reasons"].str.startswith("model probability").all()
    assert set(ml["policy_version"]) == {"with-model"}
    # Judge it on the numbers police did NOT report: those are what the model adds.
    truth = pd.read_parquet(data / "truth" / "labels.parquet")
    given = set(pd.read_parquet(data / "labels.parquet")["entity_id"])
    row = (
        evaluate(
            ml[~ml["entity_id"].isin(given)],
            truth[~truth["entity_id"].isin(given)],
            min_level="low",
        )
        .by_scenario.set_index("scenario")
        .loc["fraud_caller"]
    )
    assert row["truth"] >= 50
    assert row["precision"] >= 0.9, row.to_dict()
    assert row["recall"] >= 0.8, row.to_dict()
