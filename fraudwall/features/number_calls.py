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
    """Counts, spread and reciprocity of each number's calls."""
    c = t["calls"]
    mo = c.direction == "MO"
    mt = c.direction == "MT"
    base = c.group_by(entity_id=c.msisdn).agg(
        calls_out=mo.sum().cast("int64"),
        calls_in=mt.sum().cast("int64"),
        callees=c.other_party.nunique(where=mo),
        callers=c.other_party.nunique(where=mt),
        out_unanswered=(mo & (c.duration_s == 0)).sum().cast("int64"),
        out_short=(mo & (c.duration_s > 0) & (c.duration_s <= SHORT_CALL_S)).sum().cast("int64"),
        out_long=(mo & (c.duration_s >= LONG_CALL_S)).sum().cast("int64"),
        out_talk_s=c.duration_s.sum(where=mo).fill_null(0).cast("int64"),
        in_talk_s=c.duration_s.sum(where=mt).fill_null(0).cast("int64"),
        night_out=(mo & (c.started_at.hour() < NIGHT_END_HOUR)).sum().cast("int64"),
        active_days=c.started_at.date().nunique(),
        active_hours=c.started_at.truncate("h").nunique(),
        imeis=c.imei.nunique(),
        imsis=c.imsi.nunique(),
        cells=c.cell_id.nunique(),
        roaming_calls=(c.roaming_region.notnull() & (c.roaming_region != "")).sum().cast("int64"),
        first_seen=c.started_at.min(),
        last_seen=c.started_at.max(),
    )

    out = c.filter(mo)
    hourly = out.group_by(entity_id=out.msisdn, hour=out.started_at.truncate("h")).agg(
        n=ibis._.count()
    )
    peak = hourly.group_by("entity_id").agg(peak_hour_out=hourly.n.max())

    pairs_out = out.select(entity_id=out.msisdn, party=out.other_party).distinct()
    inc = c.filter(mt)
    pairs_in = inc.select(entity_id=inc.msisdn, party=inc.other_party).distinct()
    back = (
        pairs_out.semi_join(pairs_in, ["entity_id", "party"])
        .group_by("entity_id")
        .agg(callees_called_back=ibis._.count())
    )

    joined = base.left_join(peak, "entity_id").left_join(back, "entity_id")
    filled = {"peak_hour_out", "callees_called_back"}  # no outbound calls means zero, not unknown
    return joined.select(
        "entity_id",
        **{
            f.name: joined[f.name].fill_null(0) if f.name in filled else joined[f.name]
            for f in FEATURES
        },
    )
