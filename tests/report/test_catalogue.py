"""The generated detector catalogue and default policy stay true to the registry."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from typer.testing import CliRunner

from fraudwall.cli import app
from fraudwall.contract import SCENARIOS
from fraudwall.detectors import load_library
from fraudwall.policy import load_policy
from fraudwall.report.catalogue import describe_world, render_catalogue

runner = CliRunner()


def test_catalogue_lists_every_registered_detector_and_every_scenario():
    library = load_library()
    text = render_catalogue(library)
    for name, cls in library.items():
        assert f"#### `{name}`" in text
        assert cls.logic() in text
        for key in cls.Params.model_fields:
            assert f"| `{key}` |" in text
    for scenario, spec in SCENARIOS.items():
        assert f"| `{scenario}` | `{spec.entity_type}` |" in text


def test_scenarios_without_a_detector_are_listed():
    library = load_library()
    some = dict(list(library.items())[:1])
    text = render_catalogue(some)
    section = text.split("### Scenarios with no detector", 1)[1].split("## Detectors", 1)[0]
    uncovered = set(SCENARIOS) - {c.scenario for c in some.values()}
    assert uncovered
    for scenario in SCENARIOS:
        assert (f"- `{scenario}`" in section) == (scenario in uncovered)


def test_measured_figures_and_world_come_from_the_evaluation(tmp_path: Path):
    name, cls = next(iter(load_library().items()))
    evaluation = {
        "by_scenario": [
            {
                "scenario": cls.scenario,
                "leads": 40,
                "truth": 37,
                "tp": 35,
                "fp": 5,
                "fn": 2,
                "precision": 0.875,
                "recall": 0.9459,
                "f1": 0.909,
            }
        ],
        "by_detector": [
            {
                "detector": name,
                "scenario": cls.scenario,
                "leads": 40,
                "tp": 35,
                "fp": 5,
                "precision": 0.875,
                "recall": 0.9459,
                "f1": 0.909,
            }
        ],
        "false_positives": [],
    }
    data = tmp_path / "world"
    data.mkdir()
    (data / "manifest.json").write_text(json.dumps({"seed": 4242, "days": 3}), "utf-8")
    pq.write_table(
        pa.table({"msisdn": [f"1380000{i:04d}" for i in range(17)]}), data / "subscribers.parquet"
    )
    text = render_catalogue(evaluation=evaluation, world=describe_world(data))
    assert "17 subscribers, 3 days, seed 4242" in text
    block = text.split(f"#### `{name}`", 1)[1].split("####", 1)[0]
    assert "precision **0.875**, recall **0.946**" in block
    assert f"| `{cls.scenario}` |" in text and "| 0.875 | 0.946 | 37 |" in text


def test_cli_writes_the_catalogue_and_the_default_policy(tmp_path: Path):
    out = tmp_path / "docs" / "detectors.md"
    r = runner.invoke(app, ["docs", "detectors", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert out.read_text("utf-8") == render_catalogue()

    policy = tmp_path / "default.toml"
    r = runner.invoke(app, ["docs", "policy", "--out", str(policy)])
    assert r.exit_code == 0, r.output
    assert load_policy(policy) == load_policy()


def test_cli_rejects_a_file_that_is_not_an_evaluation(tmp_path: Path):
    bad = tmp_path / "evaluation.json"
    bad.write_text('{"leads": 3}', "utf-8")
    r = runner.invoke(app, ["docs", "detectors", "--evaluation", str(bad), "--out", "-"])
    assert r.exit_code == 2


def test_tuning_and_heldout_figures_side_by_side() -> None:
    tuning = {
        "by_scenario": [{"scenario": "bulk_sms", "precision": 1.0, "recall": 1.0, "truth": 10}],
        "by_detector": [{"detector": "bulk_sms", "precision": 1.0, "recall": 1.0, "leads": 10}],
    }
    held = {
        "by_scenario": [{"scenario": "bulk_sms", "precision": 0.5, "recall": 0.75, "truth": 8}],
        "by_detector": [],
        "hard_negatives": [
            {
                "kind": "notification_sender",
                "instances": 9,
                "flagged": 3,
                "low": 0,
                "medium": 0,
                "high": 3,
                "detectors": "bulk_sms: 3",
            }
        ],
    }
    text = render_catalogue(
        evaluation=tuning,
        world={"subscribers": 1000, "seed": 1, "profile": "default"},
        heldout=held,
        heldout_world={"subscribers": 2000, "seed": 9, "profile": "heldout"},
    )
    assert "precision (held-out)" in text and "precision (tuning)" in text
    row = next(line for line in text.splitlines() if line.startswith("| `bulk_sms` |"))
    assert "| 1.000 | 1.000 | 0.500 | 0.750 | 8 |" in row
    assert "**Held-out world**" in text and "profile `heldout`" in text
    assert "| `notification_sender` | 9 | 3 | 0 | 0 | 3 | bulk_sms: 3 |" in text
    assert "Measured on the held-out world: no leads" in text
