"""Calls as directed edges between numbers, seen from either leg.

The operator records a call between two of its own subscribers twice (the caller's MO leg and
the callee's MT leg) but a call from or to another network once. Detectors that judge a number
by whom it calls, including numbers of other networks that call our subscribers, read both legs
as ``caller -> callee`` edges with duplicates removed.
"""

from __future__ import annotations

import ibis.expr.types as ir


def call_edges(calls: ir.Table) -> ir.Table:
    """``caller, callee, started_at, duration_s`` of every call, whichever leg recorded it.

    >>> import ibis
    >>> calls = ibis.memtable({
    ...     "msisdn": ["a", "b"], "other_party": ["b", "a"], "direction": ["MO", "MT"],
    ...     "started_at": ["2026-01-01 10:00:00"] * 2, "duration_s": [30, 30],
    ... }).mutate(started_at=ibis._.started_at.cast("timestamp"))
    >>> ibis.duckdb.connect().execute(call_edges(calls))[["caller", "callee"]].values.tolist()
    [['a', 'b']]
    """
    mo = calls.filter(calls.direction == "MO")
    mt = calls.filter(calls.direction == "MT")
    cols = ("started_at", "duration_s")
    out = mo.select(caller=mo.msisdn, callee=mo.other_party, **{c: mo[c] for c in cols})
    inc = mt.select(caller=mt.other_party, callee=mt.msisdn, **{c: mt[c] for c in cols})
    # A call both legs recorded is the same (caller, callee, start, duration): keep it once.
    return out.union(inc, distinct=True)
