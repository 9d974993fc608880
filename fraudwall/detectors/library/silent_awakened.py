"""Silent cards awakened: an old card that earned almost nothing suddenly calls heavily."""

from __future__ import annotations

import ibis.expr.types as ir

from fraudwall.detectors.base import Context, Detector, threshold
from fraudwall.detectors.base import Params as BaseParams
from fraudwall.detectors.library._grading import grade, rise
from fraudwall.detectors.library.static_outbound_sim import outbound_rates


class SilentAwakened(Detector):
    """Flags cards activated long ago whose revenue marks them as dormant (monthly ARPU in the
    population's bottom quantile) and that stayed silent for the first days of the period, and
    that since waking place many times more calls a day than the median caller. The rate is per
    day the card is active, so a card woken in the last hours of the period counts as fully as
    one woken at its start. Dormant cards are bought up and woken for fraud; a card that earns
    little and still calls little is just a spare SIM."""

    name = "silent_awakened"
    scenario = "silent_awakened"
    requires = ("calls", "subscribers")
    signal = "awakening"
    reason = (
        "card {card_age_days} days old, ARPU {arpu} (dormant below {arpu_cut}), silent for "
        "{silent_days} day(s) of the period, then {calls_out} outbound calls, {out_per_day:.0f} "
        "a day ({rate_multiple:.0f}x the median caller, threshold {min_rate_x_median:.0f}x)"
    )

    class Params(BaseParams):
        min_card_age_days: int = threshold(
            90, "days since activation for a card to count as old", basis="absolute", ge=1
        )
        dormant_arpu_quantile: float = threshold(
            0.2,
            "ARPU at or below this population quantile marks a dormant card",
            basis="relative",
            gt=0,
            lt=1,
        )
        min_silent_days: int = threshold(
            1,
            "leading days of the period without calls that mark a dormant card",
            basis="absolute",
            ge=1,
        )
        min_rate_x_median: float = threshold(
            5.0,
            "outbound calls per active day as a multiple of the median caller's",
            basis="relative",
            gt=1,
        )
        min_calls_out: int = threshold(
            20, "outbound calls below which no card is flagged", basis="absolute", ge=1
        )

    def find(self, ctx: Context, p: Params) -> ir.Table:
        f = outbound_rates(ctx)
        s = ctx.tables["subscribers"]
        subs = s.select(
            entity_id=s.msisdn, activated_at=s.activated_at, arpu=s.arpu.cast("float64")
        )
        pop = subs.aggregate(arpu_cut=subs.arpu.quantile(p.dormant_arpu_quantile))
        c = ctx.tables["calls"]
        period = c.aggregate(period_start=c.started_at.min())
        j = f.join(subs, "entity_id").cross_join(pop).cross_join(period)
        j = j.mutate(
            card_age_days=j.first_seen.date().delta(j.activated_at.date(), unit="day"),
            silent_days=j.first_seen.date().delta(j.period_start.date(), unit="day"),
            arpu_cut=j.arpu_cut.round(2),
        )
        # Dormant: silent at the start of the period and, where revenue is known, cheap.
        dormant = (j.silent_days >= p.min_silent_days) & (j.arpu.isnull() | (j.arpu <= j.arpu_cut))
        hit = j.filter(
            dormant,
            j.card_age_days >= p.min_card_age_days,
            j.rate_multiple >= p.min_rate_x_median,
            j.calls_out >= p.min_calls_out,
        )
        return hit.select(
            "entity_id",
            score=grade(
                rise(hit.rate_multiple, p.min_rate_x_median, 4 * p.min_rate_x_median),
                rise(hit.silent_days, p.min_silent_days, 3 * p.min_silent_days),
            ),
            first_seen=hit.first_seen,
            last_seen=hit.last_seen,
            card_age_days=hit.card_age_days,
            arpu=hit.arpu.round(2),
            arpu_cut=hit.arpu_cut,
            silent_days=hit.silent_days,
            calls_out=hit.calls_out,
            out_per_day=hit.out_per_day,
            rate_multiple=hit.rate_multiple,
        )
