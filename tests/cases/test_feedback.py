"""Police feedback: applied whole or not at all; outcomes become labels the model reads."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pandas as pd
import pytest
from sqlalchemy import func, select

from fraudwall.cases.batches import approve_batch, create_batch
from fraudwall.cases.enums import CaseState
from fraudwall.cases.feedback import import_feedback
from fraudwall.cases.importer import import_run
from fraudwall.cases.labels import write_labels, write_workspace_labels
from fraudwall.cases.models import Feedback, FeedbackImport, Label
from fraudwall.cases.review import list_cases
from fraudwall.cases.stats import precision
from fraudwall.errors import InputError, PermissionDenied

HEADER = "batch,entity_type,entity_id,outcome,case_ref,dens_found,devices_seized,note\n"
GOOD = (
    HEADER
    + "1,msisdn,13800000001,confirmed_fraud,渝公(刑)2026-17,1,3,南岸区窝点\n"
    + "1,msisdn,+8613800000002,not_fraud,,,,正常商户\n"
    + "1,msisdn,13900000009,unknown,,,,\n"
)


@pytest.fixture
def sent(team, run1):
    """Batch 1 (every high lead) approved."""
    with team.session() as s:
        import_run(s, run_dir=run1, actor="pipe")
        create_batch(s, actor="ana", level="high")
    with team.session() as s:
        approve_batch(s, number=1, actor="sam")
    return team


def _counts(db):
    with db.session(readonly=True) as s:
        counts = [
            s.scalar(select(func.count()).select_from(m)) for m in (FeedbackImport, Feedback, Label)
        ]
        return (*counts, tuple(c.state.value for c in list_cases(s)))


def test_gbk_csv_updates_cases_and_makes_labels(sent, tmp_path):
    f = tmp_path / "反馈.csv"
    f.write_bytes(GOOD.encode("gbk"))
    with sent.session() as s:
        r = import_feedback(s, file=f, actor="lin")
    assert r.outcomes == {"confirmed_fraud": 1, "not_fraud": 1, "unknown": 1} and r.labels == 2
    with sent.session(readonly=True) as s:
        by_id = {c.entity_id: c for c in list_cases(s)}
        rows = {(r.entity_id, r.label) for r in s.scalars(select(Label))}
        fb = s.scalars(select(Feedback).where(Feedback.dens_found.is_not(None))).one()
    assert by_id["+8613800000001"].state is CaseState.confirmed
    assert by_id["+8613800000002"].state is CaseState.dismissed
    assert by_id["+8613900000009"].state is CaseState.new
    assert rows == {("+8613800000001", "fraud_caller"), ("+8613800000002", "benign")}
    assert (fb.case_ref, fb.dens_found, fb.devices_seized, fb.note) == (
        "渝公(刑)2026-17",
        1,
        3,
        "南岸区窝点",
    )
    # the same file again changes nothing
    before = _counts(sent)
    with sent.session() as s:
        assert import_feedback(s, file=f, actor="lin").already_imported
    assert _counts(sent) == before


def test_json_feedback_and_a_later_outcome_replaces_the_earlier(sent, tmp_path):
    f = tmp_path / "fb.json"
    f.write_text(
        json.dumps(
            [
                {
                    "batch": 1,
                    "entity_type": "msisdn",
                    "entity_id": "13900000009",
                    "outcome": "unknown",
                }
            ]
        ),
        "utf-8",
    )
    with sent.session() as s:
        assert import_feedback(s, file=f, actor="lin").labels == 0
    f2 = tmp_path / "fb2.json"
    f2.write_text(
        json.dumps(
            {
                "feedback": [
                    {
                        "batch": "1",
                        "entity_type": "msisdn",
                        "entity_id": "13900000009",
                        "outcome": "confirmed_fraud",
                        "dens_found": 2,
                    }
                ]
            }
        )
    )
    with sent.session() as s:
        import_feedback(s, file=f2, actor="lin")
    with sent.session(readonly=True) as s:
        fbs = list(s.scalars(select(Feedback)))
        labels = list(s.scalars(select(Label)))
    assert len(fbs) == 1 and fbs[0].outcome.value == "confirmed_fraud" and fbs[0].dens_found == 2
    assert [(x.entity_id, x.label) for x in labels] == [("+8613900000009", "simbox_sim")]


BAD = [
    ("9,msisdn,13800000001,confirmed_fraud,,,,\n", "row 3, field batch", "no batch '9'"),
    ("1,msisdn,13811112222,confirmed_fraud,,,,\n", "row 3, field entity_id", "not sent in batch 1"),
    ("1,msisdn,13800000001,fraud,,,,\n", "row 3, field outcome", "not one of"),
    ("1,msisdn,13800000001,confirmed_fraud,,-1,,\n", "row 3, field dens_found", "negative"),
    ("1,msisdn,13800000001,confirmed_fraud,,,two,\n", "row 3, field devices_seized", "whole"),
    ("1,msisdn,,confirmed_fraud,,,,\n", "row 3, field entity_id", "required"),
    ("1,msisdn,13800000001,confirmed_fraud\n", "row 3", "4 fields where the header has 8"),
]


@pytest.mark.parametrize(("line", "where", "why"), BAD)
def test_a_bad_row_rejects_the_whole_file_naming_file_row_and_field(
    sent, tmp_path, line, where, why
):
    f = tmp_path / "fb.csv"
    # a good row first: it must not be applied either
    f.write_text(HEADER + "1,msisdn,13800000002,not_fraud,,,,\n" + line, "utf-8")
    before = _counts(sent)
    with pytest.raises(InputError) as e, sent.session() as s:
        import_feedback(s, file=f, actor="lin")
    msg = str(e.value)  # the bad row is the file's third line (the header is row 1)
    assert str(f) in msg and where in msg and why in msg, msg
    assert "nothing was imported" in msg
    assert _counts(sent) == before


@pytest.mark.parametrize(
    ("content", "why"),
    [
        ((HEADER + "1,msisdn,13800000001,not_fraud,,,,\n").encode("utf-16"), "not UTF-8 or GBK"),
        (b"\xff\xfe\xfa" + HEADER.encode(), "not UTF-8 or GBK"),
        ((HEADER + "1,msisdn,13800000001,not_fr").encode(), "truncated"),
        ((HEADER + '1,msisdn,13800000001,not_fraud,"open quote,,,\n').encode(), "truncated"),
        (b'[{"batch": 1, "entity_type": "msisdn", "entity_id": "1380', "truncated"),
        (b"", "empty"),
        (b"batch,entity_id\n1,2\n", "missing columns"),
    ],
)
def test_wrong_encoding_and_truncated_files_are_rejected(sent, tmp_path, content, why):
    f = tmp_path / ("fb.json" if content.startswith(b"[") else "fb.csv")
    f.write_bytes(content)
    before = _counts(sent)
    with pytest.raises(InputError, match=why) as e, sent.session() as s:
        import_feedback(s, file=f, actor="lin")
    assert str(f) in str(e.value)
    assert _counts(sent) == before


def test_only_a_liaison_imports_feedback(sent, tmp_path):
    f = tmp_path / "fb.csv"
    f.write_text(GOOD, "utf-8")
    with pytest.raises(PermissionDenied), sent.session() as s:
        import_feedback(s, file=f, actor="ana")


def test_a_crash_mid_feedback_applies_nothing_and_a_rerun_finishes(sent, tmp_path):
    f = tmp_path / "fb.csv"
    f.write_text(GOOD, "utf-8")
    before = _counts(sent)
    code = (
        "from pathlib import Path\nfrom fraudwall.db import Database\n"
        "from fraudwall.cases.feedback import import_feedback\n"
        f"db = Database({sent.url!r})\n"
        "with db.session() as s:\n"
        f"    import_feedback(s, file=Path({str(f)!r}), actor='lin')\n"
    )
    env = {**os.environ, "FRAUDWALL_CRASH_AT": "feedback.mid_rows"}
    p = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, timeout=120)
    assert p.returncode == 137, p.stderr.decode()
    assert _counts(sent) == before
    with sent.session() as s:
        assert not import_feedback(s, file=f, actor="lin").already_imported
    assert _counts(sent)[:3] == (1, 3, 2)


def test_labels_feed_model_training_and_precision_is_per_detector_scenario_batch(sent, tmp_path):
    from fraudwall.models.workspace import feedback_labels
    from fraudwall.store import Tables, Workspace, connect

    f = tmp_path / "fb.csv"
    f.write_text(GOOD, "utf-8")
    with sent.session() as s:
        import_feedback(s, file=f, actor="lin")
    ws = tmp_path / "ws"
    with sent.session(readonly=True) as s:
        assert write_workspace_labels(s, workspace=ws) == 2
        assert write_labels(s, out=tmp_path / "labels.csv") == 2
        rows = precision(s)
    lab = pd.read_csv(tmp_path / "labels.csv")
    assert list(lab.columns) == ["entity_type", "entity_id", "label", "source", "at", "detail"]
    ids = pd.Index(["+8613800000001", "+8613800000002", "+8613800000003"])
    y = feedback_labels(Tables(Workspace(ws), connect("duckdb")), ids)
    assert y.tolist() == [1, 0, 0]
    got = {(r.by, r.key): (r.leads, r.confirmed, r.not_fraud, r.unknown, r.precision) for r in rows}
    assert got[("batch", "1")] == (4, 1, 1, 1, 0.5)
    assert got[("scenario", "fraud_caller")] == (2, 1, 1, 0, 0.5)
    assert got[("detector", "fraud_complaints")] == (1, 1, 0, 0, 1.0)
    assert got[("scenario", "victim")] == (1, 0, 0, 0, None)
