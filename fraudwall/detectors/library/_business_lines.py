"""Established company lines: enterprise cards held for a year or more, or that customers call.

Call centres, hotlines, outbound sales and survey lines dial (or text) as many strangers as a
cold caller, but the operator's own records say what they are: registered to an enterprise
holder long before the period. Fraud callers and SIM-box SIMs run on cards registered days or
weeks before use (``new_card_burst``, ``outlet_registration_burst``), and hardly anybody calls
them: an enterprise line that a tenth or more of its calls come in to is a service line whatever
its age (a cold caller's inbound share is a few percent: call-backs of curious callees).
Detectors of calling or texting patterns leave such lines out; a company line that is abused
is left to the detectors of narrower evidence (complaints, relations, content) and to the
analyst. A *new* card of such an enterprise (a call centre adding an outbound line) is new
but not suspicious for being new: the detectors of fresh cards leave out the cards of
enterprises that have held a card for a year (:func:`established_enterprise_cards`).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from fraudwall.detectors.base import Context

#: Days an enterprise must have held a card before the period for it to count as established.
MIN_AGE_DAYS = 365
#: Share of an enterprise line's calls that are inbound from which customers call it.
MIN_INBOUND_SHARE = 0.1


def _enterprise_cards(ctx: Context) -> tuple[ir.Table, ir.Table] | None:
    """Enterprise cards, and those of them activated :data:`MIN_AGE_DAYS` or more before the
    period (its first call); ``None`` without the tables needed."""
    if not (ctx.has("subscribers") and ctx.has("calls")):
        return None
    s = ctx.tables["subscribers"]
    c = ctx.tables["calls"]
    ent = s.filter(s.holder_type == "enterprise")
    ref = c.aggregate(period_start=c.started_at.min())
    dated = ent.filter(ent.activated_at.notnull()).cross_join(ref)
    old = dated.filter(dated.activated_at < dated.period_start - ibis.interval(days=MIN_AGE_DAYS))
    return ent, old


def business_lines(ctx: Context) -> ir.Table | None:
    """``entity_id`` of established enterprise lines, or ``None`` without the tables needed."""
    cards = _enterprise_cards(ctx)
    if cards is None:
        return None
    ent, old = cards
    c = ctx.tables["calls"]
    inbound = c.group_by(entity_id=c.msisdn).agg(
        inbound_share=(c.direction == "MT").mean(),
    )
    called = (
        ent.filter(ent.activated_at.notnull())
        .select(entity_id=ent.msisdn)
        .join(inbound, "entity_id")
        .filter(ibis._.inbound_share >= MIN_INBOUND_SHARE)
        .select("entity_id")
    )
    return old.select(entity_id=old.msisdn).union(called).distinct()


def established_enterprise_cards(ctx: Context) -> ir.Table | None:
    """``entity_id`` of every card of an enterprise holder that held some card for
    :data:`MIN_AGE_DAYS` before the period, or ``None`` without the tables needed."""
    cards = _enterprise_cards(ctx)
    if cards is None:
        return None
    ent, old = cards
    holders = old.filter(old.holder_id_hash.notnull()).select("holder_id_hash").distinct()
    return ent.semi_join(holders, "holder_id_hash").select(entity_id=ent.msisdn).distinct()


def without_business_lines(ctx: Context, hits: ir.Table) -> ir.Table:
    """``hits`` without established enterprise lines (see the module docstring)."""
    lines = business_lines(ctx)
    return hits if lines is None else hits.anti_join(lines, "entity_id")
