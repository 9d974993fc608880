"""docs/operations.md end to end through the command line, on SQLite and PostgreSQL:
run → cases → batch → approve → export → feedback → shutdown approved by two → appeal →
restore → audit."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fraudwall.cli import app

#: Used by no other test and for no tuning.
SEED = 4243

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def real_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("walk")
    for args in (
        [
            "simulate",
            "--subscribers",
            "2500",
            "--days",
            "1",
            "--seed",
            str(SEED),
            "--out",
            str(root / "data"),
        ],
        ["run", "--data", str(root / "data"), "--out", str(root / "run")],
    ):
        r = CliRunner().invoke(app, args)
        assert r.exit_code == 0, r.output
    return root / "run"


class Cli:
    def __init__(self, url: str) -> None:
        self.url = url

    def __call__(self, *args: str, ok: bool = True) -> str:
        r = CliRunner().invoke(app, [*args, "--db", self.url])
        if ok:
            assert r.exit_code == 0, (args, r.output)
        else:
            assert r.exit_code == 2, (args, r.output)
        return r.stdout if ok else r.output

    def json(self, *args: str):
        return json.loads(self(*args, "--json"))


def test_the_operations_walk_through(real_run, db_url, tmp_path):
    fw = Cli(db_url)
    fw("db", "upgrade")
    fw("users", "add", "sam", "--role", "supervisor")
    for name, role in (
        ("sue", "supervisor"),
        ("ana", "analyst"),
        ("aud", "auditor"),
        ("pipeline", "system"),
    ):
        fw("users", "add", name, "--role", role, "--as", "sam")
    fw("users", "add", "lin", "--role", "liaison", "--unit", "市公安局反诈中心", "--as", "sam")

    imported = fw.json("cases", "import", str(real_run), "--as", "pipeline")
    assert imported["new"] > 0 and imported["cases"] == imported["new"]
    again = fw.json("cases", "import", str(real_run), "--as", "pipeline")
    assert (again["new"], again["updated"]) == (0, 0)
    high = fw.json("cases", "list", "--level", "high", "--scenario", "fraud_caller")
    assert high, "the world has high-risk fraud callers"
    case = high[0]
    shown = fw.json("cases", "show", str(case["id"]))
    assert shown["history"] and shown["reasons"]
    fw("cases", "review", str(case["id"]), "--as", "ana")

    batch = fw.json(
        "batch", "create", "--as", "ana", "--level", "high", "--scenario", "fraud_caller"
    )
    assert batch["number"] == 1 and batch["leads"] == len(high) and "id" in batch
    assert "may not do batch.approve" in fw("batch", "approve", "1", "--as", "ana", ok=False)
    fw("batch", "approve", "1", "--as", "sam")
    assert "already approved by sam" in fw("batch", "approve", "1", "--as", "sue", ok=False)
    exp = fw.json("batch", "export", "1", "--out", str(tmp_path / "b1"), "--as", "lin")
    assert set(exp["files"]) == {"batch-1.csv", "batch-1.xlsx", "batch-1.json"}

    fb = tmp_path / "feedback.csv"
    with fb.open("w", encoding="gbk", newline="") as f:
        w = csv.writer(f)
        w.writerow(
            [
                "batch",
                "entity_type",
                "entity_id",
                "outcome",
                "case_ref",
                "dens_found",
                "devices_seized",
                "note",
            ]
        )
        w.writerow(
            [1, "msisdn", case["entity_id"], "confirmed_fraud", "渝公刑2026-001", 1, 4, "窝点已端"]
        )
    res = fw.json("feedback", "import", str(fb), "--as", "lin", "--workspace", str(real_run))
    assert res["outcomes"] == {"confirmed_fraud": 1} and res["labels"] == 1
    prec = fw.json("stats", "precision")
    assert {"by": "batch", "key": "1"}.items() <= next(
        r for r in prec if r["by"] == "batch"
    ).items()
    fw("feedback", "labels", "--out", str(tmp_path / "labels.csv"))
    assert case["entity_id"] in (tmp_path / "labels.csv").read_text()

    act = fw.json("action", "request", str(case["id"]), "--type", "shutdown", "--as", "ana")
    assert act["state"] == "requested"
    assert "may not do action.approve" in fw(
        "action", "approve", str(act["id"]), "--as", "ana", ok=False
    )
    fw("action", "approve", str(act["id"]), "--as", "sam")
    outbox = tmp_path / "provisioning" / "commands.jsonl"
    fw("action", "dispatch", "--as", "pipeline", "--outbox", str(outbox))
    cmd = json.loads(outbox.read_text().splitlines()[0])
    acks = tmp_path / "acks.jsonl"
    acks.write_text(json.dumps({"command_id": cmd["command_id"], "status": "ok"}) + "\n")
    assert fw.json("action", "acks", str(acks), "--as", "pipeline")[0]["state"] == "acknowledged"

    appeal = fw.json(
        "appeal", "open", str(case["id"]), "--reason", "号码用于正常经营", "--as", "ana"
    )
    fw("appeal", "reverify", str(appeal["id"]), "--passed", "--as", "ana")
    decided = fw.json("appeal", "decide", str(appeal["id"]), "--restore", "--as", "sue")
    assert decided["state"] == "restored"
    fw("action", "dispatch", "--as", "pipeline", "--outbox", str(outbox))
    assert json.loads(outbox.read_text().splitlines()[-1])["action"] == "restore"
    # the next run's same evidence does not push it into a new shutdown without a person
    fw("cases", "import", str(real_run), "--as", "pipeline")
    assert "restored after an appeal" in fw(
        "action", "request", str(case["id"]), "--type", "shutdown", "--as", "pipeline", ok=False
    )

    trail = fw.json("audit", "--entity", f"case:{case['id']}")
    steps = [(e["actor"], e["action"]) for e in trail]
    for step in (
        ("ana", "cases.under_review"),
        ("ana", "action.request"),
        ("sam", "action.approve"),
        ("pipeline", "action.dispatch"),
        ("ana", "appeal.open"),
        ("sue", "appeal.restored"),
    ):
        assert step in steps, steps
    assert all(e["via"].startswith("cli:fraudwall ") for e in trail)
    batch_trail = [(e["actor"], e["action"]) for e in fw.json("audit", "--entity", "batch:1")]
    assert batch_trail == [
        ("ana", "batch.create"),
        ("sam", "batch.approve"),
        ("lin", "batch.export"),
    ]
