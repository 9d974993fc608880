"""SIM swaps: a number moved to new SIM cards again and again."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from fraudwall.detectors.base import Context, Detector, threshold
from fraudwall.detectors.base import Params as BaseParams
from fraudwall.detectors.library._grading import grade, rise
from fraudwall.features.number_devices import sighting_spans


class SimSwap(Detector):
    """Flags numbers whose SIM card changed repeatedly: several distinct IMSIs behind the number
    on calls, SMS and network events (or, where no IMSI is recorded at all, several
    ``sim_change`` events). Replacing a lost or broken SIM once is ordinary; repeated swaps
    within days point to account takeover or a number passed between SIMs. A card moved
    between devices keeps its IMSI and is not a swap."""

    name = "sim_swap"
    scenario = "sim_swap"
    requires = ("calls",)
    signal = "sim_change"
    reason = (
        "{sim_changes} SIM changes ({imsis} distinct SIMs, {sim_change_events} sim_change "
        "events; threshold {min_changes})"
    )

    class Params(BaseParams):
        min_changes: int = threshold(
            2,
            "SIM changes in the period that flag a number (one swap is normal)",
            basis="absolute",
            ge=1,
        )
        full_score_changes: int = threshold(
            5, "SIM changes at which the score reaches 1", basis="absolute", ge=1
        )

    def find(self, ctx: Context, p: Params) -> ir.Table:
        s = sighting_spans(ctx.tables)
        per = s.group_by(entity_id=s.msisdn).agg(
            imsis=s.imsi.nunique(), first_seen=s.first_at.min(), last_seen=s.last_at.max()
        )
        if ctx.has("device_events"):
            d = ctx.tables["device_events"]
            d = d.filter(d.event == "sim_change")
            events = d.group_by(entity_id=d.msisdn).agg(
                sim_change_events=ibis._.count(), ev_first=d.at.min(), ev_last=d.at.max()
            )
            per = per.outer_join(events, "entity_id").select(
                entity_id=ibis.coalesce(per.entity_id, events.entity_id),
                imsis=per.imsis.fill_null(0),
                sim_change_events=events.sim_change_events.fill_null(0),
                first_seen=ibis.coalesce(per.first_seen, events.ev_first),
                last_seen=ibis.coalesce(per.last_seen, events.ev_last),
            )
        else:
            per = per.mutate(sim_change_events=ibis.literal(0, "int64"))
        # A swap is a new IMSI behind the number. A sim_change event with the same IMSI is the
        # card moving between devices (a SIM-box port), so events count only where no IMSI is
        # ever recorded for the number.
        per = per.mutate(
            sim_changes=ibis.ifelse(per.imsis > 0, per.imsis - 1, per.sim_change_events).cast(
                "int64"
            )
        )
        hit = per.filter(per.sim_changes >= p.min_changes)
        return hit.select(
            "entity_id",
            score=grade(rise(hit.sim_changes, p.min_changes, p.full_score_changes)),
            first_seen=hit.first_seen,
            last_seen=hit.last_seen,
            sim_changes=hit.sim_changes,
            imsis=hit.imsis,
            sim_change_events=hit.sim_change_events,
        )
