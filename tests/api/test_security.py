"""Every endpoint refuses the unauthenticated and the wrong roles, and nothing changes.

The matrix is built from the app's own routes (:func:`served_routes`): a route that is not in
``ALLOWED`` fails the test, so a new endpoint cannot escape it.
"""

from __future__ import annotations

import concurrent.futures as cf
import json
from typing import Any

import pytest
from sqlalchemy import func, select

from fraudwall.api.app import served_routes
from fraudwall.db.models import metadata

A, S, L, AU, SY = "ann", "boss", "lee", "aud", "pos"
EVERYONE = {A, S, L, AU, SY}
OPEN = {"/health", "/docs", "/docs/oauth2-redirect", "/openapi.json"}

#: (method, path) -> the users (one per role) that may call it.
ALLOWED: dict[tuple[str, str], set[str]] = {
    ("GET", "/v1/audit"): {S, AU},
    ("GET", "/v1/batches"): EVERYONE,
    ("GET", "/v1/batches/{number}"): {A, S, AU, SY},  # the liaison: not its unit's batch
    ("GET", "/v1/batches/{number}/leads"): {A, S, AU, SY},
    ("POST", "/v1/batches"): {A, S},
    ("POST", "/v1/batches/{number}/approve"): {S},
    ("POST", "/v1/batches/{number}/export"): {S},  # and its unit's liaison
    ("POST", "/v1/batches/{number}/deliver"): {S},  # and its unit's liaison
    ("GET", "/v1/cases"): {A, S, AU, SY},
    ("POST", "/v1/cases/import"): {A, S, SY},
    ("GET", "/v1/cases/{case_id}"): {A, S, AU, SY},
    ("POST", "/v1/cases/{case_id}/state"): {A, S},
    ("POST", "/v1/cases/{case_id}/assign"): {A, S},
    ("POST", "/v1/cases/{case_id}/comments"): {A, S},
    ("POST", "/v1/check/registration"): {A, S, SY},
    ("POST", "/v1/lists/from-cases"): {A, S},
    ("GET", "/v1/lists"): {A, S, AU, SY},
    ("GET", "/v1/lists/{list_name}"): {A, S, AU, SY},
    ("POST", "/v1/lists/{list_name}"): {A, S},
    ("POST", "/v1/lists/{list_name}/entries/{entry_id}/remove"): {S},
    ("GET", "/v1/lists/{list_name}/export"): {A, S, AU, SY},
    ("GET", "/v1/trace/{entity}"): {A, S},
    ("GET", "/v1/rings"): {A, S},
    ("GET", "/v1/dens"): {A, S},
    ("POST", "/v1/lookalike"): {A, S},
    ("GET", "/v1/users"): {S, AU},
    ("POST", "/v1/users"): {S},
    ("POST", "/v1/users/{name}/deactivate"): {S},
    ("GET", "/v1/actions"): {A, S, AU, SY},
    ("GET", "/v1/actions/overdue"): {A, S, AU, SY},
    ("POST", "/v1/actions"): {A, S, SY},
    ("POST", "/v1/actions/auto-path"): {S},
    ("POST", "/v1/actions/dispatch"): {S, L, SY},
    ("POST", "/v1/actions/acks"): {S, SY},
    ("POST", "/v1/actions/{action_id}/approve"): {S},
    ("POST", "/v1/actions/{action_id}/reject"): {S},
    ("POST", "/v1/actions/{action_id}/callback"): {A, S},
    ("GET", "/v1/appeals"): {A, S, AU},
    ("POST", "/v1/appeals"): {A, S},
    ("POST", "/v1/appeals/{appeal_id}/reverify"): {A, S},
    ("POST", "/v1/appeals/{appeal_id}/decide"): {S},
    ("POST", "/v1/feedback"): {L},
    ("GET", "/v1/feedback/labels"): {A, S, AU, SY},
    ("GET", "/v1/stats/precision"): {A, S, AU},
    ("POST", "/v1/share/export"): {S},
    ("POST", "/v1/share/import"): {S},
    ("GET", "/v1/tokens"): EVERYONE,  # each sees its own
    ("POST", "/v1/tokens"): {S},  # (a token for another user)
    ("POST", "/v1/tokens/{token_id}/revoke"): {S},  # (another user's token)
    # Routes of other domains, in the same matrix.
    ("POST", "/v1/screen"): {SY},
    ("POST", "/v1/screen/ended"): {SY},
    ("POST", "/v1/screen/sms"): {SY},
    ("PATCH", "/v1/subscribers/{msisdn}/lists"): {A, S, SY},
}
PARAMS = {
    "entity": "1",
    "number": "1",
    "case_id": "1",
    "list_name": "numbers",
    "entry_id": "1",
    "action_id": "1",
    "token_id": "1",
    "appeal_id": "1",
    "name": "ann",
    "msisdn": "13900000001",
}
BODIES: dict[str, Any] = {
    "/v1/batches": {"level": None, "case_ids": [1]},
    "/v1/cases/{case_id}/state": {"state": "confirmed", "reason": "x"},
    "/v1/cases/{case_id}/assign": {"assignee": "ann"},
    "/v1/cases/{case_id}/comments": {"text": "note"},
    "/v1/check/registration": {"holder_id_hash": "h1"},
    "/v1/lists/from-cases": {"case_ids": [1]},
    "/v1/lists/{list_name}": {"value": "13812345678"},
    "/v1/lists/{list_name}/entries/{entry_id}/remove": {"reason": "x"},
    "/v1/users": {"name": "newbie", "role": "analyst"},
    "/v1/actions": {"case_id": 1, "type": "warn_sms"},
    "/v1/tokens": {"user": "boss"},
    "/v1/actions/auto-path": {"enabled": False},
    "/v1/actions/{action_id}/reject": {"reason": "x"},
    "/v1/actions/{action_id}/callback": {"outcome": "reached"},
    "/v1/appeals": {"case_id": 1, "reason": "x"},
    "/v1/appeals/{appeal_id}/reverify": {"passed": True},
    "/v1/appeals/{appeal_id}/decide": {"restore": True},
    "/v1/feedback": [{"batch": 1}],
    "/v1/cases/import": {"run": "r1"},
    "/v1/lookalike": {"seeds": ["13800000001"]},
    "/v1/actions/acks": [{"command_id": "x", "status": "done"}],
    "/v1/screen": {"caller": "13800000001", "callee": "13900000001"},
    "/v1/screen/ended": {"caller": "13800000001", "callee": "13900000001", "duration_s": 3},
    "/v1/screen/sms": {"sender": "13800000001", "recipient": "10086", "text": "hi"},
    "/v1/subscribers/{msisdn}/lists": {"block": ["13800000001"]},
}


