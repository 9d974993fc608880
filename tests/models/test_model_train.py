"""Training, scoring, explanations, determinism and the model directory."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fraudwall.errors import InputError
from fraudwall.models import ModelConfig, TrainedModel, load_model, train_model
from fraudwall.models.calibrate import Platt, choose_threshold
from fraudwall.models.explain import NO_REASON
from fraudwall.models.graph_features import CallGraph, neighbour_label_features
from fraudwall.models.metrics import METRICS


@pytest.fixture(scope="module")
def labelled(world):
    features, labels, edges = world
    # label 70% of the numbers, as an operator would know only some of them
    rng = np.random.default_rng(5)
    known = labels[rng.random(len(labels)) < 0.7]
    return features, known, edges


@pytest.fixture(scope="module")
def plain_model(labelled, fast_config) -> TrainedModel:
    features, labels, _ = labelled
    return train_model(features, labels, None, seed=3, config=fast_config)


@pytest.fixture(scope="module")
def graph_model(labelled, fast_config) -> TrainedModel:
    features, labels, edges = labelled
    config = ModelConfig(
        params=fast_config.params,
        cv_folds=3,
        inner_folds=3,
        graph="always",
        graph_blocks=("structure", "neighbour_mean", "neighbour_labels"),
    )
    return train_model(features, labels, edges, seed=3, config=config)


def test_scores_every_number_with_probability_label_and_reasons(plain_model, world) -> None:
    features, labels, _ = world
    scores = plain_model.score(features)
    assert list(scores.columns) == ["id", "score", "label", "reasons"]
    assert scores["id"].tolist() == features.index.tolist()
    assert scores["score"].between(0, 1).all()
    assert (scores["label"] == (scores["score"] >= plain_model.threshold)).all()
    assert (scores["reasons"] != "").all()
    # the planted signal is learnt: fraud scores higher than normal on average
    by_class = scores.groupby(labels.to_numpy())["score"].mean()
    assert by_class[1] > by_class[0]


def test_reasons_name_the_features_that_carry_the_signal(plain_model, world) -> None:
    features, _, _ = world
    scores = plain_model.score(features)
    flagged = scores.loc[scores["label"] == 1, "reasons"]
    assert len(flagged)
    first = flagged.str.split(" ").str[0]
    # the signal is in calls and sms; noise should rarely lead
    assert first.isin(["calls", "sms"]).mean() > first.eq("noise").mean()
    assert flagged.str.contains(r"\(normal median [-0-9.e+]+\)").all()


def test_card_holds_what_the_issue_asks(plain_model, labelled) -> None:
    card = plain_model.card
    features, labels, _ = labelled
    assert card["features"] == list(features.columns)
    assert card["threshold"] == plain_model.threshold
    assert len(card["training"]["fingerprint"]) == 64
    assert card["training"]["rows"] == len(labels)
    summary = card["cv"]["features only"]["summary"]
    assert set(summary) == set(METRICS)
    assert len(card["cv"]["features only"]["folds"]) == 3
    assert {"lightgbm", "scikit-learn", "numpy", "python"} <= set(card["versions"])
    assert card["graph_choice"] == "no graph given"


def test_same_seed_same_model_files_and_scores(labelled, fast_config, tmp_path: Path) -> None:
    features, labels, edges = labelled
    config = ModelConfig(params=fast_config.params, cv_folds=3, inner_folds=3, graph="always")
    dirs = []
    for run in ("one", "two"):
        model = train_model(features, labels, edges, seed=11, config=config)
        dirs.append(model.save(tmp_path / run))
    for name in ("model.txt", "card.json", "card.md", "known_labels.csv"):
        assert (dirs[0] / name).read_bytes() == (dirs[1] / name).read_bytes(), name
    a = load_model(dirs[0]).score(features, edges)
    b = load_model(dirs[1]).score(features, edges)
    pd.testing.assert_frame_equal(a, b)


def test_save_and_load_give_the_same_scores(graph_model, world, tmp_path: Path) -> None:
    features, _, edges = world
    before = graph_model.score(features, edges)
    after = load_model(graph_model.save(tmp_path / "m")).score(features, edges)
    pd.testing.assert_frame_equal(before, after)
    assert graph_model.graph_blocks == ("structure", "neighbour_mean", "neighbour_labels")
    assert any(c.startswith("g_") for c in graph_model.card["design_columns"])


def test_saved_model_counts_the_training_labels_without_writing_ids(
    graph_model, labelled, tmp_path: Path
) -> None:
    features, labels, edges = labelled
    loaded = load_model(graph_model.save(tmp_path / "m"))
    design = loaded.design(features, edges)
    expected = neighbour_label_features(
        CallGraph.from_edges(edges, features.index), labels, oof_folds=None
    )
    pd.testing.assert_frame_equal(design[expected.columns], expected)
    written = "".join(p.read_text("utf-8") for p in (tmp_path / "m").iterdir())
    assert not any(i in written for i in features.index)


def test_graph_model_needs_the_graph(graph_model, world) -> None:
    features, _, _ = world
    with pytest.raises(InputError, match="uses the call graph"):
        graph_model.score(features)


def test_auto_keeps_the_graph_only_when_cv_says_so(labelled, fast_config) -> None:
    features, labels, edges = labelled
    model = train_model(features, labels, edges, seed=3, config=fast_config)
    cv = model.card["cv"]
    assert set(cv) == {"features only", "features + graph"}
    gain = np.array([f["pr_auc"] for f in cv["features + graph"]["folds"]]) - np.array(
        [f["pr_auc"] for f in cv["features only"]["folds"]]
    )
    kept = gain.mean() > gain.std(ddof=1) / np.sqrt(len(gain))
    assert bool(model.graph_blocks) == kept
    assert model.card["graph_choice"].startswith("graph kept" if kept else "graph dropped")


def test_auto_keeps_the_graph_when_only_the_graph_knows(world_factory, fast_config) -> None:
    # features carry no signal; fraud numbers call each other almost only
    features, labels, edges = world_factory(n=300, seed=9, signal=0.0, homophily=0.95)
    model = train_model(features, labels, edges, seed=0, config=fast_config)
    assert model.graph_blocks == fast_config.graph_blocks
    cv = model.card["cv"]
    assert cv["features + graph"]["summary"]["roc_auc"]["mean"] > 0.8
    assert cv["features only"]["summary"]["roc_auc"]["mean"] < 0.7


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.drop(columns=["sms"]), r"missing feature columns \['sms'\]"),
        (lambda f: f.assign(extra=1.0), r"extra columns not in the model \['extra'\]"),
    ],
)
def test_scoring_with_other_columns_fails_clearly(plain_model, world, change, message) -> None:
    features, _, _ = world
    with pytest.raises(InputError, match=message):
        plain_model.score(change(features), source="new.csv")


def test_loading_a_directory_that_is_no_model(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"model\.txt is missing"):
        load_model(tmp_path)


def test_training_needs_enough_labels_per_class(world, fast_config) -> None:
    features, labels, _ = world
    few = pd.concat([labels[labels == 0], labels[labels == 1].iloc[:2]])
    with pytest.raises(InputError, match="at least 3 labelled numbers of each class"):
        train_model(features, few, config=fast_config)


def test_platt_is_monotone_and_threshold_maximises_f1() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 400)
    margin = rng.normal(y * 2.0 - 1.0, 1.0)
    cal = Platt.fit(margin, y)
    p = cal.apply(margin)
    assert (np.diff(p[np.argsort(margin)]) >= 0).all()
    t = choose_threshold(y, p)

    def f1(th: float) -> float:
        d = p >= th
        tp = (d & (y == 1)).sum()
        return 2 * tp / (d.sum() + (y == 1).sum())

    assert f1(t) >= max(f1(th) for th in np.unique(p)) - 1e-12


def test_precision_target_is_met_when_reachable() -> None:
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 500)
    p = np.clip(rng.normal(0.3 + 0.4 * y, 0.2), 0, 1)
    t = choose_threshold(y, p, precision_target=0.9)
    assert y[p >= t].mean() >= 0.9
    # and it is the lowest such threshold: flagging more would fall below the target
    lower = np.unique(p[p < t])
    assert all(y[p >= th].mean() < 0.9 for th in lower)


def test_no_reason_only_when_nothing_pushed_the_score_up(plain_model, world) -> None:
    features, _, _ = world
    scores = plain_model.score(features)
    contrib = plain_model.booster.predict(features.to_numpy(), pred_contrib=True)
    calm = scores["reasons"] == NO_REASON
    assert (calm == (contrib[:, :-1] <= 0).all(axis=1)).all()
    # with every contribution ≤ 0 a number scores at most what the average number scores
    average = plain_model.platt.apply(contrib[:, -1])
    assert (scores.loc[calm, "score"] <= average[calm] + 1e-12).all()


def test_bootstrap_threshold_is_deterministic_and_steadier_than_one_argmax() -> None:
    rng = np.random.default_rng(5)
    y = (rng.random(3000) < 0.3).astype(int)
    p = np.clip(rng.normal(0.35 + 0.3 * y, 0.18), 0, 1)
    a = choose_threshold(y, p, bootstrap=100, seed=1)
    assert a == choose_threshold(y, p, bootstrap=100, seed=1)
    assert p.min() <= a <= p.max()
    # on halves of the data, the bootstrap median moves less than the single arg-max does
    halves = [np.arange(0, 1500), np.arange(1500, 3000)]
    single = [choose_threshold(y[h], p[h]) for h in halves]
    boot = [choose_threshold(y[h], p[h], bootstrap=100, seed=1) for h in halves]
    assert abs(boot[0] - boot[1]) <= abs(single[0] - single[1]) + 0.02
    # a precision target wins over the bootstrap rule
    assert choose_threshold(y, p, precision_target=0.9, bootstrap=50) == choose_threshold(
        y, p, precision_target=0.9
    )
