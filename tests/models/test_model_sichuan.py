"""The model on real operator data (Sichuan Mobile, read in place); skipped where it is absent."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from fraudwall.cli import model as model_cli
from fraudwall.models import (
    DEFAULT_PARAMS,
    ModelConfig,
    anomaly_scores,
    cross_validate,
    read_edges,
    read_features,
    read_labels,
    train_model,
    with_params,
)


@pytest.fixture(scope="module")
def sichuan(sichuan_dir):
    features = read_features(sichuan_dir / "features.csv")
    labels = read_labels(sichuan_dir / "labels_train.csv", feature_ids=features.index)
    return features, labels


def test_files_read_as_the_readme_says(sichuan, sichuan_dir) -> None:
    features, labels = sichuan
    assert features.shape == (6106, 55)
    assert len(labels) == 4274 and set(labels.unique()) == {0, 1}
    edges = read_edges(sichuan_dir / "edges.csv", feature_ids=features.index)
    assert len(edges) == 416211


def test_trains_on_labelled_ids_and_scores_all(sichuan) -> None:
    features, labels = sichuan
    config = with_params(ModelConfig(cv_folds=3, inner_folds=3), **DEFAULT_PARAMS)
    model = train_model(features, labels, seed=0, config=config)
    scores = model.score(features)
    assert len(scores) == 6106 and scores["id"].is_unique
    assert scores["score"].notna().all()
    # learns something real: well above chance, out of fold (published AUCs are about 0.945)
    assert model.card["cv"]["features only"]["summary"]["roc_auc"]["mean"] > 0.9


def test_anomaly_score_beats_chance_without_labels(sichuan) -> None:
    features, labels = sichuan
    from sklearn.metrics import roc_auc_score

    s = anomaly_scores(features).loc[labels.index]
    assert roc_auc_score(labels, s) > 0.5


@pytest.mark.slow
def test_cli_on_the_sichuan_files(sichuan_dir, tmp_path) -> None:
    import pandas as pd

    out = tmp_path / "model"
    runner = CliRunner()
    common = [
        "--features",
        str(sichuan_dir / "features.csv"),
        "--graph",
        str(sichuan_dir / "edges.csv"),
    ]
    result = runner.invoke(
        model_cli.app,
        ["train", "--labels", str(sichuan_dir / "labels_train.csv"), "--out", str(out), *common],
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        model_cli.app, ["score", "--model", str(out), "--out", str(tmp_path / "s.csv"), *common]
    )
    assert result.exit_code == 0, result.output
    assert len(pd.read_csv(tmp_path / "s.csv")) == 6106


@pytest.mark.slow
def test_graph_features_do_not_hurt_a_lot(sichuan, sichuan_dir) -> None:
    """Cross-validated with and without graph blocks on the same folds (full default rounds)."""
    features, labels = sichuan
    edges = read_edges(sichuan_dir / "edges.csv", feature_ids=features.index)
    from fraudwall.models.graph_features import CallGraph

    graph = CallGraph.from_edges(edges, features.index)
    config = ModelConfig(cv_folds=3, inner_folds=3)
    plain = cross_validate(features, labels, None, config, blocks=())
    with_graph = cross_validate(features, labels, graph, config, blocks=config.graph_blocks)
    assert with_graph["summary"]["roc_auc"]["mean"] > plain["summary"]["roc_auc"]["mean"] - 0.02
