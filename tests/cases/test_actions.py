"""Dispositions: maker-checker, the automatic path and its switch, deadlines, provisioning
commands and acknowledgements, victim SMS and call-backs, appeals and restore."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from fraudwall.cases.actions import (
    approve_action,
    overdue_actions,
    record_callback,
    request_action,
    set_auto_path,
)
from fraudwall.cases.appeals import decide_appeal, open_appeal, record_reverification
from fraudwall.cases.enums import ActionState, ActionType, AppealState, CallbackOutcome
from fraudwall.cases.importer import import_run
from fraudwall.cases.models import Label
from fraudwall.cases.policy import ActionPolicy
from fraudwall.cases.provisioning import dispatch_actions, read_acknowledgements
from fraudwall.cases.review import list_cases, show_case
from fraudwall.db.base import utcnow
from fraudwall.errors import Conflict, InputError, PermissionDenied

POLICY = ActionPolicy()
AUTO = ActionPolicy(auto_severe=True, auto_min_score=0.98, auto_types=("suspend", "shutdown"))


@pytest.fixture
def cases(team, run1):
    with team.session() as s:
        import_run(s, run_dir=run1, actor="pipe")
        ids = {(c.entity_id, c.scenario): c.id for c in list_cases(s)}
    return team, ids


def test_shutdown_needs_a_second_person(cases):
    db, ids = cases
    cid = ids[("+8613800000001", "fraud_caller")]
    with db.session() as s:
        a = request_action(s, case_id=cid, type=ActionType.shutdown, actor="ana", policy=POLICY)
    assert a.state is ActionState.requested and a.approved_by is None
    with pytest.raises(PermissionDenied, match=r"may not do action\.approve"), db.session() as s:
        approve_action(s, action_id=a.id, actor="abe")
    with pytest.raises(Conflict, match="already has open shutdown"), db.session() as s:
        request_action(s, case_id=cid, type=ActionType.shutdown, actor="sam", policy=POLICY)
    with db.session() as s:
        b = request_action(
            s,
            case_id=ids[("+8613800000002", "fraud_caller")],
            type=ActionType.suspend,
            actor="sam",
            policy=POLICY,
        )
    with pytest.raises(PermissionDenied, match="second person"), db.session() as s:
        approve_action(s, action_id=b.id, actor="sam")
    with db.session() as s:
        done = approve_action(s, action_id=a.id, actor="sam")
    assert done.state is ActionState.approved and done.approved_by == "sam"
    with pytest.raises(Conflict, match="not waiting"), db.session() as s:
        approve_action(s, action_id=a.id, actor="sue")


def test_light_actions_need_no_second_person(cases):
    db, ids = cases
    with db.session() as s:
        a = request_action(
            s,
            case_id=ids[("+8613800000003", "fraud_caller")],
            type=ActionType.limit_outbound,
            actor="ana",
            policy=POLICY,
        )
    assert a.state is ActionState.approved and a.approved_by == "ana"


def test_automatic_path_for_highest_confidence_until_a_supervisor_switches_it_off(cases):
    db, ids = cases
    top, lower = ids[("+8613900000009", "simbox_sim")], ids[("+8613800000001", "fraud_caller")]
    with db.session() as s:
        a = request_action(s, case_id=top, type=ActionType.suspend, actor="pipe", policy=AUTO)
        b = request_action(s, case_id=lower, type=ActionType.suspend, actor="pipe", policy=AUTO)
        c = request_action(s, case_id=top, type=ActionType.shutdown, actor="pipe", policy=POLICY)
    assert a.automatic and a.state is ActionState.approved and a.approved_by == "policy:auto"
    assert not b.automatic and b.state is ActionState.requested  # 0.95 < 0.98
    assert not c.automatic and c.state is ActionState.requested  # policy path off
    with pytest.raises(PermissionDenied), db.session() as s:
        set_auto_path(s, enabled=False, actor="ana")
    with db.session() as s:
        set_auto_path(s, enabled=False, actor="sam")
        d = request_action(s, case_id=top, type=ActionType.reverify, actor="pipe", policy=AUTO)
    with db.session() as s:
        approve_action(s, action_id=c.id, actor="sam")  # clears the way for a new request
        e = request_action(
            s,
            case_id=ids[("+8613800000002", "fraud_caller")],
            type=ActionType.suspend,
            actor="pipe",
            policy=ActionPolicy(auto_severe=True, auto_min_score=0.5),
        )
    assert d.state is ActionState.approved and not e.automatic  # switched off


def test_deadlines_from_detection_and_overdue(cases):
    db, ids = cases
    with db.session() as s:
        hi = request_action(
            s,
            case_id=ids[("+8613800000001", "fraud_caller")],
            type=ActionType.shutdown,
            actor="ana",
            policy=POLICY,
        )
        med = request_action(
            s,
            case_id=ids[("+8613800000003", "fraud_caller")],
            type=ActionType.reverify,
            actor="ana",
            policy=POLICY,
        )
        detected = show_case(s, case_id=hi.case_id).detected_at
    assert hi.deadline == detected + timedelta(minutes=30)
    assert med.deadline - show_case_detected(db, med.case_id) == timedelta(minutes=240)
    with db.session(readonly=True) as s:
        assert overdue_actions(s) == []
        late = overdue_actions(s, now=utcnow() + timedelta(minutes=31))
        later = overdue_actions(s, now=utcnow() + timedelta(hours=5))
    assert [a.id for a in late] == [hi.id] and {a.id for a in later} == {hi.id, med.id}


def show_case_detected(db, case_id):
    with db.session(readonly=True) as s:
        return show_case(s, case_id=case_id).detected_at


def test_provisioning_outbox_is_idempotent_and_acknowledgements_come_back(cases, tmp_path):
    db, ids = cases
    with db.session() as s:
        a = request_action(
            s,
            case_id=ids[("+8613800000003", "fraud_caller")],
            type=ActionType.limit_outbound,
            actor="ana",
            policy=POLICY,
        )
    out = tmp_path / "prov" / "commands.jsonl"
    out.parent.mkdir()
    # a line a crashed earlier dispatch wrote, cut short
    out.write_text('{"command_id": "' + a.command_id[:10])
    with pytest.raises(PermissionDenied), db.session() as s:
        dispatch_actions(s, actor="ana", outbox=out)
    with db.session() as s:
        sent = dispatch_actions(s, actor="pipe", outbox=out)
    with db.session() as s:
        assert dispatch_actions(s, actor="pipe", outbox=out) == []
    lines = [json.loads(x) for x in out.read_text().splitlines()[1:]]
    assert [x["command_id"] for x in lines] == [a.command_id] and sent[
        0
    ].state.value == "dispatched"
    assert lines[0]["action"] == "limit_outbound" and lines[0]["entity_id"] == "+8613800000003"
    acks = tmp_path / "acks.jsonl"
    acks.write_text(json.dumps({"command_id": a.command_id, "status": "ok"}) + "\n")
    with db.session() as s:
        assert [x.state for x in read_acknowledgements(s, file=acks, actor="pipe")] == [
            ActionState.acknowledged
        ]
    with db.session() as s:
        assert read_acknowledgements(s, file=acks, actor="pipe") == []
    bad = tmp_path / "bad.jsonl"
    for text, why in (
        ('{"command_id": "nope", "status": "ok"}\n', "unknown command"),
        (json.dumps({"command_id": a.command_id, "status": "maybe"}), "status"),
        ("{not json\n", "not JSON"),
    ):
        bad.write_text(text)
        with pytest.raises(InputError, match=why), db.session() as s:
            read_acknowledgements(s, file=bad, actor="pipe")


def test_victims_get_a_zh_cn_warning_and_a_callback_that_becomes_a_label(cases):
    db, ids = cases
    victim, caller = ids[("+8613700000007", "victim")], ids[("+8613800000001", "fraud_caller")]
    with pytest.raises(Conflict, match="likely victims"), db.session() as s:
        request_action(s, case_id=caller, type=ActionType.warn_sms, actor="ana", policy=POLICY)
    with pytest.raises(Conflict, match="likely victim"), db.session() as s:
        request_action(s, case_id=victim, type=ActionType.shutdown, actor="ana", policy=POLICY)
    with db.session() as s:
        sms = request_action(
            s, case_id=victim, type=ActionType.warn_sms, actor="pipe", policy=POLICY
        )
        cb = request_action(
            s, case_id=victim, type=ActionType.callback, actor="pipe", policy=POLICY
        )
    assert "96110" in sms.detail["text"] and sms.detail["language"] == "zh-CN"
    assert sms.state is ActionState.approved
    assert cb.deadline - show_case_detected(db, victim) == timedelta(minutes=10)
    with pytest.raises(Conflict, match="not a call-back"), db.session() as s:
        record_callback(s, action_id=sms.id, outcome=CallbackOutcome.reached, actor="ana")
    with db.session() as s:
        done = record_callback(
            s,
            action_id=cb.id,
            outcome=CallbackOutcome.money_sent,
            actor="ana",
            note="已转账2万元，已报警",
        )
    assert done.state is ActionState.done and done.detail["outcome"] == "money_sent"
    with db.session(readonly=True) as s:
        labels = [(x.entity_id, x.label, x.source, x.detail) for x in s.scalars(select(Label))]
    assert labels == [("+8613700000007", "victim", "hotline_callback", "money_sent")]


def test_appeal_restore_writes_the_reverse_and_holds_the_case(cases, tmp_path, make_run):
    db, ids = cases
    cid = ids[("+8613900000009", "simbox_sim")]
    with pytest.raises(Conflict, match="no suspend"), db.session() as s:
        open_appeal(s, case_id=cid, reason="wrongly blocked", actor="ana")
    with db.session() as s:
        a = request_action(s, case_id=cid, type=ActionType.shutdown, actor="ana", policy=POLICY)
    with db.session() as s:
        approve_action(s, action_id=a.id, actor="sam")
    with db.session() as s:
        dispatch_actions(s, actor="pipe", outbox=tmp_path / "c.jsonl")
        ap = open_appeal(s, case_id=cid, reason="物联网卡用于正规车载设备", actor="ana")
    with pytest.raises(Conflict, match="re-verification"), db.session() as s:
        decide_appeal(s, appeal_id=ap.id, restore=True, actor="sam")
    with pytest.raises(PermissionDenied), db.session() as s:
        record_reverification(s, appeal_id=ap.id, passed=True, actor="lin")
    with db.session() as s:
        record_reverification(s, appeal_id=ap.id, passed=True, actor="abe", note="实名核验通过")
    with pytest.raises(PermissionDenied), db.session() as s:
        decide_appeal(s, appeal_id=ap.id, restore=True, actor="ana")
    with db.session() as s:
        d = decide_appeal(s, appeal_id=ap.id, restore=True, actor="sam", note="核验通过")
    assert d.state is AppealState.restored and d.restore_action_id
    with db.session() as s:
        dispatch_actions(s, actor="pipe", outbox=tmp_path / "c.jsonl")
    cmds = [json.loads(x) for x in (tmp_path / "c.jsonl").read_text().splitlines()]
    assert [(c["action"], c["reverses"]) for c in cmds] == [("shutdown", None), ("restore", a.id)]
    with pytest.raises(Conflict, match="already decided"), db.session() as s:
        decide_appeal(s, appeal_id=ap.id, restore=False, actor="sue")
    # the next run brings the same evidence: nothing pushes the number into a new shutdown
    with db.session() as s:
        import_run(s, run_dir=tmp_path / "run1", actor="pipe")
    with pytest.raises(PermissionDenied, match="restored after an appeal"), db.session() as s:
        request_action(s, case_id=cid, type=ActionType.shutdown, actor="pipe", policy=AUTO)
    with db.session() as s:  # a person can, and then a second person must approve
        again = request_action(s, case_id=cid, type=ActionType.shutdown, actor="ana", policy=AUTO)
        detail = show_case(s, case_id=cid)
    assert again.state is ActionState.requested and not again.automatic
    assert detail.hold and "物联网卡" in (detail.hold_reason or "")


def test_provisioning_by_http_sends_each_command_with_its_id_as_idempotency_key(cases):
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    got: list[tuple[str, dict]] = []

    class Provisioning(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            got.append((self.headers["Idempotency-Key"], body))
            self.send_response(503 if len(got) == 1 else 202)  # first attempt fails
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Provisioning)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/commands"
    db, ids = cases
    try:
        with db.session() as s:
            a = request_action(
                s,
                case_id=ids[("+8613800000003", "fraud_caller")],
                type=ActionType.reverify,
                actor="ana",
                policy=POLICY,
            )
        with db.session() as s:
            sent = dispatch_actions(s, actor="pipe", url=url)
    finally:
        server.shutdown()
        server.server_close()
    assert [x.state for x in sent] == [ActionState.dispatched]
    assert [k for k, _b in got] == [a.command_id, a.command_id]
    assert got[-1][1]["action"] == "reverify" and got[-1][1]["command_id"] == a.command_id
