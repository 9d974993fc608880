"""Blacklists: add, re-add, remove (soft, audited), expiry, masking, bulk add from cases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from fraudwall.audit import list_entries
from fraudwall.db.base import utcnow
from fraudwall.errors import InputError, NotFound, PermissionDenied, Unauthorized
from fraudwall.lists import service
from fraudwall.lists.identifiers import normalise
from fraudwall.lists.models import EntryCreate, ListEntry


def test_add_normalises_and_re_adding_updates_instead_of_duplicating(team) -> None:
    with team.session() as s:
        a = service.add_entry(
            s,
            list_name="numbers",
            data=EntryCreate(value="138 1234 5678", reason_code="fraud_caller", reason="x"),
            actor="ann",
        )
        b = service.add_entry(
            s,
            list_name="numbers",
            data=EntryCreate(value="+8613812345678", reason_code="police_report"),
            actor="ann",
        )
    assert a.id == b.id and a.value == "+86138****5678"
    with team.session() as s:
        rows = s.scalars(select(ListEntry)).all()
        assert [(r.value, r.reason_code) for r in rows] == [("+8613812345678", "police_report")]
        actions = [e.action for e in list_entries(s, entity_type="list_entry")]
    assert actions == ["lists.add", "lists.update"]


@pytest.mark.parametrize(
    ("list_name", "value", "field_msg"),
    [
        ("numbers", "abc", "not a phone number"),
        ("imeis", "12345", "14 to 16 digits"),
        ("holders", "11010119900307123X", "raw ID number"),
        ("holders", "' OR 1=1 --", "not a holder_id_hash"),
        ("outlets", "a\x00b", "printable"),
        ("bogus", "x", "unknown list"),
    ],
)
def test_bad_identifiers_are_refused_by_name(team, list_name, value, field_msg) -> None:
    with team.session() as s, pytest.raises(InputError, match=field_msg):
        service.add_entry(s, list_name=list_name, data=EntryCreate(value=value), actor="ann")
    with team.session() as s:
        assert s.scalars(select(ListEntry)).all() == []


def test_remove_is_a_soft_delete_by_a_supervisor_and_audited(team) -> None:
    with team.session() as s:
        e = service.add_entry(
            s, list_name="imeis", data=EntryCreate(value="356938035643809"), actor="ann"
        )
    with team.session() as s, pytest.raises(PermissionDenied):
        service.remove_entry(s, actor="ann", reason="mistake", entry_id=e.id)
    with team.session() as s, pytest.raises(InputError, match="why"):
        service.remove_entry(s, actor="boss", reason=" ", entry_id=e.id)
    with team.session() as s:
        gone = service.remove_entry(s, actor="boss", reason="wrongly listed", entry_id=e.id)
    assert not gone.active and gone.removed_by == "boss"
    with team.session() as s:
        row = s.get(ListEntry, e.id)
        assert row is not None and row.removed_reason == "wrongly listed"
        assert service.show_entries(s, actor="aud", list_name="imeis") == []
        shown = service.show_entries(s, actor="aud", list_name="imeis", include_inactive=True)
        assert [x.id for x in shown] == [e.id]
        audit = list_entries(s, entity_type="list_entry", entity_id=str(e.id))
        assert [a.action for a in audit] == ["lists.add", "lists.remove"]
    with team.session() as s, pytest.raises(NotFound):
        service.remove_entry(s, actor="boss", reason="again", entry_id=e.id)


def test_expired_entries_stop_showing_and_past_expiry_is_refused(team) -> None:
    with team.session() as s:
        e = service.add_entry(
            s,
            list_name="domains",
            data=EntryCreate(value="pay.example.com", expires_at=utcnow() + timedelta(hours=1)),
            actor="ann",
        )
        with pytest.raises(InputError, match="past"):
            service.add_entry(
                s,
                list_name="domains",
                data=EntryCreate(value="x.example", expires_at=utcnow() - timedelta(seconds=1)),
                actor="ann",
            )
    with team.session() as s:
        row = s.get(ListEntry, e.id)
        assert row is not None
        row.expires_at = utcnow() - timedelta(seconds=1)
    with team.session() as s:
        assert service.show_entries(s, actor="ann", list_name="domains") == []


def test_unmasked_views_need_the_right_role_and_are_audited(team) -> None:
    with team.session() as s:
        service.add_entry(
            s, list_name="holders", data=EntryCreate(value="a1b2c3d4e5f60718293a"), actor="ann"
        )
    with team.session() as s:
        masked = service.show_entries(s, actor="aud", list_name="holders")
        assert masked[0].value != "a1b2c3d4e5f60718293a"
        with pytest.raises(PermissionDenied):
            service.show_entries(s, actor="aud", list_name="holders", unmasked=True)
    with team.session() as s:
        clear = service.show_entries(s, actor="boss", list_name="holders", unmasked=True)
        assert clear[0].value == "a1b2c3d4e5f60718293a"
    with team.session() as s:
        views = [a for a in list_entries(s) if a.action == "view.unmasked"]
    assert len(views) == 1 and views[0].actor == "boss"


def test_unknown_or_inactive_actor_is_refused(team) -> None:
    with team.session() as s, pytest.raises(Unauthorized):
        service.add_entry(
            s, list_name="numbers", data=EntryCreate(value="13812345678"), actor="nobody"
        )


def test_bulk_add_from_confirmed_cases_only(team) -> None:
    confirmed = {
        "id": 7,
        "entity_type": "msisdn",
        "entity_id": "13912345678",
        "scenario": "fraud_caller",
        "state": "confirmed",
    }
    cell = {**confirmed, "id": 8, "entity_type": "cell_id", "entity_id": "C1"}
    with team.session() as s:
        out = service.add_confirmed_cases(s, actor="ann", cases=[confirmed, cell])
    assert [(e.case_id, e.reason_code) for e in out] == [(7, "fraud_caller")]
    with team.session() as s, pytest.raises(InputError, match="not confirmed"):
        service.add_confirmed_cases(s, actor="ann", cases=[{**confirmed, "state": "new"}])


def test_export_csv_and_json(team) -> None:
    with team.session() as s:
        service.add_entry(
            s, list_name="numbers", data=EntryCreate(value="13812345678"), actor="ann"
        )
        text = service.export_entries(s, actor="aud", list_name="numbers")
        assert text.splitlines()[0].startswith("id,list_name") and "138****5678" in text
        assert "13812345678" not in text
        j = service.export_entries(s, actor="boss", list_name="numbers", fmt="json", unmasked=True)
        assert "+8613812345678" in j
        with pytest.raises(InputError):
            service.export_entries(s, actor="boss", list_name="numbers", fmt="xml")


def test_normalise_examples() -> None:
    assert normalise("imeis", "356938035643809") == normalise("imeis", "35693803564380")
