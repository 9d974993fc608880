"""Leads become cases: one per (entity, scenario), updated never duplicated, with history."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from fraudwall.cases.enums import CaseState
from fraudwall.cases.importer import import_run
from fraudwall.cases.models import Case, CaseHistory
from fraudwall.cases.review import assign_case, comment_case, list_cases, set_state, show_case
from fraudwall.errors import Conflict, InputError, PermissionDenied

from .conftest import RUN1, lead


def _snapshot(db):
    with db.session(readonly=True) as s:
        cases = [
            (c.entity_id, c.scenario, c.score, c.evidence_hash, c.state.value, c.evidence_at)
            for c in s.scalars(select(Case).order_by(Case.id))
        ]
        history = s.scalar(select(func.count()).select_from(CaseHistory))
    return cases, history


def test_one_case_per_entity_and_scenario_with_numbers_as_the_store_keeps_them(team, run1):
    with team.session() as s:
        r = import_run(s, run_dir=run1, actor="pipe")
    assert (r.new, r.updated, r.cases) == (5, 0, 5)
    with team.session(readonly=True) as s:
        cases = list_cases(s)
        top = show_case(s, case_id=cases[0].id)
    assert cases[0].entity_id == "+8613900000009" and cases[0].scenario == "simbox_sim"
    caller = next(c for c in cases if c.entity_id == "+8613800000001")
    assert caller.detectors == "callee_fanout,fraud_complaints" and caller.score == 0.95
    assert caller.reasons.index("callee_fanout") < caller.reasons.index("fraud_complaints")
    assert caller.state is CaseState.new and caller.detected_at.tzinfo is not None
    assert top.first_seen is not None and top.first_seen.hour == 1  # 09:00 Shanghai = 01:00 UTC
    assert len(top.history) == 1 and top.history[0].run_id == "run-1"


def test_reimporting_the_same_run_changes_nothing(team, run1):
    with team.session() as s:
        import_run(s, run_dir=run1, actor="pipe")
    before = _snapshot(team)
    with team.session() as s:
        r = import_run(s, run_dir=run1, actor="pipe")
    assert (r.new, r.updated, r.unchanged) == (0, 0, 5)
    assert _snapshot(team) == before


def test_new_evidence_updates_the_case_and_keeps_its_history(team, run1, make_run):
    with team.session() as s:
        import_run(s, run_dir=run1, actor="pipe")
        case_id = list_cases(s, scenario="fraud_caller")[0].id
        set_state(s, case_id=case_id, state=CaseState.under_review, actor="ana")
    run2 = make_run(
        "run2",
        [
            lead("138 0000 0001", score=0.99, run_id="run-2"),
            lead("13800000002", score=0.82, run_id="run-2"),
            lead("13600000006", score=0.7, run_id="run-2"),
        ],
    )
    with team.session() as s:
        r = import_run(s, run_dir=run2, actor="pipe")
    # the same evidence in a later run is not an update
    assert (r.new, r.updated, r.unchanged, r.cases) == (1, 1, 1, 6)
    with team.session(readonly=True) as s:
        d = show_case(s, case_id=case_id)
    assert d.score == 0.99 and d.state is CaseState.under_review  # review state is kept
    assert [h.run_id for h in d.history] == ["run-1", "run-2"]
    assert [h.score for h in d.history] == [0.95, 0.99]


def test_bad_runs_are_refused_with_the_file(team, tmp_path):
    with pytest.raises(InputError, match=r"no leads\.parquet"), team.session() as s:
        import_run(s, run_dir=tmp_path, actor="pipe")
    (tmp_path / "leads.parquet").write_bytes(b"PAR1 not really")
    with pytest.raises(InputError, match=r"leads\.parquet"), team.session() as s:
        import_run(s, run_dir=tmp_path, actor="pipe")


def test_only_allowed_roles_import_and_review(team, run1):
    with pytest.raises(PermissionDenied), team.session() as s:
        import_run(s, run_dir=run1, actor="lin")
    with team.session() as s:
        import_run(s, run_dir=run1, actor="pipe")
        cid = list_cases(s)[0].id
    with pytest.raises(PermissionDenied), team.session() as s:
        set_state(s, case_id=cid, state=CaseState.confirmed, actor="aud")
    with team.session() as s:
        assign_case(s, case_id=cid, assignee="ana", actor="sam")
        comment_case(s, case_id=cid, text="calls only at night", actor="ana")
        set_state(s, case_id=cid, state=CaseState.dismissed, actor="ana", reason="test line")
    with pytest.raises(Conflict, match="cannot become"), team.session() as s:
        set_state(s, case_id=cid, state=CaseState.confirmed, actor="ana")
    with pytest.raises(Conflict, match="cannot be assigned"), team.session() as s:
        assign_case(s, case_id=cid, assignee="lin", actor="sam")
    with team.session(readonly=True) as s:
        d = show_case(s, case_id=cid)
    assert d.assignee == "ana" and [c.text for c in d.comments] == [
        "calls only at night",
        "test line",
    ]


def test_a_crash_mid_import_leaves_nothing_and_a_rerun_finishes(team, run1):
    for point in ("import.after_load", "import.before_commit"):
        code = (
            "from pathlib import Path\nfrom fraudwall.db import Database\n"
            "from fraudwall.cases.importer import import_run\n"
            f"db = Database({team.url!r})\n"
            "with db.session() as s:\n"
            f"    import_run(s, run_dir=Path({str(run1)!r}), actor='pipe')\n"
        )
        env = {**os.environ, "FRAUDWALL_CRASH_AT": point}
        p = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, timeout=120)
        assert p.returncode == 137, p.stderr.decode()
        assert _snapshot(team) == ([], 0)
    with team.session() as s:
        assert import_run(s, run_dir=run1, actor="pipe").new == len(
            {(r["entity_id"], r["scenario"]) for r in RUN1}
        )


def test_the_runs_fused_risk_per_entity_comes_along(team, run1):
    import pandas as pd

    pd.DataFrame(
        [
            {
                "entity_type": "msisdn",
                "entity_id": "13800000001",
                "risk_score": 0.9925,
                "action": "push_to_police",
            }
        ]
    ).to_parquet(run1 / "risk.parquet", index=False)
    with team.session() as s:
        import_run(s, run_dir=run1, actor="pipe")
        by_id = {c.entity_id: c for c in list_cases(s)}
    assert by_id["+8613800000001"].entity_risk == 0.9925
    assert by_id["+8613800000001"].entity_action == "push_to_police"
    assert by_id["+8613800000002"].entity_risk is None
