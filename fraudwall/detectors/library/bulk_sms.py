"""Bulk SMS: one number texting a crowd of strangers who do not reply."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from fraudwall.detectors.base import Context, Detector, share, threshold
from fraudwall.detectors.base import Params as BaseParams
from fraudwall.detectors.library._business_lines import business_lines
from fraudwall.detectors.library._grading import fall, grade, rise
from fraudwall.detectors.library._precedence import yield_to
from fraudwall.detectors.library.fraud_caller import FraudCaller
from fraudwall.detectors.library.iot_misuse import IotMisuse


class BulkSms(Detector):
    """Flags numbers that text many times more distinct recipients than the median sender,
    almost none of whom text back. People text a circle that answers; spam and phishing
    senders text lists. Legitimate mass senders use short-code gateways, not personal SIMs.
    Fraud callers that also text their targets, and IoT cards used as phones, are left to
    ``fraud_caller`` and ``iot_misuse``. An established company line (an enterprise's card for a
    year or more) that writes to the same recipients again and again is a notification sender
    (codes, deliveries, bills to its customers), not a spammer walking a list: it is left out."""

    name = "bulk_sms"
    scenario = "bulk_sms"
    requires = ("sms",)
    signal = "mass_texting"
    reason = (
        "{sms_out} messages to {recipients} distinct numbers ({recipients_x_median:.0f}x the "
        "median sender, threshold {min_recipients_x_median:.0f}x), {reply_share:.0%} replied "
        "(max {max_reply_share:.0%})"
    )

    class Params(BaseParams):
        min_recipients_x_median: float = threshold(
            50.0,
            "distinct recipients as a multiple of the median sender's",
            basis="relative",
            gt=1,
        )
        min_recipients: int = threshold(
            100, "distinct recipients below which no number is flagged", basis="absolute", ge=1
        )
        max_reply_share: float = threshold(
            0.1, "most recipients who text back", basis="absolute", ge=0, le=1
        )
        customer_base_repeat: float = threshold(
            1.2,
            "messages per distinct recipient from which a company line writes to a customer base",
            basis="relative",
            gt=1,
        )

    def find(self, ctx: Context, p: Params) -> ir.Table:
        s = ctx.tables["sms"]
        mo = s.direction == "MO"
        per = (
            s.group_by(entity_id=s.msisdn)
            .agg(
                sms_out=mo.sum().cast("int64"),
                recipients=s.other_party.nunique(where=mo),
                first_seen=s.sent_at.min(),
                last_seen=s.sent_at.max(),
            )
            .filter(ibis._.sms_out > 0)
        )
        sent = s.filter(mo).select(entity_id=s.msisdn, party=s.other_party).distinct()
        got = s.filter(~mo).select(entity_id=s.msisdn, party=s.other_party).distinct()
        replies = (
            sent.semi_join(got, ["entity_id", "party"])
            .group_by("entity_id")
            .agg(repliers=ibis._.count())
        )
        pop = per.aggregate(median_recipients=per.recipients.quantile(0.5).cast("float64"))
        j = per.cross_join(pop).left_join(replies, "entity_id")
        j = j.mutate(
            reply_share=share(j.repliers.fill_null(0), j.recipients),
            recipients_x_median=j.recipients / ibis.greatest(j.median_recipients, 1.0),
        )
        hit = yield_to(ctx, j, FraudCaller, IotMisuse)
        lines = business_lines(ctx)
        if lines is not None:
            repeat = hit.sms_out / ibis.greatest(hit.recipients, 1)
            notifiers = hit.filter(repeat >= p.customer_base_repeat).semi_join(lines, "entity_id")
            hit = hit.anti_join(notifiers.select("entity_id"), "entity_id")
        hit = hit.filter(
            hit.recipients_x_median >= p.min_recipients_x_median,
            hit.recipients >= p.min_recipients,
            hit.reply_share <= p.max_reply_share,
        )
        return hit.select(
            "entity_id",
            score=grade(
                rise(
                    hit.recipients_x_median,
                    p.min_recipients_x_median,
                    4 * p.min_recipients_x_median,
                ),
                fall(hit.reply_share, p.max_reply_share, 0.0),
            ),
            first_seen=hit.first_seen,
            last_seen=hit.last_seen,
            sms_out=hit.sms_out,
            recipients=hit.recipients,
            recipients_x_median=hit.recipients_x_median,
            median_recipients=hit.median_recipients,
            reply_share=hit.reply_share,
        )
