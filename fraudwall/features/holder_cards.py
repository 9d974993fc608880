"""Per-holder card holdings: how many cards one ID document holds, at once and in total.

The real-name rule (一证五卡) caps the cards one person may hold; enterprise and IoT holders are
outside it, so the peak is counted over personal cards only. Cross-operator records (rows whose
``operator`` is another operator) count too: the national one-ID check (一证通查) sees them.
"""

from __future__ import annotations

import ibis

from fraudwall.features.base import Feature, TableMap, feature_family

FEATURES = (
    Feature("cards", "numbers registered to the holder, any type and operator", "cards"),
    Feature("personal_cards", "numbers registered to the holder as a personal customer", "cards"),
    Feature(
        "peak_personal_cards",
        "most personal cards the holder held at the same time (activation to deactivation)",
        "cards",
    ),
    Feature("operators", "distinct operators of the holder's cards (unknown counts as own)", "ops"),
    Feature("first_activated", "first activation of any of the holder's cards", "timestamp"),
    Feature("last_activated", "last activation of any of the holder's cards", "timestamp"),
)


@feature_family(
    name="holder_cards",
    entity_type="holder_id_hash",
    requires=("subscribers",),
    window="subscriber history",
    features=FEATURES,
)
def holder_cards(t: TableMap) -> ibis.Table:
    """Card counts per holder and the peak number held at once."""
    s = t["subscribers"]
    s = s.filter(s.holder_id_hash.notnull() & (s.holder_id_hash != ""))
    personal = s.holder_type == "personal"
    base = s.group_by(entity_id=s.holder_id_hash).agg(
        cards=s.msisdn.nunique(),
        personal_cards=s.msisdn.nunique(where=personal),
        operators=s.operator.fill_null("").nunique(),
        first_activated=s.activated_at.min(),
        last_activated=s.activated_at.max(),
    )

    # Peak concurrent holdings: +1 at each activation, -1 at each deactivation, running sum.
    # Deactivations sort before activations at the same instant (a swap is not two cards).
    p = s.filter(personal)
    on = p.select(entity_id=p.holder_id_hash, at=p.activated_at, step=ibis.literal(1))
    off = p.filter(p.deactivated_at.notnull())
    off = off.select(entity_id=off.holder_id_hash, at=off.deactivated_at, step=ibis.literal(-1))
    steps = on.union(off)
    w = ibis.cumulative_window(group_by=steps.entity_id, order_by=[steps.at, steps.step])
    running = steps.mutate(held=steps.step.sum().over(w))
    peak = running.group_by("entity_id").agg(peak_personal_cards=running.held.max())

    j = base.left_join(peak, "entity_id")
    return j.select(
        "entity_id",
        cards=j.cards,
        personal_cards=j.personal_cards,
        peak_personal_cards=j.peak_personal_cards.fill_null(0).cast("int64"),
        operators=j.operators,
        first_activated=j.first_activated,
        last_activated=j.last_activated,
    )
