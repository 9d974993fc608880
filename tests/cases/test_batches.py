"""Police lead batches: proposal, second-supervisor approval (also under a race), export
written whole or not at all, delivery to an outbox or a local HTTP endpoint."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
from openpyxl import load_workbook

from fraudwall.cases.batches import approve_batch, create_batch, show_batch
from fraudwall.cases.delivery import DeliveryFailed, deliver_batch
from fraudwall.cases.enums import BatchState, CaseState
from fraudwall.cases.export import export_batch
from fraudwall.cases.importer import import_run
from fraudwall.cases.review import list_cases, set_state
from fraudwall.errors import Conflict, NotFound, PermissionDenied

from .conftest import lead


@pytest.fixture
def loaded(team, run1):
    with team.session() as s:
        import_run(s, run_dir=run1, actor="pipe")
    return team


def _approved(db, **criteria) -> int:
    with db.session() as s:
        n = create_batch(s, actor="ana", **criteria).number
    with db.session() as s:
        approve_batch(s, number=n, actor="sam")
    return n


def test_create_selects_by_level_scenario_detector_and_never_resends(loaded, make_run):
    db = loaded
    with db.session() as s:
        b = create_batch(s, actor="ana", level="high", scenario="fraud_caller")
    assert (b.number, b.leads, b.new, b.updates, b.state) == (1, 2, 2, 0, BatchState.proposed)
    with pytest.raises(Conflict, match="already been sent"), db.session() as s:
        create_batch(s, actor="ana", level="high", scenario="fraud_caller")
    with db.session() as s:
        b2 = create_batch(s, actor="ana", level="low", detector="simbox_rotation")
    assert (b2.number, b2.leads) == (2, 1)
    # new evidence on a number already sent: it goes out again, as an update
    with db.session() as s:
        import_run(
            s, run_dir=make_run("r2", [lead("13800000002", score=0.97, run_id="r2")]), actor="pipe"
        )
        b3 = create_batch(s, actor="ana", level="high", scenario="fraud_caller")
    assert (b3.number, b3.leads, b3.new, b3.updates) == (3, 1, 0, 1)


def test_dismissed_and_unknown_cases_are_refused(loaded):
    with loaded.session() as s:
        cid = list_cases(s, scenario="fraud_caller")[0].id
        set_state(s, case_id=cid, state=CaseState.dismissed, actor="ana")
    with pytest.raises(Conflict, match="dismissed"), loaded.session() as s:
        create_batch(s, actor="ana", level=None, case_ids=[cid])
    with pytest.raises(NotFound, match="no case 999"), loaded.session() as s:
        create_batch(s, actor="ana", level=None, case_ids=[999])
    with pytest.raises(PermissionDenied), loaded.session() as s:
        create_batch(s, actor="lin")


def test_approval_needs_a_supervisor_other_than_the_proposer(loaded):
    with loaded.session() as s:
        n = create_batch(s, actor="sam", level="high").number
    for who, err in (("sam", "another supervisor"), ("ana", "may not do batch.approve")):
        with pytest.raises(PermissionDenied, match=err), loaded.session() as s:
            approve_batch(s, number=n, actor=who)
    with loaded.session() as s:
        assert approve_batch(s, number=n, actor="sue").approved_by == "sue"
    with pytest.raises(Conflict, match="already approved by sue"), loaded.session() as s:
        approve_batch(s, number=n, actor="sue")


_RACE = """
import sys, time
from fraudwall.db import Database
from fraudwall.cases.batches import approve_batch
from fraudwall.errors import FraudwallError
db = Database(sys.argv[1])
time.sleep(max(0.0, float(sys.argv[3]) - time.time()))
try:
    with db.session() as s:
        approve_batch(s, number=1, actor=sys.argv[2])
    print("WON")
except FraudwallError as e:
    print("LOST", e)
