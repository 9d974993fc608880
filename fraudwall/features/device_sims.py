"""Per-device SIM population: how many SIMs a handset (IMEI) carries, and how it uses them.

A phone holds one or two SIMs; a family may pass one phone around; a repair shop puts many
customers' SIMs in a test phone for a moment. A SIM-box (GoIP, 插卡集群) is different in kind:
many SIMs *live* in it and place outbound calls side by side, often in the same hour.
"""

from __future__ import annotations

import ibis

from fraudwall.features.base import Feature, TableMap, built_on, feature_family
from fraudwall.features.device_residence import RESIDENT_SHARE, device_residence

FEATURES = (
    Feature("sims", "distinct numbers seen on the device (calls and device events)", "SIMs"),
    Feature(
        "resident_sims",
        f"numbers with at least {RESIDENT_SHARE:.0%} of their calls on this device",
        "SIMs",
    ),
    Feature("peak_hour_sims", "most distinct numbers calling out in one clock hour", "SIMs"),
    Feature("sim_changes", "sim_change device events (0 without device_events)", "events"),
    Feature("calls_out", "outbound (MO) calls placed through the device", "calls"),
    Feature("calls_in", "inbound (MT) calls received on the device", "calls"),
    Feature("callees", "distinct numbers called from the device", "numbers"),
    Feature("cells", "distinct serving cells of the device's calls", "cells"),
    Feature("first_seen", "first call on the device", "timestamp"),
    Feature("last_seen", "last call on the device", "timestamp"),
)


@feature_family(
    name="device_sims",
    entity_type="imei",
    requires=("calls",),
    window="ingested period",
    features=FEATURES,
)
def device_sims(t: TableMap) -> ibis.Table:
    """SIM counts, SIM residency, concurrency and traffic direction of each handset."""
    c = t["calls"]
    c = c.filter(c.imei.notnull() & (c.imei != ""))
    mo = c.direction == "MO"
    base = c.group_by(entity_id=c.imei).agg(
        call_sims=c.msisdn.nunique(),
        calls_out=mo.sum().cast("int64"),
        calls_in=(c.direction == "MT").sum().cast("int64"),
        callees=c.other_party.nunique(where=mo),
        cells=c.cell_id.nunique(),
        first_seen=c.started_at.min(),
        last_seen=c.started_at.max(),
    )

    home = built_on(t, device_residence)
    home = home.filter(home.main_imei_share >= RESIDENT_SHARE)
    resident = home.group_by(entity_id=home.main_imei).agg(resident_sims=ibis._.count())

    out = c.filter(mo)
    hourly = out.group_by(entity_id=out.imei, hour=out.started_at.truncate("h")).agg(
        n=out.msisdn.nunique()
    )
    peak = hourly.group_by("entity_id").agg(peak_hour_sims=hourly.n.max())

    pairs = c.select(entity_id=c.imei, msisdn=c.msisdn)
    changes = None
    if "device_events" in t:
        e = t["device_events"]
        e = e.filter(e.imei.notnull() & (e.imei != ""))
        pairs = pairs.union(e.select(entity_id=e.imei, msisdn=e.msisdn))
        changes = e.group_by(entity_id=e.imei).agg(
            sim_changes=(e.event == "sim_change").sum().cast("int64")
        )
    seen = pairs.group_by("entity_id").agg(sims=pairs.msisdn.nunique())

    j = base.left_join(seen, "entity_id").left_join(resident, "entity_id")
    j = j.left_join(peak, "entity_id")
    if changes is not None:
        j = j.left_join(changes, "entity_id")
        sim_changes = j.sim_changes.fill_null(0)
    else:
        sim_changes = ibis.literal(0, "int64")
    return j.select(
        "entity_id",
        sims=ibis.greatest(j.sims.fill_null(0), j.call_sims),
        resident_sims=j.resident_sims.fill_null(0),
        peak_hour_sims=j.peak_hour_sims.fill_null(0),
        sim_changes=sim_changes,
        calls_out=j.calls_out,
        calls_in=j.calls_in,
        callees=j.callees,
        cells=j.cells,
        first_seen=j.first_seen,
        last_seen=j.last_seen,
    )
