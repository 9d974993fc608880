"""The CLI's remaining case-database calls over HTTP: cases import, batch export and delivery
(a liaison: its unit's batches only), the labels table, action dispatch and acknowledgements.
Each goes through the same service function as the CLI, to server-configured folders only."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pandas as pd
import pytest

from fraudwall.api import create_app
from fraudwall.api.settings import Settings

from .conftest import running, seed


def _lead(number: str, score: float) -> dict[str, object]:
    return {
        "entity_type": "msisdn",
        "entity_id": number,
        "scenario": "fraud_caller",
        "detector": "callee_fanout",
        "signal": "callee_fanout",
        "score": score,
        "risk_level": "high",
        "reasons": f"callee_fanout flagged {number}",
        "evidence": json.dumps({"features": {"score": score}}),
        "first_seen": pd.Timestamp("2026-03-02 09:00"),
        "last_seen": pd.Timestamp("2026-03-02 18:00"),
        "run_id": "run-api",
        "policy_version": "default-1",
    }


class Api:
    def __init__(self, url: str, tokens: dict[str, str], root: Path) -> None:
        self.url, self.tokens, self.root = url, tokens, root

    def __call__(self, who: str) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)


@pytest.fixture
def api(db, tmp_path: Path) -> Iterator[Api]:
    tokens = seed(db)
    run = tmp_path / "runs" / "run-api"
    run.mkdir(parents=True)
    leads = [_lead("+8613811110001", 0.95), _lead("+8613811110002", 0.9)]
    pd.DataFrame(leads).to_parquet(run / "leads.parquet", index=False)
    (run / "manifest.json").write_text(json.dumps({"timezone": "Asia/Shanghai"}))
    settings = Settings(
        database_url=db.url,
        runs_dir=tmp_path / "runs",
        export_dir=tmp_path / "exports",
        batch_outbox=tmp_path / "outbox",
        provisioning_outbox=tmp_path / "provisioning" / "commands.jsonl",
    )
    app = create_app(settings)
    try:
        with running(app) as url:
            yield Api(url, tokens, tmp_path)
    finally:
        app.state.db.dispose()


def _audit(api: Api, action: str) -> list[dict[str, object]]:
    with api("aud") as c:
        entries = c.get("/v1/audit", params={"limit": 10000}).json()
    return [a for a in entries if a["action"] == action]


def test_cases_import_names_a_run_and_never_a_path(api) -> None:
    with api("pos") as c:
        for bad in ["../runs/run-api", "/etc", "run-api/../x", ".hidden", "a b", ""]:
            r = c.post("/v1/cases/import", json={"run": bad})
            assert r.status_code == 422, (bad, r.text)
            assert r.json()["field"] in {"run", "body.run"}, r.text
        assert c.post("/v1/cases/import", json={"run_dir": "run-api"}).status_code == 422
        missing = c.post("/v1/cases/import", json={"run": "no-such-run"})
        assert missing.status_code in {404, 422}, missing.text
        assert "no-such-run" in missing.json()["detail"]
        assert len(c.get("/v1/cases").json()) == 1  # nothing imported so far
        first = c.post("/v1/cases/import", json={"run": "run-api"})
        assert first.status_code == 200, first.text
        assert first.json()["new"] == 2
        again = c.post("/v1/cases/import", json={"run": "run-api"}).json()
        assert again["new"] == 0 and again["unchanged"] == 2
    for who in ["lee", "aud"]:
        with api(who) as c:
            assert c.post("/v1/cases/import", json={"run": "run-api"}).status_code == 403
    assert [a["actor"] for a in _audit(api, "cases.import")][:1] == ["pos"]


def test_export_and_delivery_go_to_the_configured_folders_for_the_units_liaison(api) -> None:
    with api("pos") as c:
        assert c.post("/v1/cases/import", json={"run": "run-api"}).status_code == 200
    with api("ann") as c:
        r = c.post("/v1/batches", json={"level": "high", "unit": "unit-a"})
        assert r.status_code == 201, r.text
        number = r.json()["number"]
        assert c.post(f"/v1/batches/{number}/export").status_code == 403  # an analyst
    with api("lee") as c:
        r = c.post(f"/v1/batches/{number}/export")
        assert r.status_code == 409, r.text  # not approved yet
    with api("boss") as c:
        assert c.post(f"/v1/batches/{number}/approve").status_code == 200
    with api("lee-b") as c:  # the liaison of another unit: as if the batch did not exist
        assert c.post(f"/v1/batches/{number}/export").status_code == 404
        assert c.post(f"/v1/batches/{number}/deliver").status_code == 404
    with api("lee") as c:
        assert c.post(f"/v1/batches/{number}/deliver").status_code in {404, 409, 422}  # unexported
        r = c.post(f"/v1/batches/{number}/export")
        assert r.status_code == 200, r.text
        files = r.json()["files"]
        out = api.root / "exports" / f"batch-{number}"
        assert set(files) >= {f"batch-{number}.csv", f"batch-{number}.json"}
        assert (out / "manifest.json").exists()
        r = c.post(f"/v1/batches/{number}/deliver")
        assert r.status_code == 200, r.text
        assert r.json()["state"] == "delivered"
    assert (api.root / "outbox" / f"batch-{number}" / "manifest.json").exists()
    assert [a["actor"] for a in _audit(api, "batch.export")] == ["lee"]
    assert [a["actor"] for a in _audit(api, "batch.deliver")] == ["lee"]


def test_labels_are_masked_unless_asked_and_audited(api) -> None:
    with api("boss") as c:
        assert c.post("/v1/batches/1/approve").status_code == 200
    with api("lee") as c:
        csv = "batch,entity_type,entity_id,outcome,case_ref,dens_found,devices_seized,note\n"
        csv += "1,msisdn,+8613812345678,confirmed_fraud,J-1,1,3,\n"
        r = c.post("/v1/feedback", content=csv.encode(), headers={"content-type": "text/csv"})
        assert r.status_code == 200, r.text
        assert c.get("/v1/feedback/labels").status_code == 403
    with api("aud") as c:
        rows = c.get("/v1/feedback/labels").json()
        assert rows and rows[0]["entity_id"] == "+86138****5678"
        assert c.get("/v1/feedback/labels", params={"unmasked": True}).status_code == 403
    with api("ann") as c:
        clear = c.get("/v1/feedback/labels", params={"unmasked": True}).json()
        assert clear[0]["entity_id"] == "+8613812345678" and clear[0]["label"]
        assert c.get("/v1/feedback/labels", params={"unmasked": "maybe"}).status_code == 422
    views = [a for a in _audit(api, "view.unmasked") if a["entity_type"] == "label"]
    assert [v["actor"] for v in views] == ["ann"]


def test_dispatch_and_acknowledgements_over_http(api) -> None:
    with api("ann") as c:
        r = c.post("/v1/actions", json={"case_id": 1, "type": "limit_outbound"})
        assert r.status_code == 201, r.text
        action = r.json()
    with api("boss") as c:
        if action["state"] == "requested":
            assert c.post(f"/v1/actions/{action['id']}/approve").status_code == 200
    with api("ann") as c:
        assert c.post("/v1/actions/dispatch").status_code == 403
    with api("pos") as c:
        sent = c.post("/v1/actions/dispatch")
        assert sent.status_code == 200, sent.text
        assert [a["id"] for a in sent.json()] == [action["id"]]
        assert c.post("/v1/actions/dispatch").json() == []  # nothing left to send
        lines = (api.root / "provisioning" / "commands.jsonl").read_text().splitlines()
        command_id = json.loads(lines[0])["command_id"]
        for body, field in [
            (b"", "body"),
            (b"not json\n", None),
            (json.dumps({"command_id": command_id, "status": "meh"}).encode(), "status"),
            (json.dumps({"command_id": "nope", "status": "ok"}).encode(), "command_id"),
        ]:
            r = c.post("/v1/actions/acks", content=body)
            assert r.status_code == 422, (body, r.text)
            if field:
                assert r.json()["field"] == field, r.text
        assert c.get("/v1/actions").json()[0]["state"] == "dispatched"  # nothing changed
        ok = json.dumps({"command_id": command_id, "status": "ok"}).encode() + b"\n"
        r = c.post("/v1/actions/acks", content=ok)
        assert r.status_code == 200 and r.json()[0]["state"] == "acknowledged", r.text
        assert c.post("/v1/actions/acks", content=ok).json() == []  # applied once
    with api("lee") as c:
        assert c.post("/v1/actions/acks", content=ok).status_code == 403


def test_calls_needing_a_folder_the_operator_did_not_configure_say_so(db) -> None:
    tokens = seed(db)
    app = create_app(Settings(database_url=db.url))
    try:
        with running(app) as url:
            headers = {"Authorization": f"Bearer {tokens['boss']}"}
            with httpx.Client(base_url=url, headers=headers, timeout=30) as c:
                assert c.post("/v1/batches/1/approve", headers={
                    "Authorization": f"Bearer {tokens['sup0']}"
                }).status_code == 200  # fmt: skip
                for path, setting in [
                    ("/v1/cases/import", "FRAUDWALL_RUNS_DIR"),
                    ("/v1/batches/1/export", "FRAUDWALL_EXPORT_DIR"),
                    ("/v1/batches/1/deliver", "FRAUDWALL_BATCH_OUTBOX"),
                    ("/v1/actions/dispatch", "FRAUDWALL_PROVISIONING_OUTBOX"),
                ]:
                    r = c.post(path, json={"run": "x"} if "import" in path else None)
                    assert r.status_code == 503 and setting in r.json()["detail"], r.text
    finally:
        app.state.db.dispose()
