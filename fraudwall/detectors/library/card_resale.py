"""Card resale: cards of one holder used by strangers' phones in far-away cities (转租转售)."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from fraudwall.detectors.base import Context, Detector, ramp, share, threshold
from fraudwall.detectors.base import Params as BaseParams


class CardResale(Detector):
    """Flags personal holders several of whose cards are used far from the holder's home
    city, each in a different handset. A traveller carries their cards in one phone; a family
    keeps its cards at home; cards sold or rented out scatter into strangers' phones elsewhere.
    Away cards that never call the holder's other cards (strangers, not a student calling
    home) raise the score; linked ones lower it. Cities count as far when the cells'
    coordinates put them beyond the distance in ``features.holder_card_use``."""

    name = "card_resale"
    scenario = "card_resale"
    requires = ("subscribers", "calls", "cells")
    signal = "card_resale"
    reason = (
        "{away_cards} of {used_cards} cards used far from home city {home_city}, in "
        "{away_devices} different phones and {away_cities} cities, {away_unlinked} never in "
        "touch with the holder's other cards "
        "(threshold {min_away_cards} cards in {min_away_devices} phones)"
    )

    class Params(BaseParams):
        min_away_cards: int = threshold(
            2, "cards used far from the holder's home city", basis="absolute", ge=1
        )
        min_away_devices: int = threshold(
            2,
            "distinct handsets among those cards (one phone is a traveller)",
            basis="absolute",
            ge=1,
        )
        min_away_share: float = threshold(
            0.5, "share of the holder's used cards that are away", basis="absolute", gt=0, le=1
        )
        full_score_cards: int = threshold(
            5, "away cards at which the score reaches 1", basis="absolute", ge=2
        )

    def find(self, ctx: Context, p: Params) -> ir.Table:
        h = ctx.features["holder_card_use"]
        h = h.mutate(away_share=share(h.away_cards, h.used_cards))
        hit = h.filter(
            (h.away_cards >= p.min_away_cards)
            & (h.away_devices >= p.min_away_devices)
            & (h.away_share >= p.min_away_share)
        )
        return hit.select(
            "entity_id",
            # Linked to the holder: x0.8 (family far away); strangers: x1.2.
            score=ibis.least(
                ramp(hit.away_cards, p.min_away_cards, p.full_score_cards)
                * (0.8 + 0.4 * share(hit.away_unlinked, hit.away_cards)),
                1.0,
            ),
            first_seen=hit.first_seen,
            last_seen=hit.last_seen,
            away_cards=hit.away_cards,
            used_cards=hit.used_cards,
            away_devices=hit.away_devices,
            away_cities=hit.away_cities,
            away_unlinked=hit.away_unlinked,
            home_city=hit.home_city,
        )
