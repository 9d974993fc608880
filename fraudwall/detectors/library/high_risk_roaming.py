"""High-risk roaming: a number seen abroad in fraud-hub countries or in high-risk cells."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
from pydantic import Field

from fraudwall.detectors.base import Context, Detector, threshold
from fraudwall.detectors.base import Params as BaseParams
from fraudwall.detectors.library._grading import grade, rise
from fraudwall.detectors.library._precedence import yield_to
from fraudwall.detectors.library.fraud_caller import FraudCaller
from fraudwall.detectors.library.simbox_sim import SimboxSim

#: Tables that place a number in a cell, with their time column.
_CELL_SOURCES = (
    ("calls", "started_at"),
    ("sms", "sent_at"),
    ("device_events", "at"),
    ("data_sessions", "started_at"),
)


class HighRiskRoaming(Detector):
    """Flags numbers active while roaming in a region on the policy's high-risk list (countries
    hosting fraud compounds) or served, away from their home city, by cells the operator rates
    at or above the policy's risk level. Travellers to ordinary destinations and people who
    live in a border town are not flagged; the list and the level are the operator's to set.
    Presence is circumstantial: a number already explained as a SIM-box SIM or a fraud caller
    is left to those detectors (a den near the border is a den, and ``den_cell`` reports the
    place), so the analyst gets the lead that says what to do with the number."""

    name = "high_risk_roaming"
    scenario = "high_risk_roaming"
    requires = ("calls",)
    signal = "risk_location"
    reason = (
        "{risky_records} records in high-risk places on {risky_days} day(s): roaming in "
        "{roamed_regions}; {risky_cell_records} in cells of risk {min_risk_area}+ (threshold "
        "{min_records} records on {min_days} days)"
    )

    class Params(BaseParams):
        high_risk_regions: tuple[str, ...] = Field(
            ("MM", "KH", "LA", "PH"),
            description="roaming region codes (ISO 3166) treated as high-risk",
        )
        min_risk_area: int = threshold(
            2,
            "cell risk_area (0..3) that counts as a high-risk place",
            basis="absolute",
            ge=1,
            le=3,
        )
        min_records: int = threshold(
            2, "records in high-risk places that flag a number", basis="absolute", ge=1
        )
        min_days: int = threshold(
            2,
            "distinct days in high-risk places (a single pass through is travel)",
            basis="absolute",
            ge=1,
        )
        full_score_records: int = threshold(
            20, "records at which the score reaches 1", basis="absolute", ge=1
        )

    def find(self, ctx: Context, p: Params) -> ir.Table:
        c = ctx.tables["calls"]
        regions = list(p.high_risk_regions) or ["\x00"]  # an empty list must match nothing
        roam = c.filter(c.roaming_region.upper().isin(regions)).select(
            entity_id=c.msisdn,
            at=c.started_at,
            region=c.roaming_region.upper(),
            in_cell=ibis.literal(False),
        )
        parts = [roam]
        if ctx.has("cells"):
            cells = ctx.tables["cells"]
            risky = cells.filter(cells.risk_area >= p.min_risk_area).select(
                "cell_id", cell_city=cells.city
            )
            if ctx.has("subscribers"):
                s = ctx.tables["subscribers"]
                home = s.select(msisdn=s.msisdn, home_city=s.home_city)
            else:
                home = ibis.memtable({"msisdn": [], "home_city": []}).cast(
                    {"msisdn": "string", "home_city": "string"}
                )
            for name, when in _CELL_SOURCES:
                if not ctx.has(name) or "cell_id" not in ctx.tables[name].columns:
                    continue
                t = ctx.tables[name]
                t = t.select("msisdn", "cell_id", at=t[when]).join(risky, "cell_id")
                t = t.left_join(home, "msisdn")
                # People who live there are not visitors to a risky place.
                t = t.filter(
                    t.home_city.isnull() | t.cell_city.isnull() | (t.home_city != t.cell_city)
                )
                parts.append(
                    t.select(
                        entity_id=t.msisdn,
                        at=t.at,
                        region=ibis.null("string"),
                        in_cell=ibis.literal(True),
                    )
                )
        seen = ibis.union(*parts) if len(parts) > 1 else roam
        per = seen.group_by("entity_id").agg(
            risky_records=ibis._.count(),
            risky_cell_records=seen.in_cell.sum().cast("int64"),
            risky_days=seen.at.date().nunique(),
            roamed_regions=seen.region.collect(distinct=True).sort().join(", "),
            first_seen=seen.at.min(),
            last_seen=seen.at.max(),
        )
        hit = per.filter(per.risky_records >= p.min_records, per.risky_days >= p.min_days)
        hit = yield_to(ctx, hit, SimboxSim, FraudCaller)
        return hit.select(
            "entity_id",
            score=grade(rise(hit.risky_records, p.min_records, p.full_score_records)),
            first_seen=hit.first_seen,
            last_seen=hit.last_seen,
            risky_records=hit.risky_records,
            risky_cell_records=hit.risky_cell_records,
            risky_days=hit.risky_days,
            roamed_regions=ibis.coalesce(hit.roamed_regions.nullif(""), ibis.literal("none")),
        )
