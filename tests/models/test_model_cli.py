"""``fraudwall model train`` and ``score`` on files; bad input gives one red line and exit 2."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from fraudwall.cli import model as model_cli
from fraudwall.models import ModelConfig, with_params

runner = CliRunner()


@pytest.fixture
def files(world, tmp_path: Path) -> dict[str, Path]:
    features, labels, edges = world
    paths = {
        "features": tmp_path / "features.parquet",
        "labels": tmp_path / "labels.csv",
        "edges": tmp_path / "edges.csv",
    }
    features.reset_index().rename(columns={"id": "msisdn"}).to_parquet(paths["features"])
    labels.iloc[::2].rename_axis("msisdn").to_csv(paths["labels"])
    edges.to_csv(paths["edges"], index=False)
    return paths


@pytest.fixture(autouse=True)
def fast(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI trains with the default configuration; make it quick for tests."""
    quick = with_params(ModelConfig(cv_folds=3, inner_folds=3), num_boost_round=20)
    monkeypatch.setattr(model_cli, "training_config", lambda: quick)


def test_train_then_score_every_number(files, world, tmp_path: Path) -> None:
    out = tmp_path / "model"
    result = runner.invoke(
        model_cli.app,
        [
            "train",
            "--features",
            str(files["features"]),
            "--labels",
            str(files["labels"]),
            "--graph",
            str(files["edges"]),
            "--out",
            str(out),
            "--seed",
            "4",
        ],
    )
    assert result.exit_code == 0, result.output
    assert {"model.txt", "card.json", "card.md"} <= {p.name for p in out.iterdir()}
    assert "3-fold CV" in result.output
    scores_path = tmp_path / "scores.csv"
    result = runner.invoke(
        model_cli.app,
        [
            "score",
            "--model",
            str(out),
            "--features",
            str(files["features"]),
            "--graph",
            str(files["edges"]),
            "--out",
            str(scores_path),
        ],
    )
    assert result.exit_code == 0, result.output
    scores = pd.read_csv(scores_path)
    assert list(scores.columns) == ["id", "score", "label", "reasons"]
    assert scores["id"].tolist() == world[0].index.tolist()


def test_bad_input_is_one_red_line_and_exit_2(files, tmp_path: Path) -> None:
    labels = tmp_path / "bad_labels.csv"
    labels.write_text("msisdn,label\nn0001,1\nghost,0\n")
    result = runner.invoke(
        model_cli.app,
        [
            "train",
            "--features",
            str(files["features"]),
            "--labels",
            str(labels),
            "--out",
            str(tmp_path / "m"),
        ],
    )
    assert result.exit_code == 2
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1
    assert str(labels) in errors[0] and "row 2" in errors[0] and "'ghost'" in errors[0]
    assert not (tmp_path / "m").exists()


def test_scoring_with_a_missing_column_exits_2(files, tmp_path: Path) -> None:
    out = tmp_path / "model"
    runner.invoke(
        model_cli.app,
        [
            "train",
            "--features",
            str(files["features"]),
            "--labels",
            str(files["labels"]),
            "--out",
            str(out),
        ],
    )
    fewer = tmp_path / "fewer.csv"
    pd.read_parquet(files["features"]).drop(columns=["noise"]).to_csv(fewer, index=False)
    result = runner.invoke(
        model_cli.app,
        ["score", "--model", str(out), "--features", str(fewer), "--out", str(tmp_path / "s.csv")],
    )
    assert result.exit_code == 2
    assert "missing feature columns ['noise']" in result.output
