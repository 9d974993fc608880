import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from fraudwall.cli import app
from fraudwall.errors import InputError
from fraudwall.screening import Engine, MemoryStore, ScreeningPolicy
from fraudwall.screening.replay import evaluate, load_calls, replay
from fraudwall.simulate import generate


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("world")
    generate(out, subscribers=5000, days=2, seed=3)
    return out


def _engine() -> Engine:
    return Engine(policy=ScreeningPolicy(), state=MemoryStore())


def test_replay_has_no_look_ahead(world: Path):
    calls = load_calls(world)
    full = replay(_engine(), calls).decisions
    k = calls.num_rows // 2
    prefix = replay(_engine(), calls.slice(0, k)).decisions
    # a call's decision depends only on what happened before it: cutting the future off
    # changes nothing before the cut
    assert prefix.column("action").to_pylist() == full.column("action").slice(0, k).to_pylist()
    assert prefix.column("rule").to_pylist() == full.column("rule").slice(0, k).to_pylist()


def test_replay_command_reports_and_writes_decisions(world: Path, tmp_path: Path):
    out = tmp_path / "decisions.parquet"
    r = CliRunner().invoke(
        app, ["screen", "replay", "--data", str(world), "--decisions", str(out), "--json"]
    )
    assert r.exit_code == 0, r.output
    report = json.loads(r.stdout)
    fraud = report["scenarios"]["fraud_caller"]
    assert fraud["numbers_blocked"] > 0 and fraud["calls_before_block_median"] is not None
    assert report["legitimate"]["calls"] > 0
    t = pq.read_table(out)
    assert t.column_names == ["record_id", "caller", "callee", "at", "action", "label", "rule"]
    assert set(t.column("action").to_pylist()) <= {"allow", "label", "block"}
    assert t.num_rows == report["calls"]


def test_evaluate_counts_false_blocks_against_truth(tmp_path: Path):
    truth = tmp_path / "labels.parquet"
    pq.write_table(
        pa.table(
            {
                "entity_type": ["msisdn", "msisdn"],
                "entity_id": ["F", "C"],
                "label": ["fraud_caller", "benign"],
                "detail": ["fake_loan", "call_centre"],
            }
        ),
        truth,
    )
    d = pa.table(
        {
            "caller": ["F", "F", "F", "C", "C", "O"],
            "action": ["allow", "allow", "block", "block", "allow", "label"],
            "rule": ["none", "none", "fanout_24h", "fanout_24h", "none", "x"],
        }
    )
    rep = evaluate(d, truth, risky=set())
    assert rep["scenarios"]["fraud_caller"]["calls_before_block_median"] == 2
    assert rep["legitimate"]["false_blocks"] == 1 and rep["legitimate"]["false_labels"] == 1
    assert rep["legitimate"]["false_blocks_per_million"] == pytest.approx(1e6 / 3)
    assert rep["legitimate"]["by_kind"]["call_centre"]["blocked"] == 1


def test_missing_calls_or_null_fields_are_named(tmp_path: Path):
    with pytest.raises(InputError, match="no calls table"):
        load_calls(tmp_path)
    pq.write_table(
        pa.table(
            {
                "record_id": ["a"],
                "msisdn": [None],
                "other_party": ["x"],
                "direction": ["MO"],
                "started_at": pa.array([0], pa.timestamp("us")),
                "duration_s": [3],
            }
        ),
        tmp_path / "calls.parquet",
    )
    with pytest.raises(InputError, match="field msisdn"):
        load_calls(tmp_path)
    r = CliRunner().invoke(app, ["screen", "replay", "--data", str(tmp_path / "nope")])
    assert r.exit_code == 2 and "no calls table" in r.output
