"""``cases import``: a run's leads become cases, set-based.

One case per (entity, scenario). The run's leads are aggregated in DuckDB (best score, every
detector, reasons by score, evidence per detector, a SHA-256 of all of it), numbers are
normalised as the store keeps them, and the result goes to the database in bulk (COPY on
PostgreSQL) into a staging table; a handful of INSERT … SELECT / UPDATE … FROM statements then
add new cases, update the ones whose evidence changed and append their history. A run imported
twice changes nothing: its evidence hashes are already there.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from sqlalchemy import (
    Column,
    DateTime,
    Float,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    func,
    select,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

from fraudwall.cases.common import act, audit, rowcount
from fraudwall.cases.faults import crash_point
from fraudwall.cases.models import Case
from fraudwall.cases.schemas import ImportResult
from fraudwall.db.base import UTCDateTime, utcnow
from fraudwall.errors import InputError
from fraudwall.ingest.normalize import normalize_msisdn
from fraudwall.store import Workspace

LEAD_FIELDS = (
    "entity_type",
    "entity_id",
    "scenario",
    "detector",
    "score",
    "risk_level",
    "reasons",
    "evidence",
    "first_seen",
    "last_seen",
    "run_id",
)
CHUNK = 50_000
Progress = Callable[[int, int], None]

_AGGREGATE = """
SELECT entity_type, entity_id, scenario,
       max(score) AS score,
       arg_max(risk_level, score) AS risk_level,
       string_agg(DISTINCT detector, ',' ORDER BY detector) AS detectors,
       string_agg(reasons, ' | ' ORDER BY score DESC, detector) AS reasons,
       '{' || string_agg(to_json(detector)::VARCHAR || ':' || coalesce(evidence, 'null'), ','
                         ORDER BY detector) || '}' AS evidence,
       min(first_seen) AS first_seen,
       max(last_seen) AS last_seen,
       max(run_id) AS run_id
FROM leads
GROUP BY entity_type, entity_id, scenario
"""


def read_run(run_dir: Path) -> pa.Table:
    """The run's leads aggregated per (entity, scenario), with an evidence hash."""
    path = run_dir / "leads.parquet"
    if not path.exists():
        raise InputError(
            "no leads.parquet here; is this a `fraudwall run` output?", file=str(run_dir)
        )
    try:
        leads = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as e:
        raise InputError(f"not a readable Parquet file: {e}", file=str(path)) from e
    missing = [c for c in LEAD_FIELDS if c not in leads.column_names]
    if missing:
        raise InputError(f"missing columns {missing}", file=str(path), field=missing[0])
    leads = leads.select(list(LEAD_FIELDS))
    leads = leads.set_column(1, "entity_id", _store_ids(leads["entity_type"], leads["entity_id"]))
    tz = _timezone(run_dir)
    for name in ("first_seen", "last_seen"):
        leads = leads.set_column(leads.column_names.index(name), name, _to_utc(leads[name], tz))
    con = duckdb.connect()
    con.execute("SET threads TO 2")
    con.register("leads", leads)
    con.register("risk", _read_risk(run_dir))
    out = con.sql(
        f"WITH agg AS ({_AGGREGATE}), "
        "joined AS (SELECT agg.*, r.risk_score AS entity_risk, r.action AS entity_action "
        "FROM agg LEFT JOIN risk r USING (entity_type, entity_id)) "
        "SELECT *, sha256(concat_ws('\x1f', entity_type, entity_id, scenario, score::VARCHAR, "
        "risk_level, detectors, reasons, evidence, coalesce(entity_risk::VARCHAR, ''))) "
        "AS evidence_hash FROM joined"
    ).arrow()
    con.close()
    table = out.read_all() if isinstance(out, pa.RecordBatchReader) else out
    return table


