"""The calls the CLI makes, over HTTP: lists, the registration check, cases, batches, actions,
feedback and appeals, each through the same service functions."""

from __future__ import annotations


def test_lists_and_the_registration_check_over_http(service) -> None:
    with service.client("ann") as c:
        r = c.post("/v1/lists/holders", json={"value": "hbad", "reason_code": "id_many_cards"})
        assert r.status_code == 201 and r.json()["added_by"] == "ann"
        entry = r.json()["id"]
    with service.client("pos") as c:
        r = c.post("/v1/check/registration", json={"holder_id_hash": "hbad", "imei": None})
        body = r.json()
        assert r.status_code == 200 and body["decision"] == "deny"
        assert "holder_listed" in [x["code"] for x in body["reasons"]]
        ok = c.post("/v1/check/registration", json={"holder_id_hash": "hgood"}).json()
        # No workspace configured in this service: cards cannot be counted.
        assert ok["decision"] == "review" and ok["reasons"][0]["code"] == "cards_unknown"
        assert c.post("/v1/lists/holders", json={"value": "x"}).status_code == 403
    with service.client("boss") as c:
        r = c.post(f"/v1/lists/holders/entries/{entry}/remove", json={"reason": "cleared"})
        assert r.status_code == 200 and r.json()["active"] is False
        csv = c.get("/v1/lists/holders/export", params={"format": "csv"})
        assert csv.status_code == 200 and csv.text.startswith("id,")
    with service.client("pos") as c:
        after = c.post("/v1/check/registration", json={"holder_id_hash": "hbad"}).json()
        assert "holder_listed" not in [x["code"] for x in after["reasons"]]


def test_case_batch_feedback_action_appeal_over_http(service) -> None:
    with service.client("ann") as c:
        assert c.post("/v1/cases/1/state", json={"state": "under_review"}).status_code == 200
        assert c.post("/v1/cases/1/comments", json={"text": "looks real"}).status_code == 201
        assert c.post("/v1/cases/1/state", json={"state": "confirmed"}).json()["state"] == (
            "confirmed"
        )
        r = c.post("/v1/lists/from-cases", json={"case_ids": [1]})
        assert r.status_code == 201 and r.json()[0]["case_id"] == 1
        assert c.post("/v1/batches/1/approve").status_code == 403  # an analyst
    with service.client("boss") as c:
        assert c.post("/v1/batches/1/approve").status_code == 200
    with service.client("lee") as c:
        csv = "batch,entity_type,entity_id,outcome,case_ref,dens_found,devices_seized,note\n"
        csv += "1,msisdn,+8613812345678,confirmed_fraud,J-1,1,3,\n"
        bad = c.post(
            "/v1/feedback", content=b"batch,entity_type\n1\n", headers={"content-type": "text/csv"}
        )
        assert bad.status_code == 422
        r = c.post("/v1/feedback", content=csv.encode(), headers={"content-type": "text/csv"})
        assert r.status_code == 200, r.text
    with service.client("ann") as c:
        r = c.post("/v1/actions", json={"case_id": 1, "type": "shutdown"})
        assert r.status_code == 201, r.text
        action = r.json()
    with service.client("boss") as c:
        if action["state"] == "requested":
            assert c.post(f"/v1/actions/{action['id']}/approve").status_code == 200
        assert c.post("/v1/actions/auto-path", json={"enabled": False}).json()["enabled"] is False
        assert c.get("/v1/actions").json()[0]["case_id"] == 1
    with service.client("ann") as c:
        appeal = c.post("/v1/appeals", json={"case_id": 1, "reason": "not me"}).json()
        assert (
            c.post(f"/v1/appeals/{appeal['id']}/reverify", json={"passed": True}).status_code == 200
        )
        assert (
            c.post(f"/v1/appeals/{appeal['id']}/decide", json={"restore": True}).status_code == 403
        )
    with service.client("boss") as c:
        r = c.post(f"/v1/appeals/{appeal['id']}/decide", json={"restore": True})
        assert r.status_code == 200 and r.json()["state"] == "restored"
    with service.client("aud") as c:
        assert c.get("/v1/stats/precision").status_code == 200
        entries = c.get("/v1/audit", params={"limit": 10000}).json()
        actions = {a["action"] for a in entries}
        approve = next(a for a in entries if a["action"] == "batch.approve")
        assert approve["via"] == "api:POST /v1/batches/1/approve"
    assert {"batch.approve", "appeal.restored", "lists.add", "cases.confirmed"} <= actions


