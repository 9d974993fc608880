"""Wangiri: one-ring calls to many numbers, baiting the curious into calling back."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from fraudwall.detectors.base import Context, Detector, share, threshold
from fraudwall.detectors.base import Params as BaseParams
from fraudwall.detectors.library._grading import grade, rise
from fraudwall.features.number_edges import call_edges


class Wangiri(Detector):
    """Flags numbers (ours or another network's, seen through our subscribers' legs) that ring
    many distinct people, hang up before nearly every call is answered, and then receive calls
    back from the people they rang. A fraud caller wants the conversation and gets some; a
    wangiri caller never talks, it wants the (premium) call-back."""

    name = "wangiri"
    scenario = "wangiri"
    requires = ("calls",)
    signal = "one_ring"
    reason = (
        "{rung} distinct numbers rung, {unanswered_share:.0%} of {calls} calls never answered "
        "(threshold {min_unanswered_share:.0%}); {callbacks} of them called back "
        "({callback_share:.0%}, threshold {min_callback_share:.0%})"
    )

    class Params(BaseParams):
        min_rung: int = threshold(
            20, "distinct numbers rung with unanswered calls", basis="absolute", ge=2
        )
        min_rung_x_median: float = threshold(
            5.0,
            "distinct numbers rung as a multiple of the median caller's callees",
            basis="relative",
            gt=1,
        )
        min_unanswered_share: float = threshold(
            0.9, "least share of its calls never answered", basis="absolute", ge=0, le=1
        )
        min_callback_share: float = threshold(
            0.02, "least share of rung numbers calling back", basis="absolute", ge=0, le=1
        )
        min_callbacks: int = threshold(
            2, "least distinct rung numbers calling back", basis="absolute", ge=1
        )

    def find(self, ctx: Context, p: Params) -> ir.Table:
        e = call_edges(ctx.tables["calls"])
        per = e.group_by(entity_id=e.caller).agg(
            calls=ibis._.count(),
            unanswered=(e.duration_s == 0).sum().cast("int64"),
            callees=e.callee.nunique(),
            rung=e.callee.nunique(where=e.duration_s == 0),
            first_ring=e.started_at.min(where=e.duration_s == 0),
            first_seen=e.started_at.min(),
            last_seen=e.started_at.max(),
        )
        pop = per.aggregate(median_callees=per.callees.quantile(0.5).cast("float64"))
        rings = e.filter(e.duration_s == 0).select(
            entity_id=e.caller, party=e.callee, rang_at=e.started_at
        )
        back = e.select(entity_id=e.callee, party=e.caller, back_at=e.started_at)
        # A call-back is a call from a rung number after it was rung.
        cb = rings.join(back, ["entity_id", "party"]).filter(ibis._.back_at > ibis._.rang_at)
        callbacks = cb.group_by("entity_id").agg(
            callbacks=cb.party.nunique(), last_back=cb.back_at.max()
        )
        j = per.cross_join(pop).left_join(callbacks, "entity_id")
        j = j.mutate(
            callbacks=j.callbacks.fill_null(0),
            unanswered_share=share(j.unanswered, j.calls),
            rung_x_median=j.rung / ibis.greatest(j.median_callees, 1.0),
        ).mutate(callback_share=share(ibis._.callbacks, ibis._.rung))
        hit = j.filter(
            j.rung >= p.min_rung,
            j.rung_x_median >= p.min_rung_x_median,
            j.unanswered_share >= p.min_unanswered_share,
            j.callback_share >= p.min_callback_share,
            j.callbacks >= p.min_callbacks,
        )
        return hit.select(
            "entity_id",
            score=grade(
                rise(hit.rung, p.min_rung, 5 * p.min_rung),
                rise(hit.unanswered_share, p.min_unanswered_share, 1.0),
                rise(hit.callback_share, p.min_callback_share, 10 * p.min_callback_share),
            ),
            first_seen=hit.first_seen,
            last_seen=ibis.greatest(hit.last_seen, hit.last_back.fill_null(hit.last_seen)),
            rung=hit.rung,
            calls=hit.calls,
            unanswered_share=hit.unanswered_share,
            callbacks=hit.callbacks,
            callback_share=hit.callback_share,
        )
