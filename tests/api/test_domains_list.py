"""`fraudwall domains export --db` keeps the case database's `domains` blacklist in step with
the exported blocklist, and the list is served by `/v1/lists/domains`."""

from __future__ import annotations

import json
from pathlib import Path

from leadfiles import domain_run
from typer.testing import CliRunner

from fraudwall.cli import app


def _export(run: Path, out: Path, *extra: str):  # type: ignore[no-untyped-def]
    args = ["domains", "export", "--run", str(run), "--format", "hosts", "--out", str(out)]
    return CliRunner().invoke(app, [*args, *extra, "--json"])


def _listed(service) -> list[str]:  # type: ignore[no-untyped-def]
    with service.client("aud") as c:
        r = c.get("/v1/lists/domains")
        assert r.status_code == 200, r.text
        return sorted(e["value"] for e in r.json() if e["active"])


def test_the_exported_domains_become_the_domains_list_and_are_refreshed(service, tmp_path) -> None:
    with service.client("ann") as c:  # an entry someone added by hand is never touched
        assert c.post("/v1/lists/domains", json={"value": "hand.example"}).status_code == 201
    run = domain_run(
        tmp_path, [("icbc-kefu.top", "high"), ("pay-cn.top", "medium"), ("meh.top", "low")]
    )
    out = tmp_path / "block.hosts"
    r = _export(run, out, "--db", service.db.url, "--as", "ann")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["blacklist"] == {"listed": 2, "removed": 0}
    assert _listed(service) == ["hand.example", "icbc-kefu.top", "pay-cn.top"]
    # The same export again changes nothing; a later run without one name takes it off.
    assert json.loads(_export(run, out, "--db", service.db.url, "--as", "ann").stdout)[
        "blacklist"
    ] == {"listed": 2, "removed": 0}
    run = domain_run(tmp_path, [("icbc-kefu.top", "high")])
    r = _export(run, out, "--db", service.db.url, "--as", "ann")
    assert json.loads(r.stdout)["blacklist"] == {"listed": 1, "removed": 1}
    assert out.read_text() == "0.0.0.0 icbc-kefu.top\n"
    assert _listed(service) == ["hand.example", "icbc-kefu.top"]
    with service.client("aud") as c:
        audit = c.get("/v1/audit", params={"limit": 10000}).json()
    removed = [a for a in audit if a["action"] == "lists.remove"]
    assert len(removed) == 1 and removed[0]["actor"] == "ann"
    assert "no longer in the domains export" in json.dumps(removed[0]["detail"])


def test_without_a_database_nothing_is_stored_and_refusals_leave_the_list(service, tmp_path):
    run = domain_run(tmp_path, [("icbc-kefu.top", "high")])
    out = tmp_path / "block.hosts"
    r = _export(run, out)
    assert r.exit_code == 0 and "blacklist" not in json.loads(r.stdout)
    r = _export(run, tmp_path / "b2.hosts", "--db", service.db.url)  # who acts?
    assert r.exit_code == 2 and "--as" in r.output
    assert not (tmp_path / "b2.hosts").exists()
    r = _export(run, tmp_path / "b3.hosts", "--db", service.db.url, "--as", "aud")  # an auditor
    assert r.exit_code == 2 and "may not" in r.output
    assert _listed(service) == []