def test_share_export_and_import_over_http(service, tmp_path, seed_db) -> None:
    from fraudwall.lists.keys import KeyStore

    ours = KeyStore(service.keys_dir)
    ours.init(operator="cq-telecom")
    theirs = KeyStore(tmp_path / "their-keys")
    theirs.init(operator="cq-unicom")
    agreed = ours.set_partner("cq-unicom", public_key=theirs.public_key_hex()).hmac_key
    theirs.set_partner("cq-telecom", hmac_key=agreed, public_key=ours.public_key_hex())
    # The partner's file for us, made with the partner's own export.
    from fraudwall.db import Database, upgrade
    from fraudwall.lists import service as lists
    from fraudwall.lists.models import EntryCreate
    from fraudwall.lists.sharing import export_share

    url = f"sqlite:///{tmp_path / 'them.db'}"
    upgrade(url)
    them = Database(url)
    seed_db(them)
    with them.session() as s:
        lists.add_entry(s, list_name="numbers", data=EntryCreate(value="13912345678"), actor="ann")
        export_share(
            s,
            keys=theirs,
            list_name="numbers",
            partner="cq-telecom",
            out=tmp_path / "for-us.json",
            actor="boss",
        )
    them.dispose()
    with service.client("boss") as c:
        r = c.post("/v1/share/export", params={"list": "numbers", "partner": "cq-unicom"})
        assert r.status_code == 200 and r.json()["manifest"]["to"] == "cq-unicom"
        assert (
            c.post("/v1/share/export", params={"list": "numbers", "partner": "../x"}).status_code
            == 422
        )
        data = (tmp_path / "for-us.json").read_bytes()
        bad = data.replace(b'"reason_code": "other"', b'"reason_code": "fraud_caller"')
        r = c.post("/v1/share/import", params={"partner": "cq-unicom"}, content=bad)
        assert r.status_code == 422 and "altered" in r.json()["detail"]
        assert (
            c.post("/v1/share/import", params={"partner": "nobody"}, content=data).status_code
            == 404
        )
        r = c.post("/v1/share/import", params={"partner": "cq-unicom"}, content=data)
        assert r.status_code == 200 and r.json()["added"] == 1
    with service.client("pos") as c:
        listed = c.get("/v1/lists/numbers", params={"source": "partner"}).json()
        assert listed[0]["partner"] == "cq-unicom" and listed[0]["is_token"]


def test_tokens_over_http(service) -> None:
    with service.client("ann") as c:
        r = c.post("/v1/tokens", json={"user": "ann", "expires": "1d", "label": "laptop"})
        assert r.status_code == 201
        new = r.json()
        assert new["token"].startswith("fw_") and new["expires_at"]
        mine = c.get("/v1/tokens").json()
        assert {t["user"] for t in mine} == {"ann"} and all("token" not in t for t in mine)
        assert c.post("/v1/tokens", json={"user": "ann", "expires": "soon"}).status_code == 422
    headers = {"Authorization": f"Bearer {new['token']}"}
    with service.client() as c:
        assert c.get("/v1/lists", headers=headers).status_code == 200
        assert c.post(f"/v1/tokens/{new['id']}/revoke", headers=headers).status_code == 200
        assert c.get("/v1/lists", headers=headers).status_code == 401


def test_concurrent_first_checks_build_one_snapshot(service) -> None:
    """The first checks arrive together (a point of sale opening); they must share one snapshot
    cache, not build one each (each with its own refresh thread and copy of the card counts)."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    def refreshers() -> set[threading.Thread]:
        return {t for t in threading.enumerate() if t.name == "check-snapshot" and t.is_alive()}

    before = refreshers()
    barrier = threading.Barrier(16)

    def check(i: int) -> int:
        with service.client("pos") as c:
            barrier.wait()
            return c.post("/v1/check/registration", json={"holder_id_hash": f"h{i}"}).status_code

    with ThreadPoolExecutor(16) as pool:
        assert list(pool.map(check, range(16))) == [200] * 16
    assert len(refreshers() - before) == 1
