"""Scoring helpers shared by the number detectors (candidates for ``detectors.base``).

A detector that checks several conditions turns each into a *strength* in [0, 1] (0 at the
threshold, 1 where the case is unmistakable) and maps their mean onto a score band: strong
detectors use a band starting at the medium risk level, weak ones a band below it, so a weak
signal alone never reaches an analyst's queue.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

#: Score bands (low end at threshold, high end at saturation).
STRONG = (0.65, 1.0)
WEAK = (0.35, 0.55)


def rise(
    value: ir.NumericValue, at: float | ir.NumericValue, full: float | ir.NumericValue
) -> ir.FloatingValue:
    """Strength of ``value >= at``: 0 at ``at``, 1 at ``full`` and beyond."""
    v = value.cast("float64")
    span = ibis.greatest(_f(full) - _f(at), ibis.literal(1e-9))
    return _clip((v - _f(at)) / span)


def fall(
    value: ir.NumericValue, at: float | ir.NumericValue, best: float | ir.NumericValue
) -> ir.FloatingValue:
    """Strength of ``value <= at``: 0 at ``at``, 1 at ``best`` (smaller) and below."""
    v = value.cast("float64")
    span = ibis.greatest(_f(at) - _f(best), ibis.literal(1e-9))
    return _clip((_f(at) - v) / span)


def grade(*strengths: ir.FloatingValue, band: tuple[float, float] = STRONG) -> ir.FloatingValue:
    """Score in ``band`` from the mean strength of the conditions a case passed."""
    mean = sum(strengths[1:], strengths[0]) / len(strengths)
    lo, hi = band
    return lo + (hi - lo) * mean


def _f(x: float | ir.NumericValue) -> ir.FloatingValue:
    return x.cast("float64") if isinstance(x, ir.Value) else ibis.literal(float(x))


def _clip(x: ir.FloatingValue) -> ir.FloatingValue:
    return ibis.least(ibis.greatest(x, ibis.literal(0.0)), ibis.literal(1.0))
