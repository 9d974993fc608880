"""The database foundation on SQLite and PostgreSQL: migrations, sessions, users, permissions,
the append-only audit log and the ``db``/``users`` commands."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from fraudwall.audit import AuditEntry, AuditImmutable, list_entries, record
from fraudwall.auth import Role, UserCreate, acting_user, add_user, authorize, list_users
from fraudwall.cli import app
from fraudwall.db import Database, resolve_url, upgrade
from fraudwall.db.migrate import current_revisions, head_revisions, open_database
from fraudwall.errors import Conflict, InputError, PermissionDenied, Unauthorized


def test_upgrade_applies_every_head_and_is_idempotent(db_url):
    first = upgrade(db_url)
    assert set(first) == head_revisions()
    assert upgrade(db_url) == first
    db = Database(db_url)
    assert current_revisions(db) == head_revisions()
    db.dispose()


def test_session_commits_on_success_and_rolls_back_on_error(db):
    with db.session(via="test") as s:
        add_user(s, data=UserCreate(name="sam", role=Role.supervisor), actor=None)
    with pytest.raises(RuntimeError), db.session() as s:
        add_user(s, data=UserCreate(name="ana", role=Role.analyst), actor="sam")
        raise RuntimeError("crash mid-command")
    with db.session(readonly=True) as s:
        assert [u.name for u in list_users(s)] == ["sam"]
        # the user and its audit entry went in together; the rolled-back one left nothing
        assert [e.entity_id for e in list_entries(s, entity_type="user")] == ["sam"]


def test_timestamps_come_back_timezone_aware(db):
    with db.session() as s:
        add_user(s, data=UserCreate(name="sam", role=Role.supervisor), actor=None)
    with db.session(readonly=True) as s:
        (user,) = list_users(s)
        entry = list_entries(s)[0]
    assert user.created_at.tzinfo is not None and entry.at.utcoffset().total_seconds() == 0
    assert abs((datetime.now(UTC) - entry.at).total_seconds()) < 120
    assert entry.via == ""


def test_naive_datetimes_are_refused(db):
    with pytest.raises(Exception, match="naive datetime"), db.session() as s:
        s.add(
            AuditEntry(
                at=datetime(2026, 1, 1),
                actor="x",
                action="a",
                entity_type="t",
                entity_id="1",
                detail={},
                via="",
            )
        )
        s.flush()


def test_first_supervisor_bootstraps_then_only_supervisors_add_users(db):
    with db.session(via="cli:fraudwall users add") as s:
        add_user(s, data=UserCreate(name="ana", role=Role.analyst), actor=None)  # no one yet
        add_user(s, data=UserCreate(name="sam", role=Role.supervisor), actor=None)
    with pytest.raises(Unauthorized, match="--as"), db.session() as s:
        add_user(s, data=UserCreate(name="eve", role=Role.supervisor), actor=None)
    with pytest.raises(PermissionDenied, match=r"users\.manage"), db.session() as s:
        add_user(s, data=UserCreate(name="eve", role=Role.supervisor), actor="ana")
    with pytest.raises(Unauthorized, match="no user 'nobody'"), db.session() as s:
        add_user(s, data=UserCreate(name="eve", role=Role.supervisor), actor="nobody")
    with pytest.raises(Conflict, match="already exists"), db.session() as s:
        add_user(s, data=UserCreate(name="ana", role=Role.analyst), actor="sam")
    with pytest.raises(InputError, match="unit"), db.session() as s:
        add_user(s, data=UserCreate(name="li", role=Role.liaison), actor="sam")
    with pytest.raises(InputError, match="name"), db.session() as s:
        add_user(s, data=UserCreate(name="bad name;", role=Role.analyst), actor="sam")
    with db.session(readonly=True) as s:
        entries = list_entries(s, entity_type="user")
    assert [(e.actor, e.entity_id) for e in entries] == [("bootstrap", "ana"), ("bootstrap", "sam")]
    assert entries[0].via == "cli:fraudwall users add"


def test_authorize_follows_the_permission_table_and_refuses_inactive_users(db):
    with db.session() as s:
        add_user(s, data=UserCreate(name="sam", role=Role.supervisor), actor=None)
        add_user(s, data=UserCreate(name="aud", role=Role.auditor), actor="sam")
    with db.session() as s:
        sam = acting_user(s, name="sam", action="batch.approve")
        aud = acting_user(s, name="aud", action="audit.read")
        with pytest.raises(PermissionDenied, match=r"aud.*auditor.*batch.approve"):
            authorize(aud, "batch.approve")
        with pytest.raises(PermissionDenied, match="nobody"):
            authorize(sam, "no.such.action")
        sam.active = False
        with pytest.raises(PermissionDenied, match="deactivated"):
            authorize(sam, "batch.approve")


def test_audit_rows_cannot_be_changed_or_deleted_through_the_orm(db):
    with db.session() as s:
        record(s, actor="sam", action="x.test", entity_type="case", entity_id=1, detail={"a": 1})
    with pytest.raises(AuditImmutable), db.session() as s:
        entry = s.scalars(select(AuditEntry)).one()
        entry.actor = "mallory"
    with pytest.raises(AuditImmutable), db.session() as s:
        s.delete(s.scalars(select(AuditEntry)).one())
    with pytest.raises(AuditImmutable), db.session() as s:
        s.execute(update(AuditEntry).values(actor="mallory"))
    with pytest.raises(AuditImmutable), db.session() as s:
        s.execute(delete(AuditEntry))
    with db.session(readonly=True) as s:
        (entry,) = list_entries(s)
    assert (entry.actor, entry.detail) == ("sam", {"a": 1})


def test_the_database_itself_refuses_audit_changes(db):
    with db.session() as s:
        record(s, actor="sam", action="x.test", entity_type="case", entity_id=1)
    for sql in ("UPDATE audit_entries SET actor = 'mallory'", "DELETE FROM audit_entries"):
        with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
            conn.execute(text(sql))
    with db.session(readonly=True) as s:
        assert [e.actor for e in list_entries(s)] == ["sam"]


def test_resolve_url_prefers_cli_then_environment(monkeypatch):
    monkeypatch.setenv("FRAUDWALL_DATABASE_URL", "sqlite:///env.db")
    assert resolve_url("sqlite:///cli.db") == "sqlite:///cli.db"
    assert resolve_url(None) == "sqlite:///env.db"
    monkeypatch.delenv("FRAUDWALL_DATABASE_URL")
    assert resolve_url(None) == "sqlite:///fraudwall.db"
    with pytest.raises(Exception, match="unsupported database"):
        resolve_url("mysql://x@y/z")


def test_postgres_behind_the_code_is_refused_until_upgraded(db_url):
    if not db_url.startswith("postgresql"):
        open_database(db_url).dispose()  # SQLite: migrated on the spot
        assert current_revisions(Database(db_url)) == head_revisions()
        return
    with pytest.raises(Exception, match="fraudwall db upgrade"):
        open_database(db_url)
    upgrade(db_url)
    open_database(db_url).dispose()


def _cli(args, url):
    return CliRunner().invoke(app, [*args, "--db", url])


def test_db_and_users_commands(db_url):
    r = _cli(["db", "upgrade"], db_url)
    assert r.exit_code == 0, r.output
    assert all(head in r.output for head in head_revisions())
    r = _cli(["users", "add", "sam", "--role", "supervisor", "--json"], db_url)
    assert r.exit_code == 0, r.output
    created = json.loads(r.stdout)
    assert created["name"] == "sam" and isinstance(created["id"], int)
    r = _cli(
        ["users", "add", "lin", "--role", "liaison", "--unit", "反诈中心", "--as", "sam", "--json"],
        db_url,
    )
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["unit"] == "反诈中心"
    r = _cli(["users", "add", "lee", "--role", "analyst", "--as", "lin"], db_url)
    assert r.exit_code == 2 and "may not do users.manage" in r.output
    r = _cli(["users", "add", "lee", "--role", "wizard", "--as", "sam"], db_url)
    assert r.exit_code == 2
    r = _cli(["users", "list", "--json"], db_url)
    assert [u["name"] for u in json.loads(r.stdout)] == ["lin", "sam"]
