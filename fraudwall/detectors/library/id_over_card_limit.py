"""One personal ID holding more cards than the real-name rule allows (一证五卡)."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from fraudwall.detectors.base import Context, Detector, ramp, threshold
from fraudwall.detectors.base import Params as BaseParams


class IdOverCardLimit(Detector):
    """Flags personal holders (hashed ID documents) that held more cards at the same time than
    the legal limit, counting cards at other operators too (cross-operator records). Enterprise
    and IoT cards are outside the rule and not counted. Being over the limit is a fact, not a
    statistical guess, so even one card too many scores as medium risk."""

    name = "id_over_card_limit"
    scenario = "id_many_cards"
    requires = ("subscribers",)
    signal = "card_holdings"
    reason = (
        "{peak_personal_cards} personal cards held at once on one ID across {operators} "
        "operator(s) (limit {max_cards})"
    )

    class Params(BaseParams):
        max_cards: int = threshold(
            5, "cards one personal ID may hold at once (the 一证五卡 rule)", basis="absolute", ge=1
        )

    def find(self, ctx: Context, p: Params) -> ir.Table:
        h = ctx.features["holder_cards"]
        hit = h.filter(h.peak_personal_cards > p.max_cards)
        # 0.7 at one card over the limit, 1.0 at twice the limit.
        over = ramp(hit.peak_personal_cards, p.max_cards + 1, max(2 * p.max_cards, p.max_cards + 2))
        return hit.select(
            "entity_id",
            score=ibis.least(0.4 + 0.6 * over, 1.0),
            first_seen=hit.first_activated,
            last_seen=hit.last_activated,
            peak_personal_cards=hit.peak_personal_cards,
            personal_cards=hit.personal_cards,
            operators=hit.operators,
        )