def _state(db) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Row counts of every table and a digest of the mutable ones: "nothing changed"."""
    out: dict[str, int] = {}
    with db.session(readonly=True) as s:
        for name, table in metadata.tables.items():
            out[name] = int(s.scalar(select(func.count()).select_from(table)) or 0)
        rows = s.execute(select(metadata.tables["batches"])).all()
        rows += s.execute(select(metadata.tables["cases"])).all()
        rows += s.execute(select(metadata.tables["users"])).all()
        out["digest"] = hash(json.dumps([list(map(str, r)) for r in rows]))
    return out


def _call(client, method: str, path: str):  # type: ignore[no-untyped-def]
    url = path.format(**PARAMS)
    body = BODIES.get(path)
    return client.request(method, url, json=body if method in ("POST", "PATCH") else None)


def test_every_route_is_in_the_matrix(service) -> None:
    from fraudwall.api import create_app
    from fraudwall.api.settings import Settings

    app = create_app(Settings(database_url=service.db.url))
    try:
        routes = set(served_routes(app))
    finally:
        app.state.db.dispose()
    protected = {r for r in routes if r[1] not in OPEN}
    assert protected - set(ALLOWED) == set(), "add new routes to ALLOWED"
    assert set(ALLOWED) - protected == set()


@pytest.mark.parametrize("credential", [None, "garbage", "expired", "revoked", "fw_" + "x" * 43])
def test_no_valid_token_is_401_everywhere_and_nothing_changes(service, credential) -> None:
    before = _state(service.db)
    headers = {}
    if credential is not None:
        secret = service.tokens.get(credential, credential)
        headers = {"Authorization": f"Bearer {secret}"}
    with service.client() as c:
        for method, path in ALLOWED:
            r = c.request(
                method,
                path.format(**PARAMS),
                json=BODIES.get(path) if method == "POST" else None,
                headers=headers,
            )
            assert r.status_code == 401, (method, path, r.status_code, r.text)
            assert r.headers.get("www-authenticate") == "Bearer"
    assert _state(service.db) == before


def test_each_wrong_role_is_refused_and_nothing_changes(service) -> None:
    before = _state(service.db)
    for who in EVERYONE:
        with service.client(who) as c:
            for (method, path), allowed in ALLOWED.items():
                if who in allowed:
                    continue
                r = _call(c, method, path)
                expected = {403, 404} if who == L and "{number}" in path else {403}
                assert r.status_code in expected, (who, method, path, r.status_code, r.text)
                assert r.json()["error"] in {"PermissionDenied", "NotFound"}
    assert _state(service.db) == before


def test_open_endpoints_need_no_token(service) -> None:
    with service.client() as c:
        assert c.get("/health").json()["status"] == "ok"
        assert c.get("/docs").status_code == 200
        spec = c.get("/openapi.json").json()
        assert "/v1/check/registration" in spec["paths"]


def test_a_liaison_sees_only_its_units_batches(service) -> None:
    from fraudwall.cases.models import Batch, Case

    with service.db.session() as s:
        s.add(
            Case(
                entity_type="msisdn", entity_id="+8613900000002", scenario="fraud_caller",
                score=0.9, risk_level="high", detectors="outbound_burst", reasons="r",
                evidence="{}", evidence_hash="e2", run_id="r1",
            )
        )  # fmt: skip
    with service.client("ann") as c:
        r = c.post("/v1/batches", json={"level": None, "case_ids": [2], "unit": "unit-b"})
        assert r.status_code == 201 and r.json()["unit"] == "unit-b", r.text
        for bad in ["", "   ", "x" * 129, "a\nb"]:
            r = c.post("/v1/batches", json={"level": None, "case_ids": [2], "unit": bad})
            assert r.status_code == 422 and r.json()["field"] in {"unit", "body.unit"}, r.text
    with service.db.session() as s:
        s.scalars(select(Batch).where(Batch.number == 1)).one().unit = "unit-a"
    with service.client("lee") as c:
        assert [b["number"] for b in c.get("/v1/batches").json()] == [1]
        assert c.get("/v1/batches/1").status_code == 200
        leads = c.get("/v1/batches/1/leads").json()
        assert leads[0]["entity_id"] == "+8613812345678"  # its unit's batch, in clear
        for n in range(2, 30):  # guessing other numbers reveals nothing
            assert c.get(f"/v1/batches/{n}").status_code == 404
            assert c.get(f"/v1/batches/{n}/leads").status_code == 404
        assert c.get("/v1/cases").status_code == 403
        assert c.get("/v1/cases/1").status_code == 403
    with service.client("lee-b") as c:  # a liaison of another unit
        assert [b["number"] for b in c.get("/v1/batches").json()] == [2]
        r = c.get("/v1/batches/1")
        assert r.status_code == 404 and r.json()["detail"] == "no batch 1"
        assert c.get("/v1/batches/1/leads").status_code == 404
        assert c.get("/v1/batches/2/leads").json()[0]["entity_id"] == "+8613900000002"
    with service.client("aud") as c:
        audit = c.get("/v1/audit", params={"entity_type": "batch"}).json()
    assert any(a["action"] == "view.unmasked" and a["actor"] == "lee" for a in audit)


def test_identifiers_are_masked_unless_asked_by_a_role_that_may(service) -> None:
    with service.client("aud") as c:
        case = c.get("/v1/cases/1").json()
        assert case["entity_id"] == "+86138****5678"
        assert c.get("/v1/cases/1", params={"unmasked": True}).status_code == 403
        assert "5678" in c.get("/v1/batches/1/leads").json()[0]["entity_id"]
        assert c.get("/v1/batches/1/leads").json()[0]["entity_id"] != "+8613812345678"
    with service.client("ann") as c:
        assert c.get("/v1/cases/1", params={"unmasked": True}).json()["entity_id"] == (
            "+8613812345678"
        )
    with service.client("aud") as c:
        views = [a for a in c.get("/v1/audit").json() if a["action"] == "view.unmasked"]
    assert [(v["actor"], v["entity_type"]) for v in views] == [("ann", "case")]


INJECTIONS = ["' OR '1'='1", "1; DROP TABLE cases; --", '" OR 1=1 --', "%27%20OR%201=1"]


@pytest.mark.parametrize("text", INJECTIONS)
def test_sql_injection_strings_are_harmless(service, text) -> None:
    before = _state(service.db)
    with service.client("ann") as c:
        assert c.get("/v1/cases", params={"scenario": text}).json() == []
        assert c.get("/v1/cases", params={"assignee": text}).json() == []
        r = c.post("/v1/lists/numbers", json={"value": text})
        assert r.status_code == 422 and r.json()["field"] == "value"
        r = c.post("/v1/check/registration", json={"holder_id_hash": text})
        assert r.status_code == 422
        assert c.get(f"/v1/lists/{text}").status_code in {404, 422}
    with service.client("aud") as c:
        assert c.get("/v1/audit", params={"actor": text}).json() == []
    assert _state(service.db) == before


@pytest.mark.parametrize(
    "path",
    [
        "/v1/lists/..%2F..%2Fetc%2Fpasswd",
        "/v1/lists/../../etc/passwd",
        "/v1/batches/..%2F1",
        "/v1/lists/numbers/export?format=../../x",
    ],
)
def test_path_traversal_is_refused(service, path) -> None:
    with service.client("boss") as c:
        r = c.get(path)
    assert r.status_code in {404, 422}, (path, r.status_code)


def test_oversized_and_malformed_bodies_are_refused(service) -> None:
    before = _state(service.db)
    with service.client("boss") as c:
        big = c.post(
            "/v1/lists/numbers",
            content=b'{"value": "' + b"1" * 100_000 + b'"}',
            headers={"content-type": "application/json"},
        )
        assert big.status_code == 413

        def chunks():  # type: ignore[no-untyped-def]
            for _ in range(100):
                yield b"x" * 4096

        chunked = c.post(
            "/v1/lists/numbers", content=chunks(), headers={"content-type": "application/json"}
        )
        assert chunked.status_code == 413
        for body in [
            b"{",
            b"[1,2",
            b"null",
            b'"x"',
            b"\xff\xfe",
            b'{"value": 5}',
            b'{"value": "13812345678", "extra": 1}',
        ]:
            r = c.post(
                "/v1/lists/numbers", content=body, headers={"content-type": "application/json"}
            )
            assert r.status_code == 422, (body, r.status_code, r.text)
        r = c.post(
            "/v1/check/registration", content=b"{}", headers={"content-type": "application/json"}
        )
        assert r.status_code == 422
        long_holder = {"holder_id_hash": "h" * 5000}
        assert c.post("/v1/check/registration", json=long_holder).status_code == 422
    assert _state(service.db) == before


def test_concurrent_approvals_over_http_leave_exactly_one_winner(service) -> None:
    def approve(who: str) -> int:
        with service.client(who) as c:
            return c.post("/v1/batches/1/approve").status_code

    with cf.ThreadPoolExecutor(len(SUPERVISORS_ALL)) as pool:
        codes = list(pool.map(approve, SUPERVISORS_ALL))
    assert codes.count(200) == 1, codes
    assert codes.count(409) == len(codes) - 1, codes
    with service.client("aud") as c:
        batch = c.get("/v1/batches/1").json()
        approvals = [a for a in c.get("/v1/audit").json() if a["action"] == "batch.approve"]
    assert batch["state"] == "approved" and len(approvals) == 1
    assert approvals[0]["actor"] == batch["approved_by"]


SUPERVISORS_ALL = ["boss", *[f"sup{i}" for i in range(8)]]


def test_the_proposer_cannot_approve_and_a_deactivated_users_token_stops(service) -> None:
    with service.client("boss") as c:
        r = c.post("/v1/users/ann/deactivate")
        assert r.status_code == 200
    with service.client("ann") as c:
        assert c.get("/v1/lists").status_code == 401
