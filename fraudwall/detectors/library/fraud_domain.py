"""Fraud domains: hosts visited mostly by flagged fraud callers and their victims."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from fraudwall.detectors.base import Context, Detector, share, threshold
from fraudwall.detectors.base import Params as BaseParams
from fraudwall.detectors.library._grading import grade, rise
from fraudwall.detectors.library._known_fraud import flagged_callers
from fraudwall.detectors.library.victim_engaged import VictimEngaged


class FraudDomain(Detector):
    """Flags domains whose visitors are mostly numbers held to be fraud callers (flagged by
    ``fraud_caller``, ``simbox_sim`` or ``fraud_complaints``, or confirmed in ``labels``) and
    the victims ``victim_engaged`` flags, with little other traffic. Fake investment platforms,
    loan apps and phishing pages are visited by the people being steered to them (and by the
    gangs running them), not by the public; popular sites have millions of other visitors."""

    name = "fraud_domain"
    scenario = "fraud_domain"
    requires = ("calls", "subscribers", "data_sessions")
    signal = "fraud_host"
    reason = (
        "{flagged_visitors} of its {visitors} visitors are flagged fraud callers or victims "
        "({flagged_share:.0%}, threshold {min_flagged_share:.0%}; at least {min_flagged_visitors})"
    )

    class Params(BaseParams):
        min_flagged_visitors: int = threshold(
            3, "flagged numbers among a domain's visitors", basis="absolute", ge=1
        )
        min_flagged_share: float = threshold(
            0.5,
            "least share of a domain's visitors that are flagged",
            basis="absolute",
            ge=0,
            le=1,
        )

    def find(self, ctx: Context, p: Params) -> ir.Table:
        callers = flagged_callers(ctx).select(msisdn=ibis._.caller)
        victims = ctx.hits(VictimEngaged)
        flagged = callers.union(victims.select(msisdn=victims.entity_id), distinct=True)
        d = ctx.tables["data_sessions"]
        d = d.filter(d.domain.notnull() & (d.domain != ""))
        visits = d.group_by(["domain", "msisdn"]).agg(t0=d.started_at.min(), t1=d.started_at.max())
        marked = visits.left_join(flagged.mutate(flag=ibis.literal(1)), "msisdn").select(
            "domain", "msisdn", "t0", "t1", flag=ibis._.flag.fill_null(0)
        )
        per = marked.group_by(entity_id=marked.domain).agg(
            visitors=ibis._.count(),
            flagged_visitors=marked.flag.sum().cast("int64"),
            first_seen=marked.t0.min(where=marked.flag == 1),
            last_seen=marked.t1.max(where=marked.flag == 1),
        )
        per = per.mutate(flagged_share=share(per.flagged_visitors, per.visitors))
        hit = per.filter(
            per.flagged_visitors >= p.min_flagged_visitors,
            per.flagged_share >= p.min_flagged_share,
        )
        return hit.select(
            "entity_id",
            score=grade(
                rise(hit.flagged_share, p.min_flagged_share, 1.0),
                rise(hit.flagged_visitors, p.min_flagged_visitors, 4 * p.min_flagged_visitors),
            ),
            first_seen=hit.first_seen,
            last_seen=hit.last_seen,
            visitors=hit.visitors,
            flagged_visitors=hit.flagged_visitors,
            flagged_share=hit.flagged_share,
        )
