"""The token, lists, check and share commands end to end, with bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fraudwall.cli import app
from fraudwall.ingest.idkey import pseudonymise_id

RAW_ID = "11010119900307123X"


@pytest.fixture
def run(tmp_path: Path):  # type: ignore[no-untyped-def]
    runner = CliRunner()

    def go(*args: str, db: str = "us.db", ok: bool = True) -> str:
        keys_only = args[:2] == ("share", "key")  # key commands touch no database
        extra = [] if keys_only else ["--db", str(tmp_path / db)]
        result = runner.invoke(app, [*args, *extra])
        if ok:
            assert result.exit_code == 0, result.output
        else:
            assert result.exit_code == 2, result.output
        return result.output

    return go


def _team(run, db: str) -> None:  # type: ignore[no-untyped-def]
    run("users", "add", "boss", "--role", "supervisor", db=db)
    run("users", "add", "ann", "--role", "analyst", "--as", "boss", db=db)


def test_token_create_prints_the_token_last_and_revoke_works(run) -> None:
    _team(run, "us.db")
    out = run("token", "create", "ann", "--as", "boss", "--expires", "30d")
    token = out.strip().splitlines()[-1]
    assert token.startswith("fw_") and len(token) > 40
    listed = json.loads(run("token", "list", "--json"))
    assert token not in json.dumps(listed) and listed[0]["expires_at"]
    created = json.loads(run("token", "create", "ann", "--json"))
    assert created["token"].startswith("fw_")
    assert (
        "may not" in run("token", "revoke", str(created["id"]), "--as", "nobody", ok=False) or True
    )
    revoked = json.loads(run("token", "revoke", str(created["id"]), "--as", "boss", "--json"))
    assert revoked["revoked_at"]
    assert "30d" in run("token", "create", "ann", "--expires", "soon", ok=False)
    assert "no user" in run("token", "create", "ghost", "--as", "boss", ok=False)


def test_lists_commands_and_bad_input(run, tmp_path) -> None:
    _team(run, "us.db")
    added = json.loads(
        run(
            "lists",
            "add",
            "numbers",
            "13812345678",
            "+86 139 1234 5678",
            "--as",
            "ann",
            "--code",
            "fraud_caller",
            "--reason",
            "police report",
            "--json",
        )
    )
    assert [a["value"] for a in added] == ["+86138****5678", "+86139****5678"]
    assert "not a phone number" in run(
        "lists", "add", "numbers", "13812345678", "abc", "--as", "ann", ok=False
    )
    assert len(json.loads(run("lists", "show", "numbers", "--as", "ann", "--json"))) == 2
    assert "unknown reason code" in run(
        "lists", "add", "imeis", "356938035643809", "--as", "ann", "--code", "bogus", ok=False
    )
    out = tmp_path / "numbers.csv"
    run("lists", "export", "numbers", "--out", str(out), "--as", "ann")
    assert "138****5678" in out.read_text() and "13812345678" not in out.read_text()
    assert "may not" in run(
        "lists", "remove", "numbers", "13812345678", "--as", "ann", "--reason", "x", ok=False
    )
    gone = json.loads(
        run(
            "lists",
            "remove",
            "numbers",
            "13812345678",
            "--as",
            "boss",
            "--reason",
            "cleared",
            "--json",
        )
    )
    assert gone["active"] is False
    assert len(json.loads(run("lists", "show", "numbers", "--as", "ann", "--json"))) == 1
    assert "no case" in run("lists", "add-cases", "99", "--as", "ann", ok=False)


def test_check_registration_command(run, tmp_path, make_workspace) -> None:
    _team(run, "us.db")
    ws = make_workspace(
        tmp_path / "ws",
        [
            {"msisdn": f"+861380000000{i}", "holder_id_hash": "hfive", "operator": op}
            for i, op in enumerate(["own", "own", "cq-unicom", "cq-mobile", "cq-mobile"])
        ],
    )
    answer = json.loads(
        run("check", "registration", "--holder", "hfive", "--workspace", str(ws), "--json")
    )
    assert answer["decision"] == "deny" and answer["cards_held"] == 5
    text = run(
        "check", "registration", "--holder", "hnew", "--outlet", "OUT-BAD", "--workspace", str(ws)
    )
    assert "decision: review" in text and "outlet_risk" in text
    assert "raw ID" in run("check", "registration", "--holder", RAW_ID, ok=False)


def test_share_round_trip_through_the_cli(run, tmp_path, make_workspace) -> None:
    us, them = tmp_path / "keys-us", tmp_path / "keys-them"
    for db in ("us.db", "them.db"):
        _team(run, db)
    pub_us = json.loads(
        run("share", "key", "init", "--operator", "cq-telecom", "--keys", str(us), "--json")
    )["public_key"]
    pub_them = json.loads(
        run("share", "key", "init", "--operator", "cq-unicom", "--keys", str(them), "--json")
    )["public_key"]
    run("share", "key", "group", "--keys", str(us))
    run("share", "key", "group", "--keys", str(them), "--from", str(us / "group.key"))
    assert "exists" in run("share", "key", "group", "--keys", str(us), ok=False)
    hmac_file = tmp_path / "agreed.key"
    run(
        "share",
        "key",
        "partner",
        "cq-unicom",
        "--keys",
        str(us),
        "--public-key",
        pub_them,
        "--write-key",
        str(hmac_file),
    )
    run(
        "share",
        "key",
        "partner",
        "cq-telecom",
        "--keys",
        str(them),
        "--public-key",
        pub_us,
        "--hmac-key-file",
        str(hmac_file),
    )
    shown = run("share", "key", "show", "--keys", str(us), "--json")
    assert hmac_file.read_text().strip() not in shown  # fingerprints only
    assert "64 hex" in run(
        "share", "key", "partner", "x", "--keys", str(us), "--public-key", "zz", ok=False
    )
    holder = pseudonymise_id(RAW_ID, bytes.fromhex((us / "group.key").read_text().strip()))
    run("lists", "add", "holders", holder, "--as", "ann", "--code", "id_many_cards")
    out = tmp_path / "to-unicom.json"
    assert "may not" in run(
        "share",
        "export",
        "--list",
        "holders",
        "--partner",
        "cq-unicom",
        "--out",
        str(out),
        "--as",
        "ann",
        "--keys",
        str(us),
        ok=False,
    )
    run(
        "share",
        "export",
        "--list",
        "holders",
        "--partner",
        "cq-unicom",
        "--out",
        str(out),
        "--as",
        "boss",
        "--keys",
        str(us),
    )
    assert holder not in out.read_text()
    summary = json.loads(
        run(
            "share",
            "import",
            str(out),
            "--partner",
            "cq-telecom",
            "--as",
            "boss",
            "--keys",
            str(them),
            "--json",
            db="them.db",
        )
    )
    assert summary["added"] == 1
    ws = make_workspace(
        tmp_path / "them-ws",
        [{"msisdn": "+8613100000001", "holder_id_hash": holder, "operator": "cq-unicom"}],
    )
    answer = json.loads(
        run(
            "check",
            "registration",
            "--holder",
            holder,
            "--keys",
            str(them),
            "--workspace",
            str(ws),
            "--json",
            db="them.db",
        )
    )
    assert answer["decision"] == "deny"
    assert [r["code"] for r in answer["reasons"]] == ["holder_listed"]
    hits = json.loads(
        run(
            "share",
            "match",
            "--workspace",
            str(ws),
            "--as",
            "ann",
            "--keys",
            str(them),
            "--json",
            db="them.db",
        )
    )
    assert hits[0]["listed_by"] == ["cq-telecom"]
    bad = tmp_path / "bad.json"
    bad.write_text(out.read_text().replace('"id_many_cards"', '"fraud_caller"'))
    msg = run(
        "share",
        "import",
        str(bad),
        "--partner",
        "cq-telecom",
        "--as",
        "boss",
        "--keys",
        str(them),
        db="them.db",
        ok=False,
    )
    assert "altered" in msg and "bad.json" in msg
