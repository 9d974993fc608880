"""Per-number voice behaviour over the ingested period (the core features of fraud detection)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import ibis
import ibis.expr.types as ir

from fraudwall.features.base import Feature, TableMap, feature_family

#: Answered calls at most this long count as short (seconds).
SHORT_CALL_S = 15
#: Calls at least this long count as long conversations (seconds).
LONG_CALL_S = 300
#: Night is [0h, 6h) local time.
NIGHT_END_HOUR = 6

FEATURES = (
    Feature("calls_out", "outbound (MO) calls", "calls"),
    Feature("calls_in", "inbound (MT) calls", "calls"),
    Feature("callees", "distinct numbers called", "numbers"),
    Feature("callers", "distinct numbers that called in", "numbers"),
    Feature("out_unanswered", "outbound calls with 0 s talk time", "calls"),
    Feature("out_short", f"answered outbound calls of at most {SHORT_CALL_S} s", "calls"),
    Feature("out_long", f"outbound calls of at least {LONG_CALL_S} s", "calls"),
    Feature("out_talk_s", "total outbound talk time", "seconds"),
    Feature("in_talk_s", "total inbound talk time", "seconds"),
    Feature("night_out", f"outbound calls between 0h and {NIGHT_END_HOUR}h local time", "calls"),
    Feature("active_days", "distinct days with any call", "days"),
    Feature("active_hours", "distinct clock hours with any call", "hours"),
    Feature("peak_hour_out", "most outbound calls in one clock hour", "calls/hour"),
    Feature("imeis", "distinct handsets (IMEI) seen on calls", "devices"),
    Feature("imsis", "distinct SIMs (IMSI) seen on calls", "SIMs"),
    Feature("cells", "distinct serving cells", "cells"),
    Feature("roaming_calls", "calls made or received while roaming", "calls"),
    Feature("callees_called_back", "distinct callees who also called this number", "numbers"),
    Feature("first_seen", "first call start", "timestamp"),
    Feature("last_seen", "last call start", "timestamp"),
)


@feature_family(
    name="number_calls",
    entity_type="msisdn",
    requires=("calls",),
    window="ingested period",
    features=FEATURES,
)
def number_calls(t: TableMap) -> ibis.Table:
    """Counts, spread and reciprocity of each number's calls.

    Distinct counts over parties and hours come from two pre-aggregations (per number and
    party, per number and hour) instead of COUNT(DISTINCT ...) over the raw rows: each is one
    hash aggregation, and the call-back count falls out of the party table without a join.
    """
    return call_counts(t["calls"])


def call_counts(calls: ibis.Table, names: Iterable[str] | None = None) -> ibis.Table:
    """``entity_id`` and the named columns of :func:`number_calls` (all by default), in the
    family's order, from the ``calls`` table: one definition for the family and for readers
    that need only some of its columns.

    Only the aggregations behind the named columns are computed: the distinct counts are the
    costly part, and a pre-aggregation that none of the names reads is left out altogether.

    >>> import ibis
    >>> from datetime import datetime
    >>> calls = ibis.memtable({
    ...     "msisdn": ["a", "a", "b"], "other_party": ["b", "c", "a"],
    ...     "direction": ["MO", "MO", "MT"], "duration_s": [0, 20, 0],
    ...     "started_at": [datetime(2026, 1, 1, h) for h in (3, 9, 3)],
    ... })
    >>> out = call_counts(calls, ["night_out", "callees", "calls_out"])
    >>> ibis.duckdb.connect().execute(out.order_by("entity_id")).to_dict("list")
    {'entity_id': ['a', 'b'], 'calls_out': [2, 0], 'callees': [2, 0], 'night_out': [1, 0]}
    """
    c = calls
    mo = c.direction == "MO"
    mt = c.direction == "MT"
    wanted = set(_COLUMNS if names is None else names)
    if wanted - set(_COLUMNS):
        raise ValueError(f"number_calls has no columns {sorted(wanted - set(_COLUMNS))}")
    # Built only when named, so a calls table needs only the columns its names read.
    per_number: dict[str, Callable[[], ir.Value]] = {
        "calls_out": lambda: mo.sum().cast("int64"),
        "calls_in": lambda: mt.sum().cast("int64"),
        "out_unanswered": lambda: (mo & (c.duration_s == 0)).sum().cast("int64"),
        "out_short": lambda: (
            (mo & (c.duration_s > 0) & (c.duration_s <= SHORT_CALL_S)).sum().cast("int64")
        ),
        "out_long": lambda: (mo & (c.duration_s >= LONG_CALL_S)).sum().cast("int64"),
        "out_talk_s": lambda: c.duration_s.sum(where=mo).fill_null(0).cast("int64"),
        "in_talk_s": lambda: c.duration_s.sum(where=mt).fill_null(0).cast("int64"),
        "night_out": lambda: (mo & (c.started_at.hour() < NIGHT_END_HOUR)).sum().cast("int64"),
        "imeis": lambda: c.imei.nunique(),
        "imsis": lambda: c.imsi.nunique(),
        "cells": lambda: c.cell_id.nunique(),
        "roaming_calls": lambda: (
            (c.roaming_region.notnull() & (c.roaming_region != "")).sum().cast("int64")
        ),
        "first_seen": lambda: c.started_at.min(),
        "last_seen": lambda: c.started_at.max(),
    }
    parts = []
    pick = {k: f() for k, f in per_number.items() if k in wanted}
    if pick:
        parts.append(c.group_by(entity_id=c.msisdn).agg(**pick))

    if wanted & {"callees", "callers", "callees_called_back"}:
        pp = c.group_by(entity_id=c.msisdn, party=c.other_party).agg(out=mo.sum(), inc=mt.sum())
        per_party = {
            "callees": (pp.out > 0).sum().cast("int64"),
            "callers": (pp.inc > 0).sum().cast("int64"),
            "callees_called_back": ((pp.out > 0) & (pp.inc > 0)).sum().cast("int64"),
        }
        parts.append(pp.group_by("entity_id").agg(**_only(per_party, wanted)))

    if wanted & {"active_days", "active_hours", "peak_hour_out"}:
        ph = c.group_by(entity_id=c.msisdn, hour=c.started_at.truncate("h")).agg(out=mo.sum())
        per_hour = {
            "active_days": ph.hour.date().nunique(),
            "active_hours": ph.count(),
            "peak_hour_out": ph.out.max().cast("int64"),
        }
        parts.append(ph.group_by("entity_id").agg(**_only(per_hour, wanted)))

    if not parts:
        return c.select(entity_id=c.msisdn).distinct()
    joined = parts[0]
    for more in parts[1:]:
        joined = joined.join(more, "entity_id")
    return joined.select("entity_id", *[k for k in _COLUMNS if k in wanted])


_COLUMNS = tuple(f.name for f in FEATURES)


def _only(aggs: dict[str, ir.Value], wanted: set[str]) -> dict[str, ir.Value]:
    return {k: v for k, v in aggs.items() if k in wanted}
