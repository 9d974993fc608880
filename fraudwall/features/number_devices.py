"""Which handsets (IMEI) and SIMs (IMSI) each number was seen with, from every table that says.

Calls, SMS and network events each carry device identities; a number's handset history is
their union. Tables that are absent or lack the column are simply not used, so a detector
built on this works from calls alone and gets sharper when device events are supplied.
"""

from __future__ import annotations

from collections.abc import Mapping

import ibis
import ibis.expr.types as ir

from fraudwall.store.engine import once_per_run

#: (table, time column) of every table that may carry imei / imsi per number.
SOURCES = (("calls", "started_at"), ("sms", "sent_at"), ("device_events", "at"))


def sightings(tables: Mapping[str, ir.Table]) -> ir.Table:
    """``msisdn, imei, imsi, at`` rows from every available source table.

    >>> import ibis
    >>> calls = ibis.memtable({"msisdn": ["a"], "imei": ["1"], "imsi": [None],
    ...                        "started_at": ["2026-01-01"]}).mutate(
    ...     started_at=ibis._.started_at.cast("timestamp"), imsi=ibis._.imsi.cast("string"))
    >>> ibis.duckdb.connect().execute(sightings({"calls": calls}))["imei"].tolist()
    ['1']
    """
    parts = []
    for name, when in SOURCES:
        if name not in tables:
            continue
        t = tables[name]
        parts.append(
            t.select(
                msisdn=t.msisdn,
                imei=t.imei.nullif("") if "imei" in t.columns else ibis.null("string"),
                imsi=t.imsi.nullif("") if "imsi" in t.columns else ibis.null("string"),
                at=t[when],
            ).filter(ibis._.imei.notnull() | ibis._.imsi.notnull())
        )
    return ibis.union(*parts) if len(parts) > 1 else parts[0]


def sighting_spans(tables: Mapping[str, ir.Table]) -> ir.Table:
    """``msisdn, imei, imsi, first_at, last_at``: the :func:`sightings` of each number with
    each handset and SIM, computed once per run.

    The handset and SIM detectors read these spans instead of every call, SMS and event again:
    distinct handsets or SIMs and the first and last sighting of a number are the same on them.
    """

    def build(t: Mapping[str, ir.Table]) -> ir.Table:
        s = sightings(t)
        return s.group_by("msisdn", "imei", "imsi").agg(first_at=s.at.min(), last_at=s.at.max())

    return once_per_run(tables, "sighting_spans", build)


def call_handsets(tables: Mapping[str, ir.Table]) -> ir.Table:
    """``msisdn, imei, n, first_seen, last_seen``: each number's calls per known handset,
    computed once per run (the SIM-box and shared-handset detectors and the main handset of
    ``device_residence`` all count them)."""

    def build(t: Mapping[str, ir.Table]) -> ir.Table:
        c = t["calls"]
        c = c.filter(c.imei.notnull() & (c.imei != ""))
        return c.group_by("msisdn", "imei").agg(
            n=c.count(), first_seen=c.started_at.min(), last_seen=c.started_at.max()
        )

    return once_per_run(tables, "call_handsets", build)
