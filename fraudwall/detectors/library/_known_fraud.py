"""The numbers the library holds to be fraud callers, for detectors that build on them.

Victims are found through the numbers that defraud them, and fraud domains through the people
who visit them. Both need the best list of fraud numbers the run has: numbers whose calling
behaviour the ``fraud_caller`` detector flags, SIMs living in SIM boxes (``simbox_sim``),
numbers several subscribers report as fraud (``fraud_complaints``, at the medium risk level or
above) and numbers the ``labels`` table confirms (police feedback). A caller that slips past one
of these is usually caught by another, and its victims with it.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from fraudwall.detectors.base import Context
from fraudwall.detectors.library.fraud_caller import FraudCaller
from fraudwall.detectors.library.fraud_complaints import FraudComplaints
from fraudwall.detectors.library.relation_shared_device import (
    FRAUD_NUMBER_LABELS,
    confirmed_numbers,
)
from fraudwall.detectors.library.simbox_sim import SimboxSim

#: Score at which a lead reaches an analyst when the run has no policy (``risk.medium``).
_DEFAULT_MEDIUM = 0.6


def flagged_callers(ctx: Context) -> ir.Table:
    """``caller, caller_score``: every number held to be a fraud caller, with its best score.

    Confirmed numbers score 1. Sources whose tables are absent or that the policy disables
    add nothing.
    """
    medium = ctx.policy.risk.medium if ctx.policy is not None else _DEFAULT_MEDIUM
    parts: list[ir.Table] = []
    for cls in (FraudCaller, SimboxSim):
        if ctx.runnable(cls):
            h = ctx.hits(cls)
            parts.append(h.select(caller=h.entity_id, caller_score=h.score.cast("float64")))
    if ctx.runnable(FraudComplaints):
        h = ctx.hits(FraudComplaints)
        h = h.filter(h.score >= medium)
        parts.append(h.select(caller=h.entity_id, caller_score=h.score.cast("float64")))
    if ctx.has("labels"):
        k = confirmed_numbers(ctx, FRAUD_NUMBER_LABELS)
        parts.append(k.select(caller=k.msisdn, caller_score=ibis.literal(1.0, "float64")))
    if not parts:
        calls = ctx.tables["calls"]
        return calls.select(caller=calls.msisdn, caller_score=ibis.literal(0.0, "float64")).limit(0)
    rows = parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0]
    return rows.group_by("caller").agg(caller_score=rows.caller_score.max())
