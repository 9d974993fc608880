"""Running detectors and turning their hits into leads: score, risk level, reasons, evidence."""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from fraudwall.detectors.base import LEAD_CORE_COLUMNS, Context, Detector, Params
from fraudwall.policy import Policy
from fraudwall.store.engine import engine_of
from fraudwall.timing import SHARED_SECTION

log = logging.getLogger(__name__)

#: Columns of leads.parquet / leads.csv, in order (contract v1).
LEAD_COLUMNS = [
    "entity_type",
    "entity_id",
    "scenario",
    "detector",
    "signal",
    "score",
    "risk_level",
    "reasons",
    "evidence",
    "first_seen",
    "last_seen",
    "run_id",
    "policy_version",
]

#: Parameters that steer the framework rather than a detector's logic; not shown as evidence.
_FRAMEWORK_PARAMS = {"enabled", "weight"}


@dataclass
class DetectionResult:
    leads: pd.DataFrame
    ran: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    #: Detectors that raised, with their error (``ExceptionType: message``); the others ran.
    failed: dict[str, str] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    #: Wall seconds per detector, its own work only: the feature families and other detectors'
    #: hits it was first to need are charged to them.
    seconds: dict[str, float] = field(default_factory=dict)
    #: Wall seconds per feature family (and table derived for several detectors, such as
    #: ``sighting_spans``) materialised in the run.
    feature_seconds: dict[str, float] = field(default_factory=dict)


def run_detectors(
    ctx: Context,
    policy: Policy,
    library: dict[str, type[Detector]],
    *,
    run_id: str,
    on_step: Callable[[str], None] | None = None,
) -> DetectionResult:
    """Run every enabled detector whose tables exist; the others are skipped with a reason.

    A detector that raises is recorded in ``failed`` with its error and yields no leads; the
    rest of the library still runs (one broken detector must not hide every other scenario).
    """
    frames, result = [], DetectionResult(pd.DataFrame(columns=LEAD_COLUMNS))
    for name, cls in library.items():
        params = policy.params(name)
        missing = [t for t in cls.requires if not ctx.has(t)]
        if not params.enabled:
            result.skipped[name] = "disabled by policy"
        elif why := cls.skip_reason(params):
            result.skipped[name] = why
        elif missing:
            result.skipped[name] = f"input tables absent: {', '.join(missing)}"
        else:
            try:
                with ctx.features.ledger.section(name):
                    hits = engine_of(ctx.con).collect(ctx.hits(cls))
                    leads = to_leads(cls, hits, params, policy, run_id)
            except Exception as e:  # isolation: record the failure, run the others
                log.exception("detector %s failed", name)
                result.failed[name] = f"{type(e).__name__}: {e}"
            else:
                result.ran.append(name)
                result.counts[name] = len(leads)
                frames.append(leads)
        if on_step:
            on_step(name)
    times = ctx.features.ledger.rounded()
    result.feature_seconds = ctx.features.ledger.rounded(SHARED_SECTION)
    result.seconds = {k: v for k, v in times.items() if not k.startswith(SHARED_SECTION)}
    if frames:
        leads = pd.concat([f for f in frames if len(f)] or frames[:1], ignore_index=True)
        result.leads = corroborated(leads, library)
        for name in result.ran:
            if library[name].needs_corroboration:
                result.counts[name] = int((result.leads["detector"] == name).sum())
    return result


def corroborated(leads: pd.DataFrame, library: dict[str, type[Detector]]) -> pd.DataFrame:
    """``leads`` without the uncorroborated leads of companion detectors.

    A detector with ``needs_corroboration`` keeps a lead only when a detector of another
    signal, itself not a companion, flags the same entity as a misuser: a victim lead says
    the number was targeted, not that it misbehaves, so it does not count.

    >>> lib = {"a": type("A", (), {"needs_corroboration": True}),
    ...        "b": type("B", (), {"needs_corroboration": False})}
    >>> leads = pd.DataFrame({"entity_type": ["msisdn"] * 3, "entity_id": ["1", "2", "1"],
    ...     "detector": ["a", "a", "b"], "signal": ["anomaly", "anomaly", "cold_calling"],
    ...     "scenario": ["fraud_caller"] * 3})
    >>> corroborated(leads, lib)[["entity_id", "detector"]].values.tolist()
    [['1', 'a'], ['1', 'b']]
    """
    weak = {n for n, cls in library.items() if getattr(cls, "needs_corroboration", False)}
    is_weak = leads["detector"].isin(weak)
    if leads.empty or not is_weak.any():
        return leads
    key = ["entity_type", "entity_id"]
    support = leads.loc[~is_weak & (leads["scenario"] != "victim"), [*key, "signal"]]
    cand = leads.loc[is_weak, [*key, "signal"]].reset_index()
    both = cand.merge(support.drop_duplicates(), on=key, suffixes=("", "_other"))
    backed = both.loc[both["signal"] != both["signal_other"], "index"].unique()
    keep = ~is_weak | leads.index.isin(backed)
    return leads[keep].reset_index(drop=True)


def to_leads(
    cls: type[Detector], hits: pd.DataFrame, params: Params, policy: Policy, run_id: str
) -> pd.DataFrame:
    """Leads of one detector from its hits (one row per flagged entity)."""
    missing = [c for c in LEAD_CORE_COLUMNS if c not in hits.columns]
    if missing:
        raise AssertionError(f"detector {cls.name!r} returned no {missing} columns")
    evidence_cols = [c for c in hits.columns if c not in LEAD_CORE_COLUMNS]
    thresholds = {k: v for k, v in params.model_dump().items() if k not in _FRAMEWORK_PARAMS}
    score = hits["score"].astype("float64").clip(0.0, 1.0).fillna(0.0).to_numpy()
    levels = np.select(
        [score >= policy.risk.high, score >= policy.risk.medium], ["high", "medium"], "low"
    )
    records = hits[evidence_cols].to_dict("records")
    # One formatted sentence and one JSON object per lead: leads are few, so this is cheap.
    reasons = [cls.reason.format(**_plain(r), **thresholds) for r in records]
    evidence = [
        json.dumps(
            {"features": _plain(r), "thresholds": thresholds}, ensure_ascii=False, default=str
        )
        for r in records
    ]
    out = pd.DataFrame(
        {
            "entity_type": cls.entity_type(),
            "entity_id": hits["entity_id"].astype("string"),
            "scenario": cls.scenario,
            "detector": cls.name,
            "signal": cls.signal,
            "score": score.round(4),
            "risk_level": levels,
            "reasons": reasons,
            "evidence": evidence,
            "first_seen": pd.to_datetime(hits["first_seen"]),
            "last_seen": pd.to_datetime(hits["last_seen"]),
            "run_id": run_id,
            "policy_version": policy.version,
        }
    )
    return out.sort_values(["score", "entity_id"], ascending=[False, True], ignore_index=True)


def _plain(record: dict[str, Any]) -> dict[str, Any]:
    """Evidence values as JSON-friendly Python scalars (NaN becomes None, floats rounded)."""
    out: dict[str, Any] = {}
    for k, v in record.items():
        if isinstance(v, np.generic):
            v = v.item()
        if isinstance(v, float):
            v = None if math.isnan(v) else round(v, 4)
        elif v is pd.NaT or v is pd.NA:
            v = None
        elif isinstance(v, pd.Timestamp):
            v = v.isoformat(sep=" ")
        out[k] = v
    return out