def _read_risk(run_dir: Path) -> pa.Table:
    """The run's fused risk per entity (``risk.parquet``), ids as the store keeps them; empty
    when the run has none."""
    empty = pa.table(
        {
            "entity_type": pa.array([], pa.string()),
            "entity_id": pa.array([], pa.string()),
            "risk_score": pa.array([], pa.float64()),
            "action": pa.array([], pa.string()),
        }
    )
    path = run_dir / "risk.parquet"
    if not path.exists():
        return empty
    try:
        risk = pq.read_table(path, columns=list(empty.column_names))
    except (pa.ArrowInvalid, OSError, KeyError) as e:
        raise InputError(f"not a readable risk table: {e}", file=str(path)) from e
    ids = _store_ids(risk["entity_type"], risk["entity_id"])
    return pa.table(
        {
            "entity_type": pc.cast(risk["entity_type"], pa.string()),
            "entity_id": ids,
            "risk_score": pc.cast(risk["risk_score"], pa.float64()),
            "action": pc.cast(risk["action"], pa.string()),
        }
    )


def _store_ids(types: pa.ChunkedArray, ids: pa.ChunkedArray) -> pa.Array:
    """Numbers as the store keeps them (E.164), other ids as written."""
    ids = pc.cast(ids, pa.string()).combine_chunks()
    norm, ok = normalize_msisdn(ids)
    use = pc.and_(
        pc.equal(pc.cast(types, pa.string()).combine_chunks(), "msisdn"), pc.fill_null(ok, False)
    )
    return pc.if_else(use, norm, ids)


def _timezone(run_dir: Path) -> str:
    manifest = run_dir / "manifest.json"
    if manifest.exists():
        try:
            return str(json.loads(manifest.read_text("utf-8")).get("timezone", "Asia/Shanghai"))
        except json.JSONDecodeError:
            pass
    return "Asia/Shanghai"


def _to_utc(col: pa.ChunkedArray, tz: str) -> pa.ChunkedArray:
    """Naive run timestamps are local to the workspace's time zone; the database keeps UTC."""
    if not pa.types.is_timestamp(col.type):
        col = pc.cast(col, pa.timestamp("us"))
    if col.type.tz is None:
        col = pc.assume_timezone(col, tz, ambiguous="earliest", nonexistent="earliest")
    return pc.cast(col, pa.timestamp("us", tz="UTC"))


