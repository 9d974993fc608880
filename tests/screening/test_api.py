"""POST /v1/screen on the worker and on ``fraudwall serve``; opt-in by command and by SMS."""

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import auth as _auth
from tests_screening_serve import serving
from typer.testing import CliRunner

from fraudwall.api import create_app
from fraudwall.api.settings import Settings
from fraudwall.audit import list_entries
from fraudwall.cli import app as cli
from fraudwall.db import Database
from fraudwall.screening.app import create_worker_app
from fraudwall.screening.service import ScreenConfig

BAD = "+8613800000000"


@pytest.fixture
def lists_file(tmp_path: Path) -> Path:
    p = tmp_path / "lists.csv"
    p.write_text(f"kind,value,list\nmsisdn,{BAD},police\n", "utf-8")
    return p


@pytest.fixture
def worker(db: Database, lists_file: Path, tmp_path: Path) -> Iterator[httpx.Client]:
    cfg = ScreenConfig(database_url=db.url, lists=lists_file, snapshot=tmp_path / "snap.bin")
    with serving(create_worker_app(cfg), worker=True) as c:
        yield c


def test_worker_blocks_a_listed_caller_and_allows_others(worker, tokens):
    h = _auth(tokens["pos"])
    r = worker.post(
        "/v1/screen",
        json={"caller": "13800000000", "callee": "13900000000", "call_id": "abc"},
        headers=h,
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["action"], body["sip_code"], body["rule"], body["call_id"]) == (
        "block",
        603,
        "blacklist",
        "abc",
    )
    r = worker.post(
        "/v1/screen", json={"caller": "13500000000", "callee": "13900000000"}, headers=h
    )
    assert r.json()["action"] == "allow"
    r = worker.post(
        "/v1/screen/ended",
        json={"caller": "13500000000", "callee": "13900000000", "duration_s": 30},
        headers=h,
    )
    assert r.status_code == 200


def test_worker_refuses_without_token_and_for_other_roles(worker, tokens):
    body = {"caller": BAD, "callee": "13900000000"}
    assert worker.post("/v1/screen", json=body).status_code == 401
    assert worker.post("/v1/screen", json=body, headers=_auth("fw_nope")).status_code == 401
    r = worker.post("/v1/screen", json=body, headers=_auth(tokens["ann"]))
    assert r.status_code == 403 and "system" in r.text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"callee": "13900000000"}, "caller"),
        ({"caller": "", "callee": "1"}, "caller"),
        ({"caller": "1", "callee": "2", "at": "yesterday"}, "at"),
        ({"caller": "1", "callee": "2", "extra": 1}, "extra"),
        ({"caller": "1" * 40, "callee": "2"}, "caller"),
    ],
)
def test_bad_requests_name_the_field(worker, tokens, body, field):
    r = worker.post("/v1/screen", json=body, headers=_auth(tokens["pos"]))
    assert r.status_code == 422 and r.json()["field"] == f"body.{field}"


def test_bad_json_and_bad_outcomes_are_refused(worker, tokens):
    h = {**_auth(tokens["pos"]), "content-type": "application/json"}
    r = worker.post("/v1/screen", content=b'{"caller": "1",', headers=h)
    assert r.status_code == 422 and r.json()["field"].startswith("body")
    r = worker.post(
        "/v1/screen/ended", json={"caller": "1", "callee": "2", "duration_s": -1}, headers=h
    )
    assert r.status_code == 422 and r.json()["field"] == "body.duration_s"
    r = worker.post("/v1/screen/ended", json={"caller": "1", "callee": "2", "duration_s": 1})
    assert r.status_code == 401


def test_keyword_sms_opts_in_and_out_and_is_audited(worker, tokens, db):
    h = _auth(tokens["pos"])
    r = worker.post(
        "/v1/screen/sms",
        json={"sender": "13900000000", "recipient": "10086", "text": " ktfsr "},
        headers=h,
    )
    assert r.status_code == 200 and r.json()["action"] == "optin"
    r = worker.post(
        "/v1/screen/sms",
        json={"sender": "13900000000", "recipient": "10086", "text": "hello"},
        headers=h,
    )
    assert r.json()["handled"] is False
    r = worker.post(
        "/v1/screen/sms",
        json={"sender": "13900000000", "recipient": "10086", "text": "QXFSR"},
        headers=h,
    )
    assert r.json()["action"] == "optout"
    r = worker.post(
        "/v1/screen/sms",
        json={"sender": "not-a-number", "recipient": "10086", "text": "KTFSR"},
        headers=h,
    )
    assert r.status_code == 422 and "sender" in r.text
    r = worker.post(
        "/v1/screen/sms",
        json={"sender": "13900000000", "recipient": "10086", "text": "KTFSR"},
        headers=_auth(tokens["ann"]),
    )
    assert r.status_code == 403
    with db.session(readonly=True) as s:
        actions = [e.action for e in list_entries(s) if e.entity_id == "+8613900000000"]
    assert actions.count("screening.optin") == 1 and actions.count("screening.optout") == 1


