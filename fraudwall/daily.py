"""``fraudwall daily``: the scheduled job — ingest what arrived, detect over the window, import.

The inbox holds one directory per delivered batch (a contract data directory: ``manifest.json``
and the tables). A batch is taken once its ``manifest.json`` exists (senders write it last);
directories whose name starts with ``.`` are ignored, and an inbox that is itself a data
directory is one batch. What was done is remembered in ``WS/daily.json`` (a fingerprint of each
batch's files); the ingest log skips files already ingested by content, so a batch that grows
is ingested again for its new files only. A run with nothing new does not detect again.

Each run holds the workspace's lock from start to end, so two runs never overlap (the second
fails at once with :class:`~fraudwall.errors.WorkspaceBusy`). Runs are written to
``WS/runs/RUN_ID/``; when a case database is configured, the run's leads are imported with
:func:`fraudwall.cases.importer.import_run` (one case per entity + scenario).
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fraudwall.errors import WorkspaceError
from fraudwall.pipeline import Progress, RunResult, detect_run, new_run_id
from fraudwall.policy import Policy
from fraudwall.store import Workspace

STATE_NAME = "daily.json"
MANIFEST = "manifest.json"


@dataclass
class DailyResult:
    """What one ``daily`` run did."""

    workspace: str
    inbox: str
    ingested: list[str] = field(default_factory=list)
    already_done: list[str] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)
    run_dir: str | None = None
    run: dict[str, Any] | None = None
    cases: dict[str, Any] | None = None
    notices: list[str] = field(default_factory=list)
    exit_code: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "workspace": self.workspace,
            "inbox": self.inbox,
            "ingested": self.ingested,
            "already_done": self.already_done,
            "waiting": self.waiting,
            "run_dir": self.run_dir,
            "run": self.run,
            "cases": self.cases,
            "notices": self.notices,
            "exit_code": self.exit_code,
        }


def batches(inbox: Path) -> tuple[list[Path], list[Path]]:
    """(ready batches in name order, batches still arriving: no manifest yet)."""
    if not inbox.is_dir():
        raise WorkspaceError(f"inbox {inbox} does not exist or is not a directory")
    if (inbox / MANIFEST).exists():
        return [inbox], []
    ready: list[Path] = []
    waiting: list[Path] = []
    for d in sorted(p for p in inbox.iterdir() if p.is_dir() and not p.name.startswith(".")):
        (ready if (d / MANIFEST).exists() else waiting).append(d)
    return ready, waiting


def fingerprint(batch: Path) -> str:
    """Names, sizes and modification times of a batch's files (cheap: no content read)."""
    h = hashlib.sha256()
    for p in sorted(batch.rglob("*")):
        if p.is_file():
            st = p.stat()
            h.update(f"{p.relative_to(batch)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def daily(
    workspace: str | Path,
    inbox: str | Path,
    *,
    window: str | timedelta = "7d",
    as_of: datetime | None = None,
    policy: Policy | None = None,
    engine: str = "duckdb",
    db_url: str | None = None,
    actor: str | None = None,
    report: bool = True,
    progress: Progress | None = None,
) -> DailyResult:
    """Ingest every new batch of ``inbox`` into ``workspace``, detect, import the leads.

    ``db_url`` (or ``FRAUDWALL_DATABASE_URL``) names the case database; leads are imported
    when one is configured and ``actor`` (a user allowed to import) is given, else the step
    is skipped with a notice. Safe to run every hour: idempotent, and locked.
    """
    from fraudwall.ingest import ingest

    ws = Workspace(workspace)
    box = Path(inbox)
    result = DailyResult(str(ws.path), str(box))
    with ws.writing():
        ready, waiting = batches(box)
        result.waiting = [p.name for p in waiting]
        state = _load_state(ws)
        done: dict[str, Any] = state.setdefault("batches", {})
        for b in ready:
            key = str(b.resolve())
            fp = fingerprint(b)
            if done.get(key, {}).get("fingerprint") == fp:
                result.already_done.append(b.name)
                continue
            rep = ingest(b, ws, progress=progress)
            done[key] = {
                "fingerprint": fp,
                "ingested_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "accepted": rep.accepted,
                "rejected": rep.rejected,
                "duplicates": rep.duplicates,
            }
            result.ingested.append(b.name)
            _save_state(ws, state)  # after each batch: a crash later does not redo it
        if not ws.tables():
            result.notices.append("nothing ingested yet: no detection")
            return result
        last = state.get("last_run")
        if not result.ingested and last and Path(last).joinpath("run.json").exists():
            result.notices.append(f"nothing new since {last}: detection not repeated")
            result.run_dir = last
            return result
        run_id = new_run_id()
        out = ws.path / "runs" / run_id
        run = detect_run(
            ws,
            out,
            window=window,
            as_of=as_of,
            policy=policy,
            engine=engine,
            progress=progress,
            report=report,
            run_id=run_id,
        )
        state["last_run"] = str(out)
        _save_state(ws, state)
        result.run_dir, result.run, result.exit_code = str(out), run.summary(), run.exit_code
        result.cases = import_leads(run, db_url=db_url, actor=actor, notices=result.notices)
    return result


def import_leads(
    run: RunResult, *, db_url: str | None, actor: str | None, notices: list[str]
) -> dict[str, Any] | None:
    """Hand a run's leads to the case database, if one is configured (the hook of step 5)."""
    url = db_url or os.environ.get("FRAUDWALL_DATABASE_URL")
    if not url:
        notices.append("no case database configured (--db or FRAUDWALL_DATABASE_URL): not imported")
        return None
    if not actor:
        notices.append("cases import needs --as NAME (a user allowed to import): not imported")
        return None
    try:
        from fraudwall.cases.importer import import_run
        from fraudwall.db import open_database
    except ImportError as e:  # pragma: no cover - the cases package ships with fraudwall
        notices.append(f"case database support unavailable ({e}): not imported")
        return None
    db = open_database(url)
    try:
        with db.session(via="daily") as session:
            imported = import_run(session, run_dir=Path(run.out_dir), actor=actor)
    finally:
        db.dispose()
    return imported.model_dump(mode="json")


def _load_state(ws: Workspace) -> dict[str, Any]:
    p = ws.path / STATE_NAME
    return json.loads(p.read_text("utf-8")) if p.exists() else {"version": 1}


def _save_state(ws: Workspace, state: dict[str, Any]) -> None:
    p = ws.path / STATE_NAME
    tmp = p.with_name(f".{STATE_NAME}.{uuid.uuid4().hex[:8]}.tmp")
    with tmp.open("w", encoding="utf-8") as f:
        f.write(json.dumps(state, indent=1))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, p)
