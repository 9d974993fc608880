"""Registration bursts: an outlet or agent registering far more numbers than it usually does."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from fraudwall.detectors.base import Context, Detector, ramp, threshold
from fraudwall.detectors.base import Params as BaseParams

#: Agent value of outlet-level rows (every registration of the outlet, whoever made it).
ALL_AGENTS = "*"
#: Shortest history (days) an outlet's baseline rate is measured over, so that a new outlet's
#: first weeks do not look like a flood against a history of a few days.
MIN_HISTORY_DAYS = 30


class OutletRegistrationBurst(Detector):
    """Flags outlets where the outlet, or one of its agents, registered in a day (or a few) many
    times the numbers its own history predicts, and the burst looks like bulk registration
    rather than a sales event: poor face matches well above the population's rate and too many
    for chance (a z-score of the count: three poor matches among eight customers happen on a
    busy day), or several cards per holder. A flagship store's steady high volume is its own
    baseline and stays silent; so does a promotion day whose customers are real people, one
    card each."""

    name = "outlet_registration_burst"
    scenario = "abnormal_registration"
    requires = ("subscribers",)
    signal = "registration_burst"
    reason = (
        "{registrations} registrations by {agent} in {span_days} day(s) to {day}, "
        "{burst_multiple:.0f}x its usual {expected:.1f}; {low_kyc} poor face matches "
        "({kyc_multiple:.1f}x the usual share, z {kyc_z:.1f}), {cards_per_holder:.1f} cards "
        "per holder (thresholds {min_multiple}x and {min_kyc_multiple}x with z {min_kyc_z}, "
        "or {min_cards_per_holder} cards)"
    )

    class Params(BaseParams):
        window_days: int = threshold(
            2,
            "longest window, in days, over which a burst's registrations are counted (each "
            "length from one day up is tried: a burst that spans a midnight or two working "
            "days is one burst, not two halves below the thresholds)",
            basis="absolute",
            ge=1,
        )
        min_multiple: float = threshold(
            5.0,
            "registrations in the window as a multiple of what the outlet's (agent's) own "
            "history predicts",
            basis="relative",
            gt=1,
        )
        min_registrations: int = threshold(
            5, "fewest registrations in the window that can be a burst", basis="absolute", ge=2
        )
        low_quantile: float = threshold(
            0.05,
            "population quantile of kyc_face_match below which a match counts as poor",
            basis="relative",
            gt=0,
            lt=0.5,
        )
        min_kyc_multiple: float = threshold(
            3.0,
            "poor-match share of the burst as a multiple of the population's share",
            basis="relative",
            gt=1,
        )
        min_low_kyc: int = threshold(
            3, "fewest poor matches in the burst for the face-match test", basis="absolute", ge=1
        )
        min_kyc_z: float = threshold(
            3.0,
            "z-score of the burst's poor-match count against the population's rate (rules out "
            "chance)",
            basis="relative",
            gt=0,
        )
        min_cards_per_holder: float = threshold(
            1.5, "registrations per distinct holder in the burst", basis="absolute", gt=1
        )
        full_score_multiple: float = threshold(
            50.0, "burst multiple at which the score reaches 1", basis="relative", gt=1
        )

    def find(self, ctx: Context, p: Params) -> ir.Table:
        # Every window length up to window_days: a one-day burst stands out most in a day, a
        # burst that spans a midnight or two working days only in the two together.
        spans = [self._bursts(ctx, p, days) for days in range(1, p.window_days + 1)]
        hit = spans[0].union(*spans[1:]) if len(spans) > 1 else spans[0]
        top = strongest_window(hit)
        return top.select(
            "entity_id",
            "score",
            "first_seen",
            "last_seen",
            "day",
            "agent",
            "registrations",
            "expected",
            "burst_multiple",
            "low_kyc",
            "kyc_multiple",
            "kyc_z",
            "cards_per_holder",
            "span_days",
        )

    @staticmethod
    def _bursts(ctx: Context, p: Params, days: int) -> ir.Table:
        """Windows of ``days`` days that are bursts, scored."""
        w = registration_windows(ctx, window_days=days, low_quantile=p.low_quantile)
        history_days = ibis.greatest(w.history_days - days, MIN_HISTORY_DAYS)
        # The window's own registrations are left out of the baseline they are compared with.
        expected = (w.total - w.registrations) / history_days * days
        w = w.mutate(
            expected=expected,
            burst_multiple=w.registrations / ibis.greatest(expected, 0.1),
            cards_per_holder=w.registrations / ibis.greatest(w.holders, 1),
            kyc_z=poor_match_z(w),
            span_days=ibis.literal(days, "int64"),
        )
        poor_faces = (
            (w.kyc_multiple >= p.min_kyc_multiple)
            & (w.low_kyc >= p.min_low_kyc)
            & (w.kyc_z >= p.min_kyc_z)
        )
        bulk = poor_faces | (w.cards_per_holder >= p.min_cards_per_holder)
        hit = w.filter(
            (w.registrations >= p.min_registrations) & (w.burst_multiple >= p.min_multiple) & bulk
        )
        return hit.mutate(score=ramp(hit.burst_multiple, p.min_multiple, p.full_score_multiple))


def registration_windows(ctx: Context, *, window_days: int, low_quantile: float) -> ir.Table:
    """Registrations of each outlet, and of each of its agents, in sliding windows of days.

    Personal registrations only. One row per outlet (``agent_id`` = ``"*"``) or (outlet,
    agent) and registration day, with
    the registrations, poor face matches (below the population's ``low_quantile``) and holders
    in the ``window_days`` days ending that day, the poor-match share as a multiple of the
    population's, and the outlet's (agent's) total registrations and history length in days.
    """
    s = ctx.tables["subscribers"]
    # Companies and IoT fleets open cards in bulk by design; the real-name checks that bulk
    # registration defeats are those of personal customers.
    s = s.filter(s.outlet_id.notnull() & (s.outlet_id != "") & (s.holder_type == "personal"))
    pop = s.agg(kyc_cut=s.kyc_face_match.quantile(low_quantile), data_end=s.activated_at.max())
    s = s.cross_join(pop)
    pop_low = s.agg(pop_low_share=(s.kyc_face_match < s.kyc_cut).sum() / s.kyc_face_match.count())
    agents = s.filter(s.agent_id.notnull() & (s.agent_id != ""))
    days = _days(s, ibis.literal(ALL_AGENTS)).union(_days(agents, agents.agent_id))
    level = [days.entity_id, days.agent_id]
    win = ibis.range_window(
        preceding=ibis.interval(days=window_days - 1),
        following=0,
        group_by=level,
        order_by=days.day,
    )
    whole = ibis.window(group_by=level)
    d = days.mutate(
        registrations=days.n.sum().over(win),
        low_kyc=days.low.sum().over(win),
        kyc_known=days.known.sum().over(win),
        # Distinct holders do not add up over days; a holder's cards come on one visit.
        holders=days.holders.sum().over(win),
        first_at=days.first_at.min().over(win),
        last_at=days.last_at.max().over(win),
        total=days.n.sum().over(whole),
        history_days=days.data_end.date().delta(days.first_at.min().over(whole).date(), unit="day")
        + 1,
    ).cross_join(pop_low)
    low_share = d.low_kyc / ibis.greatest(d.kyc_known, 1)
    return d.mutate(
        low_share=low_share,
        kyc_multiple=low_share / ibis.greatest(d.pop_low_share, 1e-9),
        agent=ibis.ifelse(d.agent_id == ALL_AGENTS, "the outlet", "agent " + d.agent_id),
    )


def poor_match_z(w: ir.Table) -> ir.FloatingValue:
    """How far a window's poor-match count lies above what the population's rate predicts.

    A variance-stabilised (Anscombe) count score: honest for the handful of registrations of a
    day or a month, where the normal approximation of a binomial overstates a few poor matches.
    """
    expected = w.kyc_known * w.pop_low_share
    return 2 * ((w.low_kyc + 0.375).sqrt() - (expected + 0.375).sqrt())


def _days(s: ir.Table, agent: ir.Value) -> ir.Table:
    return s.group_by(
        entity_id=s.outlet_id, agent_id=agent, day=s.activated_at.date(), data_end=s.data_end
    ).agg(
        n=ibis._.count(),
        holders=s.holder_id_hash.nunique(),
        low=(s.kyc_face_match < s.kyc_cut).sum().fill_null(0).cast("int64"),
        known=s.kyc_face_match.count(),
        first_at=s.activated_at.min(),
        last_at=s.activated_at.max(),
    )


def strongest_window(hit: ir.Table, by: ir.Value | None = None) -> ir.Table:
    """Per outlet, its strongest window (highest ``by``, then score), with first/last_seen
    spanning all its flagged windows."""
    order = [ibis.desc(hit.score), hit.day, hit.agent_id]
    if "span_days" in hit.columns:  # the same window found at two lengths: the shorter
        order.append(hit.span_days)
    if by is not None:
        order.insert(0, ibis.desc(by))
    rank = ibis.row_number().over(group_by=hit.entity_id, order_by=order)
    span = ibis.window(group_by=hit.entity_id)
    hit = hit.mutate(
        rank=rank,
        first_seen=hit.first_at.min().over(span),
        last_seen=hit.last_at.max().over(span),
        day=hit.day.cast("string"),
    )
    return hit.filter(hit["rank"] == 0)