def calls_behind(run_dir: Path) -> list[Path]:
    """The call files behind a run: the days of its window in the workspace its ``run.json``
    names (``fraudwall detect``, daily operation), else the run's own store (``fraudwall
    run``, whose run directory is its workspace)."""
    ws, days = Workspace(run_dir), None
    meta = Path(run_dir) / "run.json"
    if meta.is_file():
        try:
            info = json.loads(meta.read_text("utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as e:
            raise InputError(f"cannot read: {e}", file=str(meta)) from e
        info = info if isinstance(info, dict) else {}
        named = info.get("workspace")
        if isinstance(named, str) and named and Path(named).is_dir():
            ws = Workspace(named)
        window = info.get("window")
        if isinstance(window, dict) and isinstance(window.get("days"), list):
            days = [str(d) for d in window["days"]]
    return ws.parquet_files("calls", days=days)


def _activity(run_dir: Path, ids: pa.Array) -> dict[str, dict[str, Any]]:
    """Per number: its calls behind the run (:func:`calls_behind`) and the numbers it talked
    to most."""
    files = calls_behind(run_dir)
    if not files or len(ids) == 0:
        return {}
    con = duckdb.connect()
    con.execute("SET threads TO 2")
    con.register("ids", pa.table({"msisdn": ids}))
    sources = ", ".join("'" + str(f).replace("'", "''") + "'" for f in files)
    rows = con.sql(
        f"""
        WITH c AS (SELECT msisdn, other_party, direction, started_at, duration_s
                   FROM read_parquet([{sources}], hive_partitioning=false)
                   SEMI JOIN ids USING (msisdn)),
        summary AS (
            SELECT msisdn, count(*) FILTER (direction = 'MO') AS calls_out,
                   count(*) FILTER (direction = 'MT') AS calls_in,
                   count(DISTINCT other_party) FILTER (direction = 'MO') AS distinct_callees,
                   sum(duration_s) AS talk_seconds,
                   min(started_at)::VARCHAR AS first_call, max(started_at)::VARCHAR AS last_call
            FROM c GROUP BY msisdn),
        top AS (
            SELECT msisdn, other_party, count(*) AS n,
                   row_number() OVER (PARTITION BY msisdn ORDER BY count(*) DESC, other_party) AS rk
            FROM c GROUP BY msisdn, other_party)
        SELECT s.*, (SELECT list(struct_pack(number := t.other_party, calls := t.n) ORDER BY t.rk)
                     FROM top t WHERE t.msisdn = s.msisdn AND t.rk <= 5) AS related
        FROM summary s
        """
    ).fetchall()
    con.close()
    out: dict[str, dict[str, Any]] = {}
    for msisdn, c_out, c_in, callees, talk, first, last, related in rows:
        out[msisdn] = {
            "activity": {
                "calls_out": c_out,
                "calls_in": c_in,
                "distinct_callees": callees,
                "talk_seconds": talk,
                "first_call": first,
                "last_call": last,
            },
            "related": {"top_counterparties": related or []},
        }
    return out


def _staging(name: str) -> Table:
    return Table(
        name,
        MetaData(),
        Column("entity_type", String(24)),
        Column("entity_id", String(128)),
        Column("scenario", String(48)),
        Column("score", Float),
        Column("risk_level", String(8)),
        Column("detectors", String(400)),
        Column("reasons", Text),
        Column("evidence", Text),
        Column("first_seen", DateTime(timezone=True)),
        Column("last_seen", DateTime(timezone=True)),
        Column("run_id", String(64)),
        Column("evidence_hash", String(64)),
        Column("entity_risk", Float),
        Column("entity_action", String(32)),
        Column("related", Text),
        Column("activity", Text),
        prefixes=["TEMPORARY"],
    )


def _chunks(table: pa.Table) -> Iterator[list[dict[str, Any]]]:
    for batch in table.to_batches(CHUNK):
        yield batch.to_pylist()


def _load(session: Session, staging: Table, data: pa.Table, progress: Progress | None) -> None:
    conn = session.connection()
    staging.create(conn)
    total, done = data.num_rows, 0
    cols = [c.name for c in staging.columns]
    if conn.dialect.name == "postgresql":
        raw = conn.connection.driver_connection
        assert raw is not None
        with (
            raw.cursor() as cur,
            cur.copy(f"COPY {staging.name} ({', '.join(cols)}) FROM STDIN") as copy,
        ):
            for rows in _chunks(data):
                for r in rows:
                    copy.write_row([r[c] for c in cols])
                done += len(rows)
                if progress:
                    progress(done, total)
        return
    for rows in _chunks(data):
        if conn.dialect.name == "sqlite":  # the staging table keeps UTC text, as Case does
            for r in rows:
                for c in ("first_seen", "last_seen"):
                    if r[c] is not None:
                        r[c] = r[c].replace(tzinfo=None)
        conn.execute(staging.insert(), rows)
        done += len(rows)
        if progress:
            progress(done, total)


def import_run(
    session: Session, *, run_dir: Path, actor: str, progress: Progress | None = None
) -> ImportResult:
    """Load a run's leads as cases: new ones added, changed ones updated with history."""
    who = act(session, actor, "cases.import")
    data = read_run(Path(run_dir))
    run_ids = set(pc.unique(data["run_id"]).to_pylist()) if data.num_rows else set()
    run_id = ",".join(sorted(str(r) for r in run_ids)) or "empty"
    numbers = pc.filter(data["entity_id"], pc.equal(data["entity_type"], "msisdn"))
    extra = _activity(Path(run_dir), numbers.combine_chunks())
    ids = data["entity_id"].to_pylist() if extra else []
    data = data.append_column(
        "related",
        pa.array(
            [json.dumps(extra[i]["related"]) if i in extra else None for i in ids]
            if extra
            else pa.nulls(data.num_rows, pa.string()),
            pa.string(),
        ),
    ).append_column(
        "activity",
        pa.array(
            [json.dumps(extra[i]["activity"]) if i in extra else None for i in ids]
            if extra
            else pa.nulls(data.num_rows, pa.string()),
            pa.string(),
        ),
    )
    name = f"stage_{uuid.uuid4().hex[:10]}"
    staging = _staging(name)
    _load(session, staging, data, progress)
    crash_point("import.after_load")
    now = {"now": utcnow()}
    key = "c.entity_type = s.entity_type AND c.entity_id = s.entity_id AND c.scenario = s.scenario"
    ex = session.execute

    def text(sql: str) -> Any:
        stmt = sql_text(sql)
        return stmt.bindparams(bindparam("now", type_=UTCDateTime())) if ":now" in sql else stmt

    ex(text(f"ALTER TABLE {name} ADD COLUMN case_id BIGINT"))
    ex(text(f"ALTER TABLE {name} ADD COLUMN old_hash VARCHAR(64)"))
    ex(text(f"CREATE INDEX ix_{name} ON {name} (entity_type, entity_id, scenario)"))
    ex(
        text(
            f"UPDATE {name} AS s SET case_id = c.id, old_hash = c.evidence_hash "
            f"FROM cases c WHERE {key}"
        )
    )
    new = rowcount(
        ex(
            text(
                f"""INSERT INTO cases (entity_type, entity_id, scenario, state, score, risk_level,
                detectors, reasons, evidence, evidence_hash, first_seen, last_seen, run_id,
                related, activity, detected_at, evidence_at, updated_at, hold, entity_risk,
                entity_action)
            SELECT entity_type, entity_id, scenario, 'new', score, risk_level, detectors, reasons,
                evidence, evidence_hash, first_seen, last_seen, run_id, {_json("related", session)},
                {_json("activity", session)}, :now, :now, :now, false, entity_risk, entity_action
            FROM {name} WHERE case_id IS NULL"""
            ),
            now,
        )
    )
    ex(
        text(
            f"UPDATE {name} AS s SET case_id = c.id FROM cases c WHERE s.case_id IS NULL AND {key}"
        )
    )
    ex(
        text(
            f"""INSERT INTO case_history (case_id, run_id, at, score, risk_level, detectors,
                reasons, evidence, evidence_hash)
            SELECT case_id, run_id, :now, score, risk_level, detectors, reasons, evidence,
                evidence_hash
            FROM {name} WHERE old_hash IS NULL OR old_hash <> evidence_hash"""
        ),
        now,
    )
    updated = rowcount(
        ex(
            text(
                f"""UPDATE cases AS c SET score = s.score, risk_level = s.risk_level,
                detectors = s.detectors, reasons = s.reasons, evidence = s.evidence,
                evidence_hash = s.evidence_hash, first_seen = s.first_seen,
                last_seen = s.last_seen, run_id = s.run_id,
                related = coalesce({_json("s.related", session)}, c.related),
                activity = coalesce({_json("s.activity", session)}, c.activity),
                entity_risk = s.entity_risk, entity_action = s.entity_action,
                evidence_at = :now, updated_at = :now
            FROM {name} s WHERE s.case_id = c.id AND s.old_hash <> s.evidence_hash"""
            ),
            now,
        )
    )
    staging.drop(session.connection())
    total = session.scalar(select(func.count()).select_from(Case)) or 0
    result = ImportResult(
        run_id=run_id,
        leads=data.num_rows,
        cases=total,
        new=new,
        updated=updated,
        unchanged=data.num_rows - new - updated,
    )
    audit(
        session,
        who,
        "cases.import",
        "run",
        run_id,
        run_dir=str(run_dir),
        **result.model_dump(include={"leads", "new", "updated", "unchanged"}),
    )
    crash_point("import.before_commit")
    return result


def _json(col: str, session: Session) -> str:
    return f"CAST({col} AS JSONB)" if session.get_bind().dialect.name == "postgresql" else col
