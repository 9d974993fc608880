"""Confirmed precision of the leads sent, per detector, scenario and batch.

precision = confirmed_fraud / (confirmed_fraud + not_fraud); ``unknown`` outcomes and leads
without feedback are counted but not in the ratio.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from fraudwall.cases.enums import Outcome
from fraudwall.cases.models import Batch, BatchItem, Case, Feedback
from fraudwall.cases.schemas import PrecisionRow


def precision(session: Session) -> list[PrecisionRow]:
    """One row per detector, scenario and batch of every lead ever sent."""
    rows = session.execute(
        select(Batch.number, Case.scenario, Case.detectors, Feedback.outcome)
        .select_from(BatchItem)
        .join(Batch, Batch.id == BatchItem.batch_id)
        .join(Case, Case.id == BatchItem.case_id)
        .outerjoin(
            Feedback, (Feedback.batch_id == BatchItem.batch_id) & (Feedback.case_id == Case.id)
        )
    ).all()
    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for number, scenario, detectors, outcome in rows:
        keys = [("batch", str(number)), ("scenario", scenario)]
        keys += [("detector", d) for d in detectors.split(",") if d]
        for k in keys:
            c = counts[k]
            c["leads"] += 1
            if outcome is not None:
                c[Outcome(outcome).value] += 1
    out = []
    for (by, key), c in sorted(counts.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        judged = c["confirmed_fraud"] + c["not_fraud"]
        out.append(
            PrecisionRow(
                by=by,
                key=key,
                leads=c["leads"],
                with_outcome=judged + c["unknown"],
                confirmed=c["confirmed_fraud"],
                not_fraud=c["not_fraud"],
                unknown=c["unknown"],
                precision=round(c["confirmed_fraud"] / judged, 4) if judged else None,
            )
        )
    return out
