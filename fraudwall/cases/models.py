"""The case domain's tables: cases and their history, batches, feedback, labels, actions,
appeals. Pydantic Read schemas live in :mod:`fraudwall.cases.schemas`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Enum, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fraudwall.cases.enums import (
    ActionState,
    ActionType,
    AppealState,
    BatchState,
    CaseState,
    LeadKind,
    Outcome,
)
from fraudwall.db.base import Base, BigId, utcnow


def _enum(cls: type, name: str) -> Enum:
    return Enum(cls, name=name, native_enum=False, length=24, validate_strings=True)


class Case(Base):
    """One (entity, scenario): what the detectors say about it now, and where review stands."""

    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("entity_type", "entity_id", "scenario"),
        Index("ix_cases_state_level", "state", "risk_level"),
        # The review queue reads highest score first and stops at a page: walked in order
        # instead of sorting every case per request.
        Index("ix_cases_score", "score", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    entity_type: Mapped[str] = mapped_column(String(24))
    entity_id: Mapped[str] = mapped_column(String(128))
    scenario: Mapped[str] = mapped_column(String(48))
    state: Mapped[CaseState] = mapped_column(_enum(CaseState, "case_state"), default=CaseState.new)
    score: Mapped[float] = mapped_column(Float)
    risk_level: Mapped[str] = mapped_column(String(8))
    detectors: Mapped[str] = mapped_column(String(400))
    reasons: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(Text)  # JSON object: detector -> evidence
    evidence_hash: Mapped[str] = mapped_column(String(64))
    first_seen: Mapped[datetime | None] = mapped_column(default=None)
    last_seen: Mapped[datetime | None] = mapped_column(default=None)
    run_id: Mapped[str] = mapped_column(String(64))
    # From the run's store when it has one: top counterparties and an activity summary.
    related: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    activity: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    # The entity's fused risk over all its scenarios (risk.parquet) and the action it suggests.
    entity_risk: Mapped[float | None] = mapped_column(Float, default=None)
    entity_action: Mapped[str | None] = mapped_column(String(32), default=None)
    detected_at: Mapped[datetime] = mapped_column(default=utcnow)  # first imported
    evidence_at: Mapped[datetime] = mapped_column(default=utcnow)  # evidence last changed
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    assignee: Mapped[str | None] = mapped_column(String(64), default=None)
    # A person restored this subscriber after an appeal: new runs' severe actions need a person.
    hold: Mapped[bool] = mapped_column(default=False)
    hold_reason: Mapped[str | None] = mapped_column(Text, default=None)


class CaseHistory(Base):
    """Every distinct score and reasons a case has had, with the run that brought them."""

    __tablename__ = "case_history"
    __table_args__ = (UniqueConstraint("case_id", "run_id", "evidence_hash"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    run_id: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    score: Mapped[float] = mapped_column(Float)
    risk_level: Mapped[str] = mapped_column(String(8))
    detectors: Mapped[str] = mapped_column(String(400))
    reasons: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(Text)
    evidence_hash: Mapped[str] = mapped_column(String(64))


class CaseComment(Base):
    """A note by a person on a case."""

    __tablename__ = "case_comments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    author: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)


class Batch(Base):
    """A numbered batch of leads for the police."""

    __tablename__ = "batches"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)
    state: Mapped[BatchState] = mapped_column(
        _enum(BatchState, "batch_state"), default=BatchState.proposed
    )
    criteria: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: The police unit the batch is addressed to: only that unit's liaison sees it.
    unit: Mapped[str | None] = mapped_column(String(128), default=None, index=True)
    proposed_by: Mapped[str] = mapped_column(String(64))
    proposed_at: Mapped[datetime] = mapped_column(default=utcnow)
    approved_by: Mapped[str | None] = mapped_column(String(64), default=None)
    approved_at: Mapped[datetime | None] = mapped_column(default=None)
    exported_at: Mapped[datetime | None] = mapped_column(default=None)
    manifest: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)
    delivery: Mapped[dict[str, Any] | None] = mapped_column(default=None)


class BatchItem(Base):
    """One lead in a batch: the case, and the evidence it was sent with."""

    __tablename__ = "batch_items"
    __table_args__ = (UniqueConstraint("batch_id", "case_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[LeadKind] = mapped_column(_enum(LeadKind, "lead_kind"))
    evidence_hash: Mapped[str] = mapped_column(String(64))
    score: Mapped[float] = mapped_column(Float)


class FeedbackImport(Base):
    """One police feedback file, imported whole (its SHA-256 makes re-imports no-ops)."""

    __tablename__ = "feedback_imports"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    file: Mapped[str] = mapped_column(String(500))
    rows: Mapped[int]
    imported_by: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Feedback(Base):
    """The police's outcome for one lead of a batch."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("feedback_imports.id"), index=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    row: Mapped[int]
    outcome: Mapped[Outcome] = mapped_column(_enum(Outcome, "feedback_outcome"))
    case_ref: Mapped[str | None] = mapped_column(String(128), default=None)
    dens_found: Mapped[int | None] = mapped_column(default=None)
    devices_seized: Mapped[int | None] = mapped_column(default=None)
    note: Mapped[str | None] = mapped_column(Text, default=None)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Label(Base):
    """A known outcome in the contract's ``labels`` form, from feedback or a call-back."""

    __tablename__ = "feedback_labels"
    __table_args__ = (UniqueConstraint("origin"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    entity_type: Mapped[str] = mapped_column(String(24))
    entity_id: Mapped[str] = mapped_column(String(128), index=True)
    label: Mapped[str] = mapped_column(String(48))
    source: Mapped[str] = mapped_column(String(48))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    detail: Mapped[str | None] = mapped_column(String(200), default=None)
    origin: Mapped[str] = mapped_column(String(64))  # feedback:<id> | callback:<action id>


class Action(Base):
    """A disposition on a case's subscriber, from request to acknowledgement."""

    __tablename__ = "actions"
    __table_args__ = (Index("ix_actions_state_deadline", "state", "deadline"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    type: Mapped[ActionType] = mapped_column(_enum(ActionType, "action_type"))
    state: Mapped[ActionState] = mapped_column(
        _enum(ActionState, "action_state"), default=ActionState.requested
    )
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    deadline: Mapped[datetime]
    approved_by: Mapped[str | None] = mapped_column(String(64), default=None)
    approved_at: Mapped[datetime | None] = mapped_column(default=None)
    automatic: Mapped[bool] = mapped_column(default=False)
    command_id: Mapped[str] = mapped_column(String(64), unique=True)  # idempotency key
    dispatched_at: Mapped[datetime | None] = mapped_column(default=None)
    acknowledged_at: Mapped[datetime | None] = mapped_column(default=None)
    ack_status: Mapped[str | None] = mapped_column(String(32), default=None)
    reverses: Mapped[int | None] = mapped_column(ForeignKey("actions.id"), default=None)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Appeal(Base):
    """A subscriber's appeal against an action on their number (复通)."""

    __tablename__ = "appeals"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    state: Mapped[AppealState] = mapped_column(
        _enum(AppealState, "appeal_state"), default=AppealState.open
    )
    reason: Mapped[str] = mapped_column(Text)
    opened_by: Mapped[str] = mapped_column(String(64))
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    reverify_result: Mapped[str | None] = mapped_column(String(16), default=None)
    reverify_note: Mapped[str | None] = mapped_column(Text, default=None)
    reverified_by: Mapped[str | None] = mapped_column(String(64), default=None)
    decided_by: Mapped[str | None] = mapped_column(String(64), default=None)
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    decision_note: Mapped[str | None] = mapped_column(Text, default=None)
    restore_action_id: Mapped[int | None] = mapped_column(ForeignKey("actions.id"), default=None)


class Setting(Base):
    """A switch a supervisor flips at run time (e.g. the automatic path for severe actions)."""

    __tablename__ = "case_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
