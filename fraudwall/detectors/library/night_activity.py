"""Night activity: far more of a number's calls at night than the population places."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from fraudwall.detectors.base import Context, Detector, threshold
from fraudwall.detectors.base import Params as BaseParams
from fraudwall.detectors.library._grading import WEAK, grade, rise
from fraudwall.features.number_calls import NIGHT_END_HOUR
from fraudwall.features.number_profile import number_view


class NightActivity(Detector):
    """Flags numbers placing many calls at night, a share of their calls many times the
    population's own night share, mostly unanswered. Calls that wake people up unanswered are
    a mark of nuisance callers; night-shift workers and travellers in other time zones also
    call at night, so the score stays below the medium risk level on its own."""

    name = "night_activity"
    scenario = "harassment"
    requires = ("calls",)
    signal = "night_calling"
    reason = (
        f"{{night_out}} outbound calls between 0h and {NIGHT_END_HOUR}h, {{night_share:.0%}} of "
        "its calls ({night_x_population:.0f}x the population's night share, threshold "
        "{min_night_x_population:.0f}x), {unanswered_share:.0%} unanswered"
    )

    class Params(BaseParams):
        min_night_calls: int = threshold(
            10,
            "night-time outbound calls below which no number is flagged",
            basis="absolute",
            ge=1,
        )
        min_night_x_population: float = threshold(
            4.0, "night share of calls as a multiple of the population's", basis="relative", gt=1
        )
        min_unanswered_share: float = threshold(
            0.3, "least share of outbound calls unanswered", basis="absolute", ge=0, le=1
        )

    def find(self, ctx: Context, p: Params) -> ir.Table:
        f = number_view(ctx.features)
        f = f.mutate(
            night_x_population=f.night_share
            / ibis.greatest(f.population_night_share, ibis.literal(1e-3))
        )
        hit = f.filter(
            f.night_out >= p.min_night_calls,
            f.night_x_population >= p.min_night_x_population,
            f.unanswered_share >= p.min_unanswered_share,
        )
        return hit.select(
            "entity_id",
            score=grade(
                rise(
                    hit.night_x_population, p.min_night_x_population, 4 * p.min_night_x_population
                ),
                rise(hit.night_out, p.min_night_calls, 5 * p.min_night_calls),
                band=WEAK,
            ),
            first_seen=hit.first_seen,
            last_seen=hit.last_seen,
            night_out=hit.night_out,
            night_share=hit.night_share,
            night_x_population=hit.night_x_population,
            unanswered_share=hit.unanswered_share,
        )
