"""Per-number voice behaviour over the ingested period (the core features of fraud detection)."""

from __future__ import annotations

import ibis

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
    c = t["calls"]
    mo = c.direction == "MO"
    mt = c.direction == "MT"
    base = c.group_by(entity_id=c.msisdn).agg(
        calls_out=mo.sum().cast("int64"),
        calls_in=mt.sum().cast("int64"),
        out_unanswered=(mo & (c.duration_s == 0)).sum().cast("int64"),
        out_short=(mo & (c.duration_s > 0) & (c.duration_s <= SHORT_CALL_S)).sum().cast("int64"),
        out_long=(mo & (c.duration_s >= LONG_CALL_S)).sum().cast("int64"),
        out_talk_s=c.duration_s.sum(where=mo).fill_null(0).cast("int64"),
        in_talk_s=c.duration_s.sum(where=mt).fill_null(0).cast("int64"),
        night_out=(mo & (c.started_at.hour() < NIGHT_END_HOUR)).sum().cast("int64"),
        imeis=c.imei.nunique(),
        imsis=c.imsi.nunique(),
        cells=c.cell_id.nunique(),
        roaming_calls=(c.roaming_region.notnull() & (c.roaming_region != "")).sum().cast("int64"),
        first_seen=c.started_at.min(),
        last_seen=c.started_at.max(),
    )

    per_party = c.group_by(entity_id=c.msisdn, party=c.other_party).agg(out=mo.sum(), inc=mt.sum())
    parties = per_party.group_by("entity_id").agg(
        callees=(per_party.out > 0).sum().cast("int64"),
        callers=(per_party.inc > 0).sum().cast("int64"),
        callees_called_back=((per_party.out > 0) & (per_party.inc > 0)).sum().cast("int64"),
    )

    per_hour = c.group_by(entity_id=c.msisdn, hour=c.started_at.truncate("h")).agg(out=mo.sum())
    hours = per_hour.group_by("entity_id").agg(
        active_days=per_hour.hour.date().nunique(),
        active_hours=per_hour.count(),
        peak_hour_out=per_hour.out.max().cast("int64"),
    )

    joined = base.join(parties, "entity_id").join(hours, "entity_id")
    return joined.select("entity_id", *[f.name for f in FEATURES])
