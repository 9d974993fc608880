"""Callee region spread: a number whose callees live all over the country."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from fraudwall.detectors.base import Context, Detector, share, threshold
from fraudwall.detectors.base import Params as BaseParams
from fraudwall.detectors.library._business_lines import without_business_lines
from fraudwall.detectors.library._grading import WEAK, grade, rise
from fraudwall.features.number_profile import number_view


class CalleeRegionSpread(Detector):
    """Flags numbers whose on-net callees live in many times more home cities than the median
    caller's, mostly away from the caller's own city. People call family, friends and local
    businesses; a list of strangers drawn from everywhere is a cold-calling list. Couriers and
    shops call many people but in one city. Weak on its own (national sales lines spread too).
    Numbers whose callees call back or whose customers call in (a client list, a hotline) are
    not cold callers, whatever the spread: the same reciprocity checks as ``callee_fanout``.
    Established company lines (an enterprise's cards held for a year or more) are left out."""

    name = "callee_region_spread"
    scenario = "fraud_caller"
    requires = ("calls", "subscribers")
    signal = "callee_spread"
    reason = (
        "callees in {callee_cities} home cities ({cities_x_median:.0f}x the median caller, "
        "threshold {min_cities_x_median:.0f}x), {away_share:.0%} outside the caller's own city"
    )

    class Params(BaseParams):
        min_cities_x_median: float = threshold(
            5.0,
            "distinct callee home cities as a multiple of the median caller's",
            basis="relative",
            gt=1,
        )
        min_cities: int = threshold(
            5,
            "distinct callee home cities below which no number is flagged",
            basis="absolute",
            ge=2,
        )
        max_callback_share: float = threshold(
            0.2, "most callees who call back", basis="absolute", ge=0, le=1
        )
        max_inbound_share: float = threshold(
            0.2, "largest share of inbound calls", basis="absolute", ge=0, le=1
        )
        min_away_share: float = threshold(
            0.5,
            "least share of on-net callees living outside the caller's city",
            basis="absolute",
            ge=0,
            le=1,
        )

    def find(self, ctx: Context, p: Params) -> ir.Table:
        c = ctx.tables["calls"]
        s = ctx.tables["subscribers"]
        out = c.filter(c.direction == "MO")
        callee = s.select(other_party=s.msisdn, callee_city=s.home_city).filter(
            ibis._.callee_city.notnull()
        )
        own = s.select(entity_id=s.msisdn, own_city=s.home_city)
        pairs = (
            out.select(entity_id=out.msisdn, other_party=out.other_party, started_at=out.started_at)
            .join(callee, "other_party")
            .left_join(own, "entity_id")
        )
        away = pairs.own_city.isnull() | (pairs.callee_city != pairs.own_city)
        per = pairs.group_by("entity_id").agg(
            callee_cities=pairs.callee_city.nunique(),
            onnet_callees=pairs.other_party.nunique(),
            away_callees=pairs.other_party.nunique(where=away),
            first_seen=pairs.started_at.min(),
            last_seen=pairs.started_at.max(),
        )
        pop = per.aggregate(median_cities=per.callee_cities.quantile(0.5).cast("float64"))
        j = per.cross_join(pop).mutate(
            cities_x_median=ibis._.callee_cities / ibis.greatest(ibis._.median_cities, 1.0),
            away_share=share(ibis._.away_callees, ibis._.onnet_callees),
        )
        f = number_view(ctx.features).select("entity_id", "callback_share", "inbound_share")
        j = j.join(f, "entity_id")
        hit = j.filter(
            j.callback_share <= p.max_callback_share,
            j.inbound_share <= p.max_inbound_share,
            j.cities_x_median >= p.min_cities_x_median,
            j.callee_cities >= p.min_cities,
            j.away_share >= p.min_away_share,
        )
        hit = without_business_lines(ctx, hit)  # company lines: see _business_lines
        return hit.select(
            "entity_id",
            score=grade(
                rise(hit.cities_x_median, p.min_cities_x_median, 4 * p.min_cities_x_median),
                rise(hit.away_share, p.min_away_share, 1.0),
                band=WEAK,
            ),
            first_seen=hit.first_seen,
            last_seen=hit.last_seen,
            callee_cities=hit.callee_cities,
            cities_x_median=hit.cities_x_median,
            median_cities=hit.median_cities,
            onnet_callees=hit.onnet_callees,
            away_share=hit.away_share,
            callback_share=hit.callback_share,
            inbound_share=hit.inbound_share,
        )
