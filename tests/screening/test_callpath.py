"""The worker's short call path answers only what the app would answer 200 to, the same way;
every refusal still comes from the app, with its usual status and body."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import auth
from tests_screening_serve import serving

from fraudwall.db import Database
from fraudwall.screening.app import create_worker_app
from fraudwall.screening.callpath import MAX_FAST_BODY
from fraudwall.screening.service import ScreenConfig

CALL = {"caller": "13800000000", "callee": "13900000000", "call_id": "c-1"}


@pytest.fixture
def worker(db: Database, tmp_path: Path) -> Iterator[tuple[Any, Any]]:
    lists = tmp_path / "lists.csv"
    lists.write_text("kind,value,list\nmsisdn,+8613800000000,police\n", "utf-8")
    app = create_worker_app(ScreenConfig(database_url=db.url, lists=lists))
    with serving(app, worker=True) as client:
        yield app, client


def test_a_recently_verified_system_token_takes_the_short_path_with_the_same_answer(
    worker, tokens
) -> None:
    app, c = worker
    first = c.post("/v1/screen", json=CALL, headers=auth(tokens["pos"]))
    assert first.status_code == 200 and app.answered == 0  # token not yet verified: the app
    second = c.post("/v1/screen", json=CALL, headers=auth(tokens["pos"]))
    assert second.status_code == 200 and app.answered == 1
    assert second.json() == first.json()
    assert (second.json()["action"], second.json()["sip_code"]) == ("block", 603)
    assert second.headers["content-type"] == "application/json"
    ended = {"caller": "13500000000", "callee": "13900000000", "duration_s": 0}
    r = c.post("/v1/screen/ended", json=ended, headers=auth(tokens["pos"]))
    assert r.status_code == 200 and r.json() == {"ok": True} and app.answered == 2


@pytest.mark.parametrize(
    ("headers", "body", "status", "field"),
    [
        ({}, CALL, 401, None),
        ({"Authorization": "Basic cG9zOnBvcw=="}, CALL, 401, None),
        ("ann", CALL, 403, None),
        ("pos", {"caller": "13800000000"}, 422, "body.callee"),
        ("pos", {**CALL, "extra": 1}, 422, "body.extra"),
        ("pos", {**CALL, "call_id": "x" * (MAX_FAST_BODY + 10)}, 422, "body.call_id"),
    ],
)
def test_refusals_come_from_the_app(worker, tokens, headers, body, status, field) -> None:
    app, c = worker
    assert c.post("/v1/screen", json=CALL, headers=auth(tokens["pos"])).status_code == 200
    if isinstance(headers, str):
        headers = auth(tokens[headers])
    answered = app.answered
    r = c.post("/v1/screen", json=body, headers=headers)
    assert r.status_code == status, r.text
    assert r.json()["field"] == field and app.answered == answered
    if status == 401:
        assert r.headers["www-authenticate"] == "Bearer"


def test_malformed_json_and_other_methods_go_to_the_app(worker, tokens) -> None:
    app, c = worker
    h = auth(tokens["pos"])
    assert c.post("/v1/screen", json=CALL, headers=h).status_code == 200
    h_json = {**h, "content-type": "application/json"}
    r = c.post("/v1/screen", content=b"{not json", headers=h_json)
    assert r.status_code == 422 and r.json()["error"] == "InputError"
    assert c.get("/v1/screen", headers=h).status_code == 405
    assert c.get("/health").status_code == 200
    assert app.answered == 0
