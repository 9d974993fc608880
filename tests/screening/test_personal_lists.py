"""A subscriber's personal block and allow lists: the command, the API route, the worker."""

import json

import pytest
from conftest import auth as _auth
from tests_screening_serve import serving
from typer.testing import CliRunner

from fraudwall.api import create_app
from fraudwall.api.settings import Settings
from fraudwall.audit import list_entries
from fraudwall.auth import Role, UserCreate, add_user
from fraudwall.auth.tokens import create_token
from fraudwall.cli import app as cli
from fraudwall.screening.app import create_worker_app
from fraudwall.screening.service import ScreenConfig

SUB, PEST, FRIEND = "13900000000", "13500000005", "13500000006"


def _lists(db_url, *args):
    r = CliRunner().invoke(
        cli, ["subscribers", "lists", SUB, *args, "--as", "ann", "--db", db_url, "--json"]
    )
    return r


def _audits(db):
    with db.session(readonly=True) as s:
        return [e for e in list_entries(s) if e.action == "screening.lists"]


def test_command_blocks_allows_moves_and_is_idempotent(db, tokens):
    r = _lists(db.url, "--block", PEST, "--allow", FRIEND)
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert (out["blocked"], out["allowed"]) == (["+86" + PEST], ["+86" + FRIEND])
    assert out["channel"] == "cli" and out["updated_by"] == "ann"
    assert _lists(db.url, "--block", PEST).exit_code == 0  # again: nothing changes
    assert len(_audits(db)) == 1
    out = json.loads(_lists(db.url, "--block", FRIEND).stdout)  # moves off the allow list
    assert (out["blocked"], out["allowed"]) == (["+86" + PEST, "+86" + FRIEND], [])
    out = json.loads(_lists(db.url, "--unblock", PEST, "--unblock", FRIEND).stdout)
    assert out["blocked"] == []
    entries = _audits(db)
    assert len(entries) == 3
    removed = [e.detail["blocked_removed"] for e in entries]
    assert ["+86" + PEST, "+86" + FRIEND] in removed


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--block", "12ab"], "block[0]"),
        (["--allow", PEST, "--allow", "x"], "allow[1]"),
        ([], "nothing to change"),
        (["--block", PEST, "--allow", PEST], "both in block and in allow"),
        (["--block", SUB], "own number"),
    ],
)
def test_command_refuses_bad_input_and_writes_nothing(db, tokens, args, says):
    r = _lists(db.url, *args)
    assert r.exit_code == 2 and says in r.output, r.output
    assert _audits(db) == []
    r = CliRunner().invoke(cli, ["subscribers", "show", SUB, "--db", db.url])
    assert "no screening settings" in r.output


def test_command_refuses_unknown_and_unauthorised_users(db, tokens):
    with db.session() as s:
        add_user(s, data=UserCreate(name="aud", role=Role.auditor), actor="boss")
    for who in ("nobody", "aud"):
        r = CliRunner().invoke(
            cli, ["subscribers", "lists", SUB, "--block", PEST, "--as", who, "--db", db.url]
        )
        assert r.exit_code == 2 and who in r.output
    assert _audits(db) == []


def test_api_edits_lists_masks_for_system_and_refuses_others(db, tokens):
    with db.session() as s:
        add_user(s, data=UserCreate(name="aud", role=Role.auditor), actor="boss")
        aud = create_token(s, user="aud", actor="boss").token
    url = f"/v1/subscribers/{SUB}/lists"
    with serving(create_app(Settings(database_url=db.url))) as c:
        assert c.patch(url, json={"block": [PEST]}).status_code == 401
        r = c.patch(url, json={"block": [PEST]}, headers=_auth(aud))
        assert r.status_code == 403 and "screening.lists" in r.text
        r = c.patch(url, json={"block": [PEST], "mute": [1]}, headers=_auth(tokens["ann"]))
        assert r.status_code == 422 and r.json()["field"] == "body.mute"
        r = c.patch(url, json={"allow": ["nope"]}, headers=_auth(tokens["ann"]))
        assert r.status_code == 422 and r.json()["field"] == "allow[0]"
        r = c.patch(url, json={"block": [str(i) * 4 for i in range(201)]},
                    headers=_auth(tokens["ann"]))  # fmt: skip
        assert r.status_code == 422 and r.json()["field"] == "body.block"
        assert _audits(db) == []
        r = c.patch(url, json={"block": [PEST]}, headers=_auth(tokens["ann"]))
        assert r.status_code == 200 and r.json()["blocked"] == ["+86" + PEST]
        r = c.patch(url, json={"allow": [FRIEND]}, headers=_auth(tokens["pos"]))
        body = r.json()
        assert r.status_code == 200 and body["channel"] == "api"
        assert body["blocked"] == ["+86135****0005"] and body["msisdn"] == "+86139****0000"
    entries = _audits(db)
    assert sorted(e.actor for e in entries) == ["ann", "pos"]


def test_worker_applies_the_lists(db, tokens):
    assert _lists(db.url, "--block", PEST, "--allow", FRIEND).exit_code == 0
    with serving(create_worker_app(ScreenConfig(database_url=db.url))) as c:
        h = _auth(tokens["pos"])
        d = c.post("/v1/screen", json={"caller": PEST, "callee": SUB}, headers=h).json()
        assert (d["action"], d["sip_code"], d["rule"]) == ("block", 607, "personal_block")
        d = c.post("/v1/screen", json={"caller": FRIEND, "callee": SUB}, headers=h).json()
        assert (d["action"], d["rule"]) == ("allow", "personal_allow")
        d = c.post("/v1/screen", json={"caller": PEST, "callee": "13900000001"}, headers=h)
        assert d.json()["action"] == "allow"  # another subscriber's lists do not apply
