"""Police lead batches: propose (numbered), approve by a second supervisor, list, show.

A case already sent with the same evidence is not proposed again; one whose evidence changed
since it was last sent goes out again as an ``update``.
"""

from __future__ import annotations

from sqlalchemy import and_, exists, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from fraudwall.cases.common import act, audit, get_batch, rowcount
from fraudwall.cases.enums import BatchState, CaseState, LeadKind
from fraudwall.cases.models import Batch, BatchItem, Case
from fraudwall.cases.review import LEVELS
from fraudwall.cases.schemas import BatchRead
from fraudwall.db.base import utcnow
from fraudwall.errors import Conflict, InputError, NotFound, PermissionDenied


def _read(session: Session, batch: Batch) -> BatchRead:
    out = BatchRead.model_validate(batch)
    counts: dict[LeadKind, int] = {
        LeadKind(kind): n
        for kind, n in session.execute(
            select(BatchItem.kind, func.count())
            .where(BatchItem.batch_id == batch.id)
            .group_by(BatchItem.kind)
        )
    }
    out.new, out.updates = counts.get(LeadKind.new, 0), counts.get(LeadKind.update, 0)
    out.leads = out.new + out.updates
    return out


def check_unit(unit: str | None) -> str | None:
    """A police unit's name as stored (trimmed), ``None`` for none; :class:`InputError` for a
    blank, over-long or control-character name.

    >>> check_unit("  Yuzhong PSB  ")
    'Yuzhong PSB'
    """
    if unit is None:
        return None
    name = unit.strip()
    if not name or len(name) > 128 or any(ord(c) < 32 for c in name):
        raise InputError("a police unit's name: 1-128 printable characters", field="unit")
    return name


def create_batch(
    session: Session,
    *,
    actor: str,
    level: str | None = "high",
    scenario: str | None = None,
    detector: str | None = None,
    case_ids: list[int] | None = None,
    unit: str | None = None,
) -> BatchRead:
    """Propose the next numbered batch from the cases that match (not dismissed, not already
    sent with the same evidence). Explicit ``case_ids`` must all exist and be sendable.
    ``unit`` is the police unit it is addressed to (only that unit's liaison sees it)."""
    who = act(session, actor, "batch.create")
    unit = check_unit(unit)
    sent = aliased(BatchItem)
    q = select(Case.id, Case.evidence_hash, Case.score).where(
        Case.state != CaseState.dismissed,
        ~exists().where(and_(sent.case_id == Case.id, sent.evidence_hash == Case.evidence_hash)),
    )
    if case_ids:
        found = set(session.scalars(select(Case.id).where(Case.id.in_(case_ids))))
        if missing := sorted(set(case_ids) - found):
            raise NotFound(f"no case {', '.join(map(str, missing))}")
        q = q.where(Case.id.in_(case_ids))
    if level:
        if level not in LEVELS:
            raise InputError(f"unknown level {level!r}; one of {', '.join(LEVELS)}", field="level")
        q = q.where(Case.risk_level.in_(LEVELS[LEVELS.index(level) :]))
    if scenario:
        q = q.where(Case.scenario == scenario)
    if detector:
        q = q.where(("," + Case.detectors + ",").contains(f",{detector},"))
    rows = session.execute(q.order_by(Case.score.desc(), Case.id)).all()
    if case_ids and len(rows) < len(set(case_ids)):
        skipped = sorted(set(case_ids) - {r.id for r in rows})
        raise Conflict(f"cases {skipped} are dismissed, filtered out or already sent as they are")
    if not rows:
        raise Conflict("no case matches that has not already been sent with the same evidence")
    ever_sent = (
        set(
            session.scalars(
                select(BatchItem.case_id).where(BatchItem.case_id.in_([r.id for r in rows]))
            )
        )
        if len(rows) < 30_000
        else set(session.scalars(select(BatchItem.case_id).distinct()))
    )
    number = (session.scalar(select(func.max(Batch.number))) or 0) + 1
    batch = Batch(
        number=number,
        state=BatchState.proposed,
        proposed_by=who.name,
        proposed_at=utcnow(),
        criteria={"level": level, "scenario": scenario, "detector": detector, "cases": case_ids},
        unit=unit,
    )
    session.add(batch)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(f"batch {number} was just created by someone else; try again") from None
    session.execute(
        insert(BatchItem),
        [
            {
                "batch_id": batch.id,
                "case_id": r.id,
                "evidence_hash": r.evidence_hash,
                "score": r.score,
                "kind": LeadKind.update if r.id in ever_sent else LeadKind.new,
            }
            for r in rows
        ],
    )
    out = _read(session, batch)
    audit(
        session,
        who,
        "batch.create",
        "batch",
        number,
        leads=out.leads,
        new=out.new,
        updates=out.updates,
        criteria=batch.criteria,
        unit=unit,
    )
    return out


def approve_batch(session: Session, *, number: int, actor: str) -> BatchRead:
    """Approve a proposed batch. Only a supervisor other than the proposer may; when two try at
    once exactly one succeeds and the other gets :class:`Conflict` naming who approved it."""
    who = act(session, actor, "batch.approve")
    batch = get_batch(session, number)
    if batch.proposed_by == who.name:
        raise PermissionDenied(
            f"batch {number} was proposed by {who.name}; another supervisor must approve it"
        )
    # One conditional UPDATE: the database decides who was first (row lock on PostgreSQL,
    # the write lock on SQLite); the loser's WHERE no longer matches.
    done = rowcount(
        session.execute(
            update(Batch)
            .where(Batch.id == batch.id, Batch.state == BatchState.proposed)
            .values(state=BatchState.approved, approved_by=who.name, approved_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    )
    session.expire(batch)
    if done != 1:
        if batch.approved_by:
            raise Conflict(
                f"batch {number} was already approved by {batch.approved_by} at "
                f"{batch.approved_at:%Y-%m-%d %H:%M:%S} UTC; nothing to do"
            )
        raise Conflict(f"batch {number} is {batch.state.value}; only a proposed batch is approved")
    audit(session, who, "batch.approve", "batch", number, proposed_by=batch.proposed_by)
    return _read(session, batch)


def list_batches(session: Session, *, state: BatchState | None = None) -> list[BatchRead]:
    """Every batch, newest first."""
    q = select(Batch).order_by(Batch.number.desc())
    if state:
        q = q.where(Batch.state == state)
    return [_read(session, b) for b in session.scalars(q)]


def show_batch(session: Session, *, number: int) -> BatchRead:
    """One batch with its counts."""
    return _read(session, get_batch(session, number))
