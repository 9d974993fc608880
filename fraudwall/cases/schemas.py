"""Pydantic schemas the commands print and the API returns (kept apart from the tables)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from fraudwall.cases.enums import (
    ActionState,
    ActionType,
    AppealState,
    BatchState,
    CaseState,
    LeadKind,
    Outcome,
)


class _Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class CaseRead(_Read):
    """A case as lists show it."""

    id: int
    entity_type: str
    entity_id: str
    scenario: str
    state: CaseState
    score: float
    risk_level: str
    detectors: str
    reasons: str
    run_id: str
    assignee: str | None
    hold: bool
    entity_risk: float | None = None
    entity_action: str | None = None
    detected_at: datetime
    evidence_at: datetime
    updated_at: datetime


class HistoryRead(_Read):
    """One score and reasons a case had, from one run."""

    run_id: str
    at: datetime
    score: float
    risk_level: str
    detectors: str
    reasons: str
    evidence: Any

    @field_validator("evidence", mode="before")
    @classmethod
    def _parse(cls, v: Any) -> Any:
        return json.loads(v) if isinstance(v, str) else v


class CommentRead(_Read):
    """A note on a case."""

    at: datetime
    author: str
    text: str


class CaseDetail(CaseRead):
    """A case with everything that happened to it."""

    evidence: Any
    first_seen: datetime | None
    last_seen: datetime | None
    related: dict[str, Any] | None
    activity: dict[str, Any] | None
    hold_reason: str | None
    history: list[HistoryRead] = []
    comments: list[CommentRead] = []
    batches: list[int] = []
    feedback: list[FeedbackRead] = []
    actions: list[ActionRead] = []
    appeals: list[AppealRead] = []

    @field_validator("evidence", mode="before")
    @classmethod
    def _parse(cls, v: Any) -> Any:
        return json.loads(v) if isinstance(v, str) else v


class ImportResult(BaseModel):
    """What importing a run did."""

    run_id: str
    leads: int
    cases: int
    new: int
    updated: int
    unchanged: int


class BatchItemRead(_Read):
    """One lead of a batch."""

    case_id: int
    kind: LeadKind
    score: float


class BatchRead(_Read):
    """A police lead batch."""

    id: int
    number: int
    state: BatchState
    criteria: dict[str, Any]
    unit: str | None = None
    proposed_by: str
    proposed_at: datetime
    approved_by: str | None
    approved_at: datetime | None
    exported_at: datetime | None
    delivered_at: datetime | None
    delivery: dict[str, Any] | None
    leads: int = 0
    new: int = 0
    updates: int = 0


class ExportResult(BaseModel):
    """Files written for a batch, with their SHA-256."""

    number: int
    out: str
    files: dict[str, str]


class FeedbackRead(_Read):
    """The police's outcome for one lead."""

    batch_id: int
    case_id: int
    outcome: Outcome
    case_ref: str | None
    dens_found: int | None
    devices_seized: int | None
    note: str | None
    at: datetime


class FeedbackImportResult(BaseModel):
    """What importing a feedback file did."""

    id: int
    file: str
    sha256: str
    rows: int
    already_imported: bool
    outcomes: dict[str, int]
    labels: int


class ActionRead(_Read):
    """A disposition and where it stands."""

    id: int
    case_id: int
    type: ActionType
    state: ActionState
    requested_by: str
    requested_at: datetime
    deadline: datetime
    approved_by: str | None
    approved_at: datetime | None
    automatic: bool
    command_id: str
    dispatched_at: datetime | None
    acknowledged_at: datetime | None
    ack_status: str | None
    reverses: int | None
    detail: dict[str, Any]


class AppealRead(_Read):
    """An appeal and its decision."""

    id: int
    case_id: int
    state: AppealState
    reason: str
    opened_by: str
    opened_at: datetime
    reverify_result: str | None
    reverify_note: str | None
    reverified_by: str | None
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None
    restore_action_id: int | None


class PrecisionRow(BaseModel):
    """Confirmed precision of one detector, scenario or batch."""

    by: str
    key: str
    leads: int
    with_outcome: int
    confirmed: int
    not_fraud: int
    unknown: int
    precision: float | None


CaseDetail.model_rebuild()
