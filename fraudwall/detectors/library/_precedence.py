"""Scenario precedence: leave an entity to the detector whose scenario explains it best.

Some behaviours fit several scenarios: a burst of one-ring calls is machine-paced dialling
too, and a woken dormant card that dials strangers is a cold caller too. The scenarios of the
contract are alternatives an analyst acts on differently, so a detector of the broader scenario
steps aside for the narrower one (``wangiri`` before ``outbound_burst``, ``silent_awakened``
before ``fraud_caller``). Each detector says in its docstring whom it yields to.
"""

from __future__ import annotations

import ibis.expr.types as ir

from fraudwall.detectors.base import Context, Detector


def yield_to(ctx: Context, hits: ir.Table, *others: type[Detector]) -> ir.Table:
    """``hits`` without the entities that ``others`` flag under the run's policy.

    Detectors whose tables are absent or that the policy disables flag nothing.
    """
    for cls in others:
        if ctx.runnable(cls):
            hits = hits.anti_join(ctx.hits(cls).select("entity_id"), "entity_id")
    return hits
