"""New-card bursts: a card that starts cold-calling within hours of activation."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from fraudwall.detectors.base import Context, Detector, share, threshold
from fraudwall.detectors.base import Params as BaseParams
from fraudwall.detectors.library._business_lines import established_enterprise_cards
from fraudwall.detectors.library._grading import fall, grade, rise


class NewCardBurst(Detector):
    """Flags cards that, within the first hours after activation, call many times more distinct
    people per day than the population's median caller does, few of whom call back. A new
    personal card starts with family and friends who answer and call back; a card bought to
    defraud is used up against a list at once. A new line of an enterprise that has held cards
    for a year (a call centre adding an outbound line) is not flagged for being new."""

    name = "new_card_burst"
    scenario = "fraud_caller"
    requires = ("calls", "subscribers")
    signal = "new_card_burst"
    reason = (
        "{early_callees} distinct numbers called within {window_hours} h of activation "
        "({per_day_x_median:.0f}x the median caller's daily callees, threshold "
        "{min_x_median:.0f}x), {early_callback_share:.0%} called back (max "
        "{max_callback_share:.0%})"
    )

    class Params(BaseParams):
        window_hours: int = threshold(
            48, "hours after activation that count as the card's start", basis="absolute", ge=1
        )
        min_x_median: float = threshold(
            5.0,
            "distinct callees per day as a multiple of the median caller's",
            basis="relative",
            gt=1,
        )
        min_callees: int = threshold(
            20,
            "distinct callees in the window below which no card is flagged",
            basis="absolute",
            ge=1,
        )
        max_callback_share: float = threshold(
            0.2, "most early callees who call back", basis="absolute", ge=0, le=1
        )

    def find(self, ctx: Context, p: Params) -> ir.Table:
        c = ctx.tables["calls"]
        s = ctx.tables["subscribers"].select("msisdn", "activated_at")
        window = ibis.interval(hours=p.window_hours)
        early = c.join(s, "msisdn").filter(
            ibis._.started_at >= ibis._.activated_at,
            ibis._.started_at < ibis._.activated_at + window,
        )
        mo = early.direction == "MO"
        out = early.filter(mo).select(entity_id=early.msisdn, party=early.other_party).distinct()
        inc = early.filter(~mo).select(entity_id=early.msisdn, party=early.other_party)
        back = (
            out.semi_join(inc.distinct(), ["entity_id", "party"])
            .group_by("entity_id")
            .agg(called_back=ibis._.count())
        )
        per = early.group_by(entity_id=early.msisdn).agg(
            early_callees=early.other_party.nunique(where=mo),
            early_calls_out=mo.sum().cast("int64"),
            first_seen=early.started_at.min(),
            last_seen=early.started_at.max(),
            activated_at=early.activated_at.min(),
        )
        f = ctx.features["number_calls"]
        callers = f.filter(f.calls_out > 0)
        pop = callers.aggregate(
            median_daily_callees=(callers.callees / callers.active_days.cast("float64")).quantile(
                0.5
            )
        )
        days = p.window_hours / 24.0
        j = per.cross_join(pop).left_join(back, "entity_id")
        j = j.mutate(
            early_callback_share=share(j.called_back.fill_null(0), j.early_callees),
            per_day_x_median=(j.early_callees / max(days, 1.0))
            / ibis.greatest(j.median_daily_callees, 1.0),
        )
        hit = j.filter(
            j.early_callees >= p.min_callees,
            j.per_day_x_median >= p.min_x_median,
            j.early_callback_share <= p.max_callback_share,
        )
        company = established_enterprise_cards(ctx)
        if company is not None:
            hit = hit.anti_join(company, "entity_id")
        return hit.select(
            "entity_id",
            score=grade(
                rise(hit.per_day_x_median, p.min_x_median, 4 * p.min_x_median),
                fall(hit.early_callback_share, p.max_callback_share, 0.0),
            ),
            first_seen=hit.first_seen,
            last_seen=hit.last_seen,
            activated_at=hit.activated_at,
            early_callees=hit.early_callees,
            early_calls_out=hit.early_calls_out,
            per_day_x_median=hit.per_day_x_median,
            early_callback_share=hit.early_callback_share,
        )
