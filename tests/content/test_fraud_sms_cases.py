"""fraud_sms leads of a run become cases with their evidence (masked sample, counts, numbers)."""

from __future__ import annotations

import json
from pathlib import Path

from sms_tables import LENDER, rows

from fraudwall.auth import Role, UserCreate, add_user
from fraudwall.cases.importer import import_run
from fraudwall.cases.review import list_cases, show_case
from fraudwall.detectors import load_library
from fraudwall.scoring.leads import run_detectors


def test_fraud_sms_leads_import_as_cases_with_evidence(make_ctx, tmp_path: Path, sms_policy, db):
    ctx = make_ctx(policy=sms_policy, sms=rows())
    leads = run_detectors(
        ctx, sms_policy, {"fraud_sms": load_library()["fraud_sms"]}, run_id="r1"
    ).leads
    run = tmp_path / "run"
    run.mkdir()
    leads.to_parquet(run / "leads.parquet")
    leads.to_csv(run / "leads.csv", index=False)
    (run / "run.json").write_text(json.dumps({"run_id": "r1"}), "utf-8")
    with db.session() as s:
        add_user(s, data=UserCreate(name="sam", role=Role.supervisor), actor=None)
        add_user(s, data=UserCreate(name="pipe", role=Role.system), actor="sam")
        add_user(s, data=UserCreate(name="ana", role=Role.analyst), actor="sam")
    with db.session() as s:
        import_run(s, run_dir=run, actor="pipe")
    with db.session() as s:
        cases = list_cases(s, scenario="fraud_sms")
        details = [show_case(s, case_id=c.id) for c in cases]
    assert len(cases) == 2
    text = json.dumps([d.model_dump(mode="json") for d in details], ensure_ascii=False)
    assert "sample" in text and "related_numbers" in text and "fraud_messages" in text
    assert "13912345678" not in text  # the number in the message is masked
    assert "12 of 12 messages with content classified loan" in text
    assert LENDER[:3] in text
