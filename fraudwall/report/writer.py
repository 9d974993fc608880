"""``write_report``: one self-contained HTML file summarising a run.

Inline CSS and inline SVG only: the file opens on a machine without network and can be mailed
as it is. Each section is built on its own; a section that fails shows the error in place and
the rest of the report is still written (a report must never break a run).
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

import fraudwall
from fraudwall.privacy import scrub_text
from fraudwall.report import activity, evaluation, flagged, ingestion, run_summary
from fraudwall.report.model import Section
from fraudwall.store import Tables, Workspace, connect

log = logging.getLogger(__name__)

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("fraudwall.report", "templates"),
    autoescape=jinja2.select_autoescape(["html"]),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def write_report(result: Any, path: str | os.PathLike[str]) -> Path:
    """Write the HTML report of a run (a ``fraudwall.pipeline.RunResult``) to ``path``.

    The workspace is ``result.out_dir``; its stored tables are aggregated on DuckDB. Every
    phone number, IMEI and holder id in the report is masked (:mod:`fraudwall.privacy`).
    Returns the path written.
    """
    out = Path(path)
    ws = Workspace(getattr(result, "out_dir", out.parent))
    con = connect("duckdb", threads=min(2, os.cpu_count() or 1))
    try:
        tables = Tables(ws, con)
        leads = getattr(result, "leads", None)
        sections = [
            _section("run", "Run summary", run_summary.build, result),
            _section(
                "ingestion", "Ingestion", ingestion.build, getattr(result, "ingest", None), ws, con
            ),
            _section("leads", "Leads by scenario and risk level", flagged.leads_by_scenario, leads),
            _section(
                "scores", "Score distribution per scenario", flagged.score_distributions, leads
            ),
            _section("hourly", "Hourly call profile", activity.build, leads, tables),
            _section(
                "entities",
                "Top flagged entities",
                flagged.top_entities,
                getattr(result, "risk", None),
            ),
            _section(
                "evaluation",
                "Evaluation against known outcomes",
                evaluation.build,
                _evaluation_dir(result, out, ws),
                getattr(result, "run_id", None),
            ),
        ]
    finally:
        con.disconnect()
    html = _ENV.get_template("report.html").render(
        title=f"fraudwall run {getattr(result, 'run_id', '')}",
        generated=datetime.now(UTC).isoformat(timespec="seconds"),
        version=fraudwall.__version__,
        sections={s.id: s for s in sections},
        order=[s.id for s in sections],
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{uuid.uuid4().hex}.tmp")
    tmp.write_text(html, "utf-8")
    tmp.replace(out)
    return out


def _evaluation_dir(result: Any, out: Path, ws: Workspace) -> Path:
    """Where the run's ``evaluation.json`` lives: next to the report, else in the workspace."""
    return out.parent if (out.parent / "evaluation.json").exists() else ws.path


def _section(sid: str, title: str, build: Callable[..., Section], *args: Any) -> Section:
    """Build one section; an unexpected failure becomes a visible error in that section."""
    try:
        return build(*args)
    except Exception as e:  # a report degrades section by section instead of failing the run
        log.exception("report section %s failed", sid)
        # Engine errors may quote values; scrub numbers before they reach the page.
        message = scrub_text(pd.Series([f"{type(e).__name__}: {e}"[:500]])).iloc[0]
        return Section(sid, title, error=str(message))