def test_opted_in_subscriber_is_protected_after_refresh(db, tokens, lists_file, tmp_path):
    r = CliRunner().invoke(
        cli, ["subscribers", "optin", "13900000000", "--as", "ann", "--db", db.url, "--json"]
    )
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["opted_in"] is True
    cfg = ScreenConfig(database_url=db.url, lists=lists_file)
    with serving(create_worker_app(cfg)) as c:
        h = _auth(tokens["pos"])
        for i in range(6):
            d = c.post(
                "/v1/screen",
                json={
                    "caller": "13500000001",
                    "callee": "13900000000",
                    "at": f"2026-03-02T10:{i * 5:02d}:00",
                },
                headers=h,
            ).json()
            c.post(
                "/v1/screen/ended",
                json={
                    "caller": "13500000001",
                    "callee": "13900000000",
                    "at": f"2026-03-02T10:{i * 5:02d}:30",
                    "duration_s": 0,
                },
                headers=h,
            )
        assert (d["action"], d["sip_code"], d["rule"]) == ("block", 607, "repeat_callee")


def test_subscribers_commands_refuse_bad_input(db, tokens):
    run = CliRunner().invoke
    r = run(cli, ["subscribers", "optin", "12ab", "--as", "ann", "--db", db.url])
    assert r.exit_code == 2 and "msisdn" in r.output
    r = run(cli, ["subscribers", "optin", "13900000000", "--as", "nobody", "--db", db.url])
    assert r.exit_code == 2 and "nobody" in r.output
    r = run(
        cli, ["subscribers", "sms", "13900000000", "10086", "KTFSR", "--as", "ann", "--db", db.url]
    )
    assert r.exit_code == 2  # only the SMS gateway's system account feeds keyword SMS
    r = run(
        cli,
        [
            "subscribers",
            "sms",
            "13900000000",
            "10086",
            "KTFSR",
            "--as",
            "pos",
            "--db",
            db.url,
            "--json",
        ],
    )
    assert r.exit_code == 0 and json.loads(r.stdout)["action"] == "optin"
    r = run(cli, ["subscribers", "show", "13900000000", "--db", db.url, "--json"])
    assert json.loads(r.stdout)["channel"] == "sms"
    r = run(cli, ["subscribers", "show", "13900000009", "--db", db.url])
    assert r.exit_code == 2 and "no screening settings" in r.output


def test_main_service_serves_screen_too(db, tokens, lists_file, monkeypatch):
    monkeypatch.setenv("FRAUDWALL_SCREEN_LISTS", str(lists_file))
    with serving(create_app(Settings(database_url=db.url))) as c:
        body = {"caller": BAD, "callee": "13900000000"}
        assert c.post("/v1/screen", json=body).status_code == 401
        r = c.post("/v1/screen", json=body, headers=_auth(tokens["pos"]))
        assert r.status_code == 200 and r.json()["sip_code"] == 603


def test_screen_check_command(lists_file, tmp_path, db):
    run = CliRunner().invoke
    r = run(
        cli,
        [
            "screen",
            "check",
            BAD,
            "13900000000",
            "--lists",
            str(lists_file),
            "--json",
            "--db",
            db.url,
        ],
    )
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["rule"] == "blacklist"
    bad = tmp_path / "bad.csv"
    bad.write_text("kind,value\nmsisdn,\n", "utf-8")
    r = run(cli, ["screen", "check", BAD, "1", "--lists", str(bad), "--db", db.url])
    assert r.exit_code == 2 and "row 2" in r.output and "value" in r.output
    r = run(cli, ["screen", "check", BAD, "1", "--at", "soon", "--db", db.url])
    assert r.exit_code == 2 and "--at" in r.output
