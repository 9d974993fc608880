"""Per-number call ratios and how each number compares with the population's typical caller.

These are the scale-free views of :mod:`fraudwall.features.number_calls` that several detectors
threshold on: shares (of unanswered calls, of callees who call back, ...) and multiples of the
population median (a number calling 20x as many distinct people as the median caller). Medians
are taken over numbers that made at least one outbound call, so a population with many silent
cards does not inflate the multiples; a median barely moves when a few percent of the
population are fraudsters, unlike a high quantile.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from fraudwall.features.base import Feature, TableMap, built_on, feature_family
from fraudwall.features.number_calls import number_calls

FEATURES = (
    Feature("callback_share", "share of distinct callees who also called this number", "ratio"),
    Feature("inbound_share", "inbound calls / (inbound + outbound calls)", "ratio"),
    Feature("unanswered_share", "share of outbound calls with 0 s talk time", "ratio"),
    Feature("fail_share", "share of outbound calls unanswered or answered briefly", "ratio"),
    Feature("night_share", "share of outbound calls placed at night", "ratio"),
    Feature("calls_per_callee", "outbound calls per distinct callee", "calls/number"),
    Feature("callees_x_median", "distinct callees / the median caller's", "multiple"),
    Feature("calls_out_x_median", "outbound calls / the median caller's", "multiple"),
    Feature("median_callees", "distinct callees of the median caller (population)", "numbers"),
    Feature("median_calls_out", "outbound calls of the median caller (population)", "calls"),
    Feature("population_night_share", "share of all outbound calls placed at night", "ratio"),
)


def _ratio(part: ir.NumericValue, whole: ir.NumericValue) -> ir.FloatingValue:
    w = whole.cast("float64")
    return ibis.ifelse(w > 0, part.cast("float64") / w, 0.0)


@feature_family(
    name="number_profile",
    entity_type="msisdn",
    requires=("calls",),
    window="ingested period",
    features=FEATURES,
)
def number_profile(t: TableMap) -> ir.Table:
    """Shares of each number's calls and multiples of the population's median caller."""
    f = built_on(t, number_calls)
    callers = f.filter(f.calls_out > 0)
    pop = callers.aggregate(
        median_callees=callers.callees.quantile(0.5).cast("float64"),
        median_calls_out=callers.calls_out.quantile(0.5).cast("float64"),
        population_night_share=_ratio(callers.night_out.sum(), callers.calls_out.sum()),
    )
    j = f.cross_join(pop)
    return j.select(
        "entity_id",
        callback_share=_ratio(j.callees_called_back, j.callees),
        inbound_share=_ratio(j.calls_in, j.calls_in + j.calls_out),
        unanswered_share=_ratio(j.out_unanswered, j.calls_out),
        fail_share=_ratio(j.out_unanswered + j.out_short, j.calls_out),
        night_share=_ratio(j.night_out, j.calls_out),
        calls_per_callee=_ratio(j.calls_out, j.callees),
        callees_x_median=_ratio(j.callees, ibis.greatest(j.median_callees, 1.0)),
        calls_out_x_median=_ratio(j.calls_out, ibis.greatest(j.median_calls_out, 1.0)),
        median_callees=j.median_callees,
        median_calls_out=j.median_calls_out,
        population_night_share=j.population_night_share,
    )


def number_view(features: object) -> ir.Table:
    """``number_calls`` joined with ``number_profile``: every per-number call column at once.

    ``features`` is a detection context's feature cache (``ctx.features``).
    """
    base = features["number_calls"]  # type: ignore[index]
    prof = features["number_profile"]  # type: ignore[index]
    return base.join(prof, "entity_id")
