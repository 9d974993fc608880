"""Sharing lists with a partner: the round trip, and every way a file is refused whole."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from fraudwall.db import Database, upgrade
from fraudwall.db.base import utcnow
from fraudwall.errors import Conflict
from fraudwall.ingest.idkey import pseudonymise_id
from fraudwall.lists import service
from fraudwall.lists.check import RegistrationRequest, check_registration
from fraudwall.lists.keys import KeyStore
from fraudwall.lists.models import EntryCreate, ListEntry
from fraudwall.lists.sharefile import ShareRejected, token
from fraudwall.lists.sharing import export_share, import_share, match_subscribers
from fraudwall.lists.snapshot import SnapshotBuilder
from fraudwall.policy import RegistrationPolicy

RAW_ID = "11010119900307123X"
GROUP_KEY = bytes(range(32, 64))
K_UNICOM = bytes(range(32))
K_MOBILE = bytes(range(100, 132))


@pytest.fixture
def world(team: Database, keys: KeyStore, tmp_path: Path, make_workspace, add_team):  # type: ignore[no-untyped-def]
    """Us (cq-telecom, on the parametrised database) and a partner (cq-unicom, its own SQLite
    database, key store and workspace). Both pseudonymise IDs with the group key."""
    partner_keys = KeyStore(tmp_path / "keys-unicom")
    partner_keys.init(operator="cq-unicom")
    keys.set_partner("cq-unicom", hmac_key=K_UNICOM, public_key=partner_keys.public_key_hex())
    keys.set_partner("cq-mobile", hmac_key=K_MOBILE)
    partner_keys.set_partner("cq-telecom", hmac_key=K_UNICOM, public_key=keys.public_key_hex())
    for k in (keys, partner_keys):
        k.set_group_key(GROUP_KEY)
    url = f"sqlite:///{tmp_path / 'unicom.db'}"
    upgrade(url)
    partner_db = Database(url)
    add_team(partner_db)
    holder = pseudonymise_id(RAW_ID, partner_keys.group_key())
    partner_ws = make_workspace(
        tmp_path / "unicom-ws",
        [{"msisdn": "+8613100000001", "holder_id_hash": holder, "operator": "cq-unicom"}],
    )
    yield {"keys": keys, "pkeys": partner_keys, "pdb": partner_db, "pws": partner_ws}
    partner_db.dispose()


def _export(team, keys, tmp_path, partner="cq-unicom", **kw) -> Path:
    out = tmp_path / f"share-{partner}.json"
    with team.session() as s:
        export_share(
            s, keys=keys, list_name="holders", partner=partner, out=out, actor="boss", **kw
        )
    return out


def _list_our_holder(team, keys) -> str:
    holder = pseudonymise_id(RAW_ID, keys.group_key())
    with team.session() as s:
        service.add_entry(
            s,
            list_name="holders",
            data=EntryCreate(value=holder, reason_code="id_many_cards", reason="42 cards"),
            actor="ann",
        )
    return holder


def _count(db: Database) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(ListEntry)) or 0)


def test_round_trip_a_holder_we_list_is_refused_at_the_partner(world, team, keys, tmp_path):
    holder = _list_our_holder(team, keys)
    out = _export(team, keys, tmp_path)
    text = out.read_text()
    assert holder not in text and RAW_ID not in text  # nothing leaves in the clear
    pdb, pkeys = world["pdb"], world["pkeys"]
    with pdb.session() as s:
        summary = import_share(s, keys=pkeys, path=out, partner="cq-telecom", actor="boss")
    assert (summary["added"], summary["entries"]) == (1, 1)
    builder = SnapshotBuilder(pdb, workspace=world["pws"], keys=pkeys, policy=RegistrationPolicy())
    answer = check_registration(builder.build(), RegistrationRequest(holder_id_hash=holder))
    assert answer.decision == "deny"
    assert [r.code for r in answer.reasons] == ["holder_listed"]
    assert "partner cq-telecom" in answer.reasons[0].message
    other = check_registration(builder.build(), RegistrationRequest(holder_id_hash="someone"))
    assert other.decision == "allow"
    with pdb.session() as s:
        hits = match_subscribers(s, keys=pkeys, workspace=world["pws"], actor="ann")
    assert [(h["listed_by"], h["what"]) for h in hits] == [(["cq-telecom"], ["holder"])]
    assert hits[0]["msisdn"] != "+8613100000001"  # masked
    # The same file again changes nothing.
    with pdb.session() as s:
        again = import_share(s, keys=pkeys, path=out, partner="cq-telecom", actor="boss")
    assert again["added"] == 0 and _count(pdb) == 1


def test_a_file_for_one_partner_is_useless_under_another_partners_key(world, team, keys, tmp_path):
    holder = _list_our_holder(team, keys)
    for_mobile = json.loads(_export(team, keys, tmp_path, partner="cq-mobile").read_text())
    tokens = {e["token"] for e in for_mobile["entries"]}
    assert token(K_MOBILE, "holder_id_hash", holder) in tokens
    assert token(K_UNICOM, "holder_id_hash", holder) not in tokens
    # Handed to cq-unicom, the file is refused (addressed to someone else, other key).
    path = tmp_path / "share-cq-mobile.json"
    with world["pdb"].session() as s, pytest.raises(ShareRejected, match="addressed to"):
        import_share(s, keys=world["pkeys"], path=path, partner="cq-telecom", actor="boss")
    assert _count(world["pdb"]) == 0


def _tamper(path: Path, change) -> Path:  # type: ignore[no-untyped-def]
    doc = json.loads(path.read_text())
    change(doc)
    bad = path.with_name("tampered.json")
    bad.write_text(json.dumps(doc))
    return bad


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["entries"][0].update(token="0" * 64), "entries do not match"),
        (lambda d: d["manifest"].update(expires_at="2099-01-01T00:00:00+00:00"), "signature"),
        (lambda d: d["manifest"].update(signer="00" * 32), "not 'cq-telecom'"),
        (lambda d: d.update(signature="zz"), "signature"),
        (lambda d: d.pop("manifest"), "not a fraudwall shared file"),
        (lambda d: d["entries"].append(d["entries"][0]), "entries do not match"),
    ],
)
def test_tampered_files_are_rejected_whole(world, team, keys, tmp_path, change, message):
    _list_our_holder(team, keys)
    bad = _tamper(_export(team, keys, tmp_path), change)
    with world["pdb"].session() as s, pytest.raises(ShareRejected, match=message) as err:
        import_share(s, keys=world["pkeys"], path=bad, partner="cq-telecom", actor="boss")
    assert str(bad) in str(err.value)
    assert _count(world["pdb"]) == 0


def test_expired_wrongly_keyed_and_malformed_files_are_rejected(world, team, keys, tmp_path):
    _list_our_holder(team, keys)
    pdb, pkeys = world["pdb"], world["pkeys"]
    out = _export(team, keys, tmp_path, valid_for=timedelta(seconds=-1))
    with pdb.session() as s, pytest.raises(ShareRejected, match="expired"):
        import_share(s, keys=pkeys, path=out, partner="cq-telecom", actor="boss")
    # We hold a different key for cq-unicom than the one it agreed with us.
    keys.set_partner("cq-unicom", hmac_key=bytes(32))
    out = _export(team, keys, tmp_path)
    with pdb.session() as s, pytest.raises(ShareRejected, match="different key"):
        import_share(s, keys=pkeys, path=out, partner="cq-telecom", actor="boss")
    for content in (b"", b"\xff\xfe", b"[]", b'{"manifest": 1, "signature": 1, "entries": 1}'):
        junk = tmp_path / "junk.json"
        junk.write_bytes(content)
        with pdb.session() as s, pytest.raises(ShareRejected):
            import_share(s, keys=pkeys, path=junk, partner="cq-telecom", actor="boss")
    with pdb.session() as s, pytest.raises(ShareRejected, match="no such file"):
        import_share(
            s, keys=pkeys, path=tmp_path / "../../etc/none", partner="cq-telecom", actor="boss"
        )
    assert _count(pdb) == 0


def test_a_newer_file_replaces_the_partner_list_and_an_older_one_is_refused(
    world, team, keys, tmp_path
):
    holder = _list_our_holder(team, keys)
    pdb, pkeys = world["pdb"], world["pkeys"]
    first = _export(team, keys, tmp_path)
    old = tmp_path / "old.json"
    old.write_bytes(first.read_bytes())
    with team.session() as s:
        service.remove_entry(s, actor="boss", reason="cleared", list_name="holders", value=holder)
    with pdb.session() as s:
        import_share(s, keys=pkeys, path=old, partner="cq-telecom", actor="boss")
    second = _export(team, keys, tmp_path)
    with pdb.session() as s:
        summary = import_share(s, keys=pkeys, path=second, partner="cq-telecom", actor="boss")
    assert (summary["added"], summary["removed"]) == (0, 1)
    builder = SnapshotBuilder(pdb, workspace=None, keys=pkeys, policy=RegistrationPolicy())
    snap = builder.build()
    assert snap.hits("holder_id_hash", holder, utcnow()) == []
    with pdb.session() as s, pytest.raises(Conflict, match="not newer"):
        # The first file under another name: not a re-import, and older than the last one.
        copy = tmp_path / "old-copy.json"
        doc = json.loads(old.read_text())
        copy.write_text(json.dumps(doc, indent=2))
        import_share(s, keys=pkeys, path=copy, partner="cq-telecom", actor="boss")


def test_only_a_supervisor_shares(world, team, keys, tmp_path):
    from fraudwall.errors import PermissionDenied

    with team.session() as s, pytest.raises(PermissionDenied):
        export_share(
            s,
            keys=keys,
            list_name="holders",
            partner="cq-unicom",
            out=tmp_path / "x.json",
            actor="ann",
        )
    assert not (tmp_path / "x.json").exists()
