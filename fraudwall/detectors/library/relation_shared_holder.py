"""Numbers whose real-name holder also holds numbers confirmed as fraud."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
from pydantic import Field

from fraudwall.detectors.base import Context, Detector, ramp, share, threshold
from fraudwall.detectors.base import Params as BaseParams
from fraudwall.detectors.library.relation_shared_device import (
    FRAUD_NUMBER_LABELS,
    confirmed_numbers,
)


class RelationSharedHolder(Detector):
    """Flags numbers registered to the same ID document as numbers confirmed as fraud (the
    ``labels`` table). Fraud rings register or buy cards in batches on one ID, so the holder's
    other cards are likely in the same hands; the more of the holder's cards are confirmed,
    the stronger the link. Enterprise and IoT holders are left out by default: one bad line in
    a company does not taint its other lines."""

    name = "relation_shared_holder"
    scenario = "fraud_caller"
    requires = ("subscribers", "labels")
    signal = "relation_holder"
    reason = (
        "its holder also holds {confirmed} confirmed fraud number(s) among {holder_cards} cards "
        "(threshold {min_confirmed})"
    )

    class Params(BaseParams):
        labels: tuple[str, ...] = Field(
            FRAUD_NUMBER_LABELS, description="labels that confirm a number as fraud"
        )
        holder_types: tuple[str, ...] = Field(
            ("personal",), description="holder types whose cards are linked"
        )
        min_confirmed: int = threshold(
            1, "confirmed fraud numbers the holder must hold", basis="absolute", ge=1
        )
        full_score_confirmed: int = threshold(
            3, "confirmed numbers at which the score reaches 1", basis="absolute", ge=2
        )

    def find(self, ctx: Context, p: Params) -> ir.Table:
        s = ctx.tables["subscribers"]
        s = s.filter(s.holder_type.isin(p.holder_types) & s.holder_id_hash.notnull())
        known = confirmed_numbers(ctx, p.labels)
        cards = s.select("msisdn", "holder_id_hash", "activated_at")
        flagged = cards.left_join(known, "msisdn")
        per = flagged.group_by("holder_id_hash").agg(
            holder_cards=flagged.msisdn.nunique(),
            confirmed=flagged.confirmed_at.count(),
            first_confirmed=flagged.confirmed_at.min(),
        )
        per = per.filter(per.confirmed >= p.min_confirmed)
        cand = cards.anti_join(known, "msisdn").join(per, "holder_id_hash")
        confirmed_share = share(cand.confirmed, cand.holder_cards)
        return cand.select(
            entity_id=cand.msisdn,
            score=ramp(cand.confirmed, p.min_confirmed, p.full_score_confirmed)
            * (0.8 + 0.2 * confirmed_share),
            first_seen=cand.activated_at,
            last_seen=ibis.greatest(cand.activated_at, cand.first_confirmed),
            confirmed=cand.confirmed,
            holder_cards=cand.holder_cards,
        )
