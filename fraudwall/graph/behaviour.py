"""Per-number behaviour features for look-alike search: calls, power on/off, SMS, mobility.

Counts are per active day so a number seen for two days compares with one seen for a week;
shares are in [0, 1]. The look-alike search standardises them (log of counts, z-scores) before
measuring distance. Built with the graph and kept beside it (``behaviour.parquet``).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from fraudwall.features.base import TableMap
from fraudwall.features.number_calls import call_counts

#: Feature name -> what it measures (shown in look-alike reasons).
BEHAVIOUR = {
    "calls_out_per_day": "outbound calls a day",
    "calls_in_per_day": "inbound calls a day",
    "callees_per_day": "distinct callees a day",
    "unanswered_share": "share of outbound calls not answered",
    "short_share": "share of outbound calls under 30 s",
    "callback_share": "share of callees who called back",
    "night_share": "share of outbound calls at night",
    "hours_per_day": "active clock hours a day",
    "peak_hour_out": "most outbound calls in one hour",
    "cells": "distinct cells",
    "imeis": "distinct handsets",
    "sms_out_per_day": "SMS sent a day",
    "sms_in_per_day": "SMS received a day",
    "power_cycles_per_day": "power on/off events a day",
    "sim_changes": "SIM changes",
    "data_per_day": "data sessions a day",
}
#: Features that are counts (compared on a log scale).
COUNT_FEATURES = tuple(k for k in BEHAVIOUR if not k.endswith("_share"))


#: The ``number_calls`` columns behaviour reads (the family's others are not computed).
_CALL_COLUMNS = (
    "calls_out",
    "calls_in",
    "callees",
    "out_unanswered",
    "out_short",
    "night_out",
    "active_days",
    "active_hours",
    "peak_hour_out",
    "imeis",
    "cells",
    "callees_called_back",
)


def _per_day(x: ir.NumericValue, days: ir.NumericValue) -> ir.FloatingValue:
    return x.cast("float64") / ibis.greatest(days, 1).cast("float64")


def behaviour_table(t: TableMap) -> ir.Table:
    """One row per number that made or received calls: ``entity_id`` and :data:`BEHAVIOUR`."""
    c = call_counts(t["calls"], _CALL_COLUMNS)
    days = c.active_days
    out = c.select(
        entity_id=c.entity_id,
        days=days,
        calls_out_per_day=_per_day(c.calls_out, days),
        calls_in_per_day=_per_day(c.calls_in, days),
        callees_per_day=_per_day(c.callees, days),
        unanswered_share=_share(c.out_unanswered, c.calls_out),
        short_share=_share(c.out_short, c.calls_out - c.out_unanswered),
        callback_share=_share(c.callees_called_back, c.callees),
        night_share=_share(c.night_out, c.calls_out),
        hours_per_day=_per_day(c.active_hours, days),
        peak_hour_out=c.peak_hour_out.cast("float64"),
        cells=c.cells.cast("float64"),
        imeis=c.imeis.cast("float64"),
    )
    zero = ibis.literal(0.0)
    if "sms" in t:
        s = t["sms"]
        sg = s.group_by(entity_id=s.msisdn).agg(
            so=(s.direction == "MO").sum(), si=(s.direction == "MT").sum()
        )
        out = out.left_join(sg, "entity_id").drop("entity_id_right")
        out = out.mutate(
            sms_out_per_day=_per_day(out.so.fill_null(0), out.days),
            sms_in_per_day=_per_day(out.si.fill_null(0), out.days),
        ).drop("so", "si")
    else:
        out = out.mutate(sms_out_per_day=zero, sms_in_per_day=zero)
    if "device_events" in t:
        d = t["device_events"]
        dg = d.group_by(entity_id=d.msisdn).agg(
            pc_=d.event.isin(("power_on", "power_off")).sum(),
            sc_=(d.event == "sim_change").sum(),
        )
        out = out.left_join(dg, "entity_id").drop("entity_id_right")
        out = out.mutate(
            power_cycles_per_day=_per_day(out.pc_.fill_null(0), out.days),
            sim_changes=out.sc_.fill_null(0).cast("float64"),
        ).drop("pc_", "sc_")
    else:
        out = out.mutate(power_cycles_per_day=zero, sim_changes=zero)
    if "data_sessions" in t:
        x = t["data_sessions"]
        xg = x.group_by(entity_id=x.msisdn).agg(ds_=ibis._.count())
        out = out.left_join(xg, "entity_id").drop("entity_id_right")
        out = out.mutate(data_per_day=_per_day(out.ds_.fill_null(0), out.days)).drop("ds_")
    else:
        out = out.mutate(data_per_day=zero)
    return out.select("entity_id", *BEHAVIOUR).order_by("entity_id")


def _share(part: ir.NumericValue, whole: ir.NumericValue) -> ir.FloatingValue:
    w = whole.cast("float64")
    return ibis.ifelse(w > 0, part.cast("float64") / w, 0.0)
