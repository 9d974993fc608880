"""Fraud domains: hosts visited mostly by flagged fraud callers and their victims, or whose name
imitates a brand or government site and that flagged numbers or fraud SMS lead to."""

from __future__ import annotations

from pathlib import Path

import ibis
import ibis.expr.types as ir
import pandas as pd
from pydantic import Field

from fraudwall.detectors.base import Context, Detector, share, threshold
from fraudwall.detectors.base import Params as BaseParams
from fraudwall.detectors.library._grading import grade, rise
from fraudwall.detectors.library._known_fraud import flagged_callers
from fraudwall.detectors.library.fraud_sms import FraudSms
from fraudwall.detectors.library.victim_engaged import VictimEngaged

_SENDERS = ibis.schema({"sms_domain": "string", "n_senders": "int64"})
_LEXICAL = ibis.schema({"lex_domain": "string", "lex_score": "float64", "lex_reasons": "string"})


class FraudDomain(Detector):
    """Flags domains whose visitors are mostly numbers held to be fraud callers (flagged by
    ``fraud_caller``, ``simbox_sim`` or ``fraud_complaints``, or confirmed in ``labels``) and
    the victims ``victim_engaged`` flags, with little other traffic. Fake investment platforms,
    loan apps and phishing pages are visited by the people being steered to them (and by the
    gangs running them), not by the public; popular sites have millions of other visitors.
    A domain is also flagged when its name is risky (a look-alike of a brand or government site
    from the operator's brand list, by edit distance, homoglyphs or IDN confusables, or with
    added words such as ``-kefu`` or ``-95588``; machine-made labels; risky TLDs) and enough
    flagged visitors or senders of fraud SMS (``fraud_sms``) that name it touch it — flagged
    visitors counting only when they are over-represented (several times their share among all
    data users: a popular site draws some flagged numbers by chance) — and when several senders
    of fraud-classified SMS name it in their messages. The evidence carries the first-seen age
    of the domain in the data."""

    name = "fraud_domain"
    scenario = "fraud_domain"
    requires = ("calls", "subscribers", "data_sessions")
    signal = "fraud_host"
    reason = (
        "{flagged_visitors} of its {visitors} visitors are flagged fraud callers or victims "
        "({flagged_share:.0%}, threshold {min_flagged_share:.0%}; at least {min_flagged_visitors})"
        "; named in fraud SMS by {fraud_senders} senders; name risk {lexical_score:.2f}"
        " ({lexical_reasons}); first seen {age_days:.0f} days before the data ends"
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
        min_lexical_score: float = threshold(
            0.6,
            "name risk (brand look-alike, homoglyph, risky TLD, ...) at which fewer flagged "
            "visitors suffice",
            basis="absolute",
            ge=0,
            le=1,
        )
        min_lexical_touches: int = threshold(
            2,
            "flagged visitors plus fraud SMS senders a risky-named domain needs",
            basis="absolute",
            ge=1,
        )
        min_lexical_lift: float = threshold(
            3.0,
            "how many times the share of flagged numbers among all data users a risky-named "
            "domain's visitors must show (popular sites draw flagged numbers by chance)",
            basis="absolute",
            ge=1,
        )
        min_fraud_senders: int = threshold(
            2,
            "distinct senders of fraud-classified SMS naming a domain that flag it on their own",
            basis="absolute",
            ge=1,
        )
        brands_file: str = Field(
            "", description="brands TOML for look-alikes (empty: the packaged list)"
        )

    def find(self, ctx: Context, p: Params) -> ir.Table:
        callers = flagged_callers(ctx).select(msisdn=ibis._.caller)
        victims = ctx.hits(VictimEngaged)
        flagged = callers.union(victims.select(msisdn=victims.entity_id), distinct=True)
        d = ctx.tables["data_sessions"]
        d = d.filter(d.domain.notnull() & (d.domain != ""))
        end = d.aggregate(data_end=d.started_at.max())
        visits = d.group_by(["domain", "msisdn"]).agg(t0=d.started_at.min(), t1=d.started_at.max())
        marked = visits.left_join(flagged.mutate(flag=ibis.literal(1)), "msisdn").select(
            "domain", "msisdn", "t0", "t1", flag=ibis._.flag.fill_null(0)
        )
        per = marked.group_by(entity_id=marked.domain).agg(
            visitors=ibis._.count(),
            flagged_visitors=marked.flag.sum().cast("int64"),
            first_visit=marked.t0.min(),
            first_seen=marked.t0.min(where=marked.flag == 1),
            last_seen=marked.t1.max(where=marked.flag == 1),
        )
        per = per.mutate(flagged_share=share(per.flagged_visitors, per.visitors))
        users = marked.group_by("msisdn").agg(flag=marked.flag.max())
        base = users.aggregate(base_share=share(users.flag.sum(), users.count()))
        senders = ibis.memtable(_sms_senders(ctx), schema=_SENDERS)
        per = per.left_join(senders, per.entity_id == senders.sms_domain)
        per = per.mutate(fraud_senders=per.n_senders.fill_null(0)).drop("sms_domain", "n_senders")
        touches = per.flagged_visitors + per.fraud_senders
        # Name risk is scored for the few domains flagged numbers touch, not the whole web.
        least = min(p.min_lexical_touches, p.min_flagged_visitors, p.min_fraud_senders)
        candidates = per.filter(touches >= least)
        names = candidates.select("entity_id").execute()["entity_id"].tolist()
        lexical = ibis.memtable(_lexical(names, p.brands_file), schema=_LEXICAL)
        j = candidates.left_join(lexical, candidates.entity_id == lexical.lex_domain)
        j = j.mutate(
            lexical_score=j.lex_score.fill_null(0.0),
            lexical_reasons=j.lex_reasons.fill_null("none"),
        ).drop("lex_domain", "lex_score", "lex_reasons")
        j = j.cross_join(end).cross_join(base)
        behaviour = (j.flagged_visitors >= p.min_flagged_visitors) & (
            j.flagged_share >= p.min_flagged_share
        )
        over_base = j.flagged_share >= p.min_lexical_lift * j.base_share
        named = (
            (j.lexical_score >= p.min_lexical_score)
            & ((j.flagged_visitors + j.fraud_senders) >= p.min_lexical_touches)
            & (over_base | (j.fraud_senders > 0))
        )
        advertised = j.fraud_senders >= p.min_fraud_senders
        hit = j.filter(behaviour | named | advertised)
        b_score = grade(
            rise(hit.flagged_share, p.min_flagged_share, 1.0),
            rise(hit.flagged_visitors, p.min_flagged_visitors, 4 * p.min_flagged_visitors),
        )
        t = hit.flagged_visitors + hit.fraud_senders
        n_score = grade(
            rise(hit.lexical_score, p.min_lexical_score, 1.0),
            rise(t, p.min_lexical_touches, 4 * p.min_lexical_touches),
        )
        b_ok = (hit.flagged_visitors >= p.min_flagged_visitors) & (
            hit.flagged_share >= p.min_flagged_share
        )
        n_ok = (
            (hit.lexical_score >= p.min_lexical_score)
            & (t >= p.min_lexical_touches)
            & ((hit.flagged_share >= p.min_lexical_lift * hit.base_share) | (hit.fraud_senders > 0))
        )
        s_ok = hit.fraud_senders >= p.min_fraud_senders
        s_score = grade(rise(hit.fraud_senders, p.min_fraud_senders, 4 * p.min_fraud_senders))
        score = ibis.greatest(
            ibis.ifelse(b_ok, b_score, 0.0),
            ibis.ifelse(n_ok, n_score, 0.0),
            ibis.ifelse(s_ok, s_score, 0.0),
        )
        first = ibis.coalesce(hit.first_seen, hit.first_visit)
        return hit.select(
            "entity_id",
            score=score,
            first_seen=first,
            last_seen=ibis.coalesce(hit.last_seen, hit.data_end),
            visitors=hit.visitors,
            flagged_visitors=hit.flagged_visitors,
            flagged_share=hit.flagged_share,
            fraud_senders=hit.fraud_senders,
            lexical_score=hit.lexical_score,
            lexical_reasons=hit.lexical_reasons,
            age_days=(hit.data_end.epoch_seconds() - hit.first_visit.epoch_seconds()) / 86400.0,
        )


def _sms_senders(ctx: Context) -> pd.DataFrame:
    """Fraud SMS senders per domain named in their messages (empty when fraud_sms cannot run)."""
    if not ctx.runnable(FraudSms):
        return pd.DataFrame({"sms_domain": [], "n_senders": []})
    h = ctx.hits(FraudSms).select("entity_id", "domains").execute()
    pairs = (
        h.assign(domain=h["domains"].fillna("").str.split(", "))
        .explode("domain")
        .query("domain != ''")
    )
    per = pairs.groupby("domain")["entity_id"].nunique()
    return pd.DataFrame({"sms_domain": per.index.astype(str), "n_senders": per.to_numpy()})


def _lexical(names: list[str], brands_file: str) -> pd.DataFrame:
    from fraudwall.content.domain_signals import lexical_risk, load_brands
    from fraudwall.content.extract import to_ascii

    book = load_brands(Path(brands_file) if brands_file else None)
    rows = []
    for name in names:
        host = to_ascii(name)
        if host is None:
            continue
        r = lexical_risk(host, book)
        rows.append((name, r.score, "; ".join(r.reasons) if r.signals else "none"))
    return pd.DataFrame(rows, columns=["lex_domain", "lex_score", "lex_reasons"])
