"""The money step of a fraud: a subscriber phoning a bank's service number.

The victim detectors count a conversation with a fraud caller as a victim's only when it is
followed within hours by the step that moves money. Bank calls are everyday behaviour, so on
its own one is never a sign: it is a sign only in that sequence.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

#: Bank service numbers (955xx), with or without the country code.
BANK_NUMBER_PATTERN = r"^(\+?86)?955\d{2}$"


def bank_calls_between(
    edges: ir.Table, spans: ir.Table, pattern: str, window_hours: int
) -> ir.Table:
    """``victim, caller, bank_calls, last_bank`` for every ``spans`` row (``victim, caller, t0,
    t1``) whose victim phoned a number matching ``pattern`` between ``t0`` and ``window_hours``
    after ``t1``. ``edges`` are :func:`fraudwall.features.number_edges.call_edges`."""
    bank = edges.filter(edges.callee.re_search(pattern)).select(
        victim=edges.caller, bank_at=edges.started_at
    )
    window = ibis.interval(hours=window_hours)
    soon = spans.join(bank, "victim").filter(
        ibis._.bank_at >= ibis._.t0, ibis._.bank_at <= ibis._.t1 + window
    )
    return soon.group_by(["victim", "caller"]).agg(
        bank_calls=ibis._.count(), last_bank=soon.bank_at.max()
    )