"""


def test_two_supervisors_approving_at_once_exactly_one_wins(loaded):
    with loaded.session() as s:
        create_batch(s, actor="ana", level="high")
    start = f"{time.time() + 2.0:.3f}"  # both processes are connected and waiting by then
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _RACE, loaded.url, who, start],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for who in ("sam", "sue")
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    results = sorted(o.strip() for o, _e in outs)
    assert all(p.returncode == 0 for p in procs), outs
    assert results[1] == "WON", results
    assert results[0].startswith("LOST batch 1 was already approved by "), results
    with loaded.session(readonly=True) as s:
        b = show_batch(s, number=1)
    assert b.state is BatchState.approved and b.approved_by in results[0]


def test_export_writes_the_four_files_with_their_sha256(loaded, tmp_path):
    n = _approved(loaded, level="high")
    with pytest.raises(PermissionDenied), loaded.session() as s:
        export_batch(s, number=n, out=tmp_path / "x", actor="ana")
    with loaded.session() as s:
        r = export_batch(s, number=n, out=tmp_path / "out", actor="lin")
    out = tmp_path / "out"
    names = sorted(p.name for p in out.iterdir())
    assert names == ["batch-1.csv", "batch-1.json", "batch-1.xlsx", "manifest.json"]
    manifest = json.loads((out / "manifest.json").read_text())
    for name, sha in manifest["files"].items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == sha == r.files[name]
    leads = json.loads((out / "batch-1.json").read_text())["leads"]
    assert [x["entity_id"] for x in leads][:1] == ["+8613900000009"]
    assert {
        "entity_id",
        "scenario",
        "risk_score",
        "reasons",
        "evidence",
        "related_numbers",
        "activity",
        "kind",
    } <= set(leads[0])
    sheet = load_workbook(out / "batch-1.xlsx").active
    assert sheet.max_row == len(leads) + 1
    csv_text = (out / "batch-1.csv").read_text("utf-8-sig")
    assert csv_text.count("\n") == len(leads) + 1
    with loaded.session(readonly=True) as s:
        assert show_batch(s, number=n).state is BatchState.exported
    with pytest.raises(Conflict, match="not approved"), loaded.session() as s:
        m = create_batch(s, actor="ana", level="low").number
        export_batch(s, number=m, out=tmp_path / "y", actor="lin")


def test_a_crash_mid_export_leaves_nothing_half_written(loaded, tmp_path):
    n = _approved(loaded, level="high")
    out = tmp_path / "export"
    code = (
        "from pathlib import Path\nfrom fraudwall.db import Database\n"
        "from fraudwall.cases.export import export_batch\n"
        f"db = Database({loaded.url!r})\n"
        "with db.session() as s:\n"
        f"    export_batch(s, number={n}, out=Path({str(out)!r}), actor='lin')\n"
    )
    for point in ("export.mid_files", "export.before_commit"):
        env = {**os.environ, "FRAUDWALL_CRASH_AT": point}
        p = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, timeout=120)
        assert p.returncode == 137, p.stderr.decode()
        with loaded.session(readonly=True) as s:
            assert show_batch(s, number=n).state is BatchState.approved
        if point == "export.mid_files":
            assert not out.exists()  # the half-written files stayed in the temporary directory
        else:  # files complete and consistent; the database did not record the export
            m = json.loads((out / "manifest.json").read_text())
            assert all(
                hashlib.sha256((out / f).read_bytes()).hexdigest() == h
                for f, h in m["files"].items()
            )
    with loaded.session() as s:
        export_batch(s, number=n, out=out, actor="lin")
    with loaded.session(readonly=True) as s:
        assert show_batch(s, number=n).state is BatchState.exported
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


class _Police(BaseHTTPRequestHandler):
    """A receiving endpoint that fails the first ``fail`` requests with 503."""

    fail = 1
    seen: ClassVar[list[tuple[str, dict]]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).seen.append((self.headers.get("Idempotency-Key", ""), body))
        if type(self).fail > 0:
            type(self).fail -= 1
            self.send_response(503)
            self.end_headers()
            return
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"received": true}')

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def police():
    _Police.fail, _Police.seen = 1, []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Police)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/leads", _Police
    server.shutdown()
    server.server_close()


def test_delivery_by_http_retries_with_one_idempotency_key(loaded, tmp_path, police):
    url, handler = police
    n = _approved(loaded, level="high")
    with pytest.raises(Conflict, match="not exported"), loaded.session() as s:
        deliver_batch(s, number=n, actor="lin", url=url)
    with loaded.session() as s:
        export_batch(s, number=n, out=tmp_path / "out", actor="lin")
    with loaded.session() as s:
        b = deliver_batch(s, number=n, actor="lin", url=url)
    assert b.state is BatchState.delivered and b.delivery["status"] == 201
    keys = {k for k, _b in handler.seen}
    assert len(handler.seen) == 2 and len(keys) == 1 and keys.pop().startswith("fraudwall-batch-1")
    assert handler.seen[-1][1]["batch"] == n and len(handler.seen[-1][1]["leads"]) == b.leads


def test_delivery_gives_up_on_a_refusal_or_an_unreachable_endpoint(loaded, tmp_path, police):
    url, handler = police
    n = _approved(loaded, level="high")
    with loaded.session() as s:
        export_batch(s, number=n, out=tmp_path / "out", actor="lin")
    handler.fail = 10
    with pytest.raises(DeliveryFailed, match="gave up after 4 attempts"), loaded.session() as s:
        deliver_batch(s, number=n, actor="lin", url=url)
    with pytest.raises(DeliveryFailed), loaded.session() as s:
        deliver_batch(s, number=n, actor="lin", url="http://127.0.0.1:9/closed")
    with loaded.session(readonly=True) as s:
        assert show_batch(s, number=n).state is BatchState.exported


def test_delivery_to_an_outbox_folder(loaded, tmp_path):
    n = _approved(loaded, level="high")
    with loaded.session() as s:
        export_batch(s, number=n, out=tmp_path / "out", actor="lin")
        b = deliver_batch(s, number=n, actor="lin", outbox=tmp_path / "outbox")
    got = tmp_path / "outbox" / f"batch-{n}"
    assert b.delivery["outbox"] == str(got)
    assert sorted(p.name for p in got.iterdir()) == sorted(
        p.name for p in (tmp_path / "out").iterdir()
    )
