"""Numbers that share a handset with numbers confirmed as fraud (police feedback)."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
from pydantic import Field

from fraudwall.detectors.base import Context, Detector, threshold
from fraudwall.detectors.base import Params as BaseParams
from fraudwall.features.number_devices import call_handsets

#: Labels that confirm a number as used for fraud.
FRAUD_NUMBER_LABELS = ("fraud_caller", "simbox_sim")


def confirmed_numbers(ctx: Context, labels: tuple[str, ...]) -> ir.Table:
    """Stored numbers (column ``msisdn``) that the ``labels`` table confirms as ``labels``.

    Ingestion normalises label ids like the columns they refer to, so they join directly.
    """
    lab = ctx.tables["labels"]
    lab = lab.filter((lab.entity_type == "msisdn") & lab.label.isin(labels))
    return lab.group_by(msisdn=lab.entity_id).agg(confirmed_at=lab.at.min())


class RelationSharedDevice(Detector):
    """Flags numbers that make a real part of their calls from a handset that numbers
    confirmed as fraud (the ``labels`` table: police feedback) also used. Fraud teams rotate
    cards through their phones, so the other cards in such a phone are likely theirs; a SIM
    that only passed through (a repair shop's test call) carries too small a share of its
    calls there to count, and one used in the handset only long after the fraud numbers (a
    second-hand phone) does not count either. A number living in a handset with one confirmed
    fraud number is a medium-risk lead; more confirmed numbers make it stronger. Confirmed
    numbers themselves are not flagged again."""

    name = "relation_shared_device"
    scenario = "fraud_caller"
    requires = ("calls", "labels")
    signal = "relation_device"
    reason = (
        "{device_share:.0%} of its calls from a handset that {confirmed} confirmed fraud "
        "number(s) also used (threshold {min_device_share:.0%})"
    )

    class Params(BaseParams):
        labels: tuple[str, ...] = Field(
            FRAUD_NUMBER_LABELS, description="labels that confirm a number as fraud"
        )
        min_device_share: float = threshold(
            0.3,
            "share of the number's calls made from the shared handset",
            basis="absolute",
            gt=0,
            le=1,
        )
        max_gap_days: int = threshold(
            7,
            "days between the fraud numbers' use of the handset and the number's that still "
            "link them (a resold phone changes hands later)",
            basis="absolute",
            ge=0,
        )
        full_score_confirmed: int = threshold(
            3,
            "confirmed numbers on the handset at which the score reaches 1",
            basis="absolute",
            ge=2,
        )

    def find(self, ctx: Context, p: Params) -> ir.Table:
        pairs = call_handsets(ctx.tables)
        pairs = pairs.mutate(device_share=pairs.n / pairs.n.sum().over(group_by=pairs.msisdn))
        known = confirmed_numbers(ctx, p.labels)
        used = pairs.semi_join(known, "msisdn")
        bad = used.group_by("imei").agg(
            confirmed=used.msisdn.nunique(),
            k_first=used.first_seen.min(),
            k_last=used.last_seen.max(),
        )
        gap = ibis.interval(days=p.max_gap_days)
        cand = pairs.anti_join(known, "msisdn").join(bad, "imei")
        cand = cand.filter(
            (cand.device_share >= p.min_device_share)
            & (cand.first_seen <= cand.k_last + gap)
            & (cand.last_seen >= cand.k_first - gap)
        )
        # 0.6 for one confirmed number, 1.0 at full_score_confirmed, for a number that lives
        # in the handset (half its calls or more); less for a smaller share.
        steps = max(p.full_score_confirmed - 1, 1)
        strength = ibis.least(0.6 + 0.4 * (cand.confirmed - 1) / steps, 1.0)
        cand = cand.mutate(score=strength * ibis.least(0.5 + cand.device_share, 1.0))
        # One lead per number: its strongest link.
        rank = ibis.row_number().over(
            group_by=cand.msisdn, order_by=[ibis.desc(cand.score), cand.imei]
        )
        top = cand.mutate(rank=rank)
        top = top.filter(top["rank"] == 0)
        return top.select(
            entity_id=top.msisdn,
            score=top.score,
            first_seen=top.first_seen,
            last_seen=top.last_seen,
            imei=top.imei,
            device_share=top.device_share,
            confirmed=top.confirmed,
        )
