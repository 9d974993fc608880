"""IoT misuse: machine cards used for person-to-person calls and texts."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from fraudwall.detectors.base import Context, Detector, threshold
from fraudwall.detectors.base import Params as BaseParams
from fraudwall.detectors.library._grading import grade, rise


class IotMisuse(Detector):
    """Flags IoT cards (holder_type ``iot``) that call or text many distinct numbers. A meter,
    tracker or alarm talks to its platform and perhaps a couple of fixed contacts; an IoT card
    reaching many different people has been pulled out of its device and used as a cheap,
    weakly identified phone line. Short service codes are not counted as people."""

    name = "iot_misuse"
    scenario = "iot_misuse"
    requires = ("calls", "subscribers")
    signal = "iot_voice"
    reason = (
        "IoT card in contact with {parties} distinct numbers ({voice_calls} voice calls, "
        "{sms} SMS; threshold {min_parties} numbers)"
    )

    class Params(BaseParams):
        min_parties: int = threshold(
            5,
            "distinct numbers an IoT card may reach before it is flagged",
            basis="absolute",
            ge=1,
        )
        full_score_parties: int = threshold(
            30, "distinct numbers at which the score reaches 1", basis="absolute", ge=1
        )
        min_number_digits: int = threshold(
            8,
            "digits a number needs to count as a person's line (shorter = service code)",
            basis="absolute",
            ge=1,
        )

    def find(self, ctx: Context, p: Params) -> ir.Table:
        s = ctx.tables["subscribers"]
        iot = s.filter(s.holder_type == "iot").select("msisdn")
        c = ctx.tables["calls"].semi_join(iot, "msisdn")
        parts = [c.select("msisdn", "other_party", at=c.started_at, voice=ibis.literal(1))]
        if ctx.has("sms"):
            m = ctx.tables["sms"].semi_join(iot, "msisdn")
            parts.append(m.select("msisdn", "other_party", at=m.sent_at, voice=ibis.literal(0)))
        u = ibis.union(*parts) if len(parts) > 1 else parts[0]
        digits = u.other_party.re_replace(r"\D", "").length()
        u = u.filter(digits >= p.min_number_digits)
        per = u.group_by(entity_id=u.msisdn).agg(
            parties=u.other_party.nunique(),
            voice_calls=u.voice.sum().cast("int64"),
            sms=(1 - u.voice).sum().cast("int64"),
            first_seen=u.at.min(),
            last_seen=u.at.max(),
        )
        hit = per.filter(per.parties >= p.min_parties)
        return hit.select(
            "entity_id",
            score=grade(rise(hit.parties, p.min_parties, p.full_score_parties)),
            first_seen=hit.first_seen,
            last_seen=hit.last_seen,
            parties=hit.parties,
            voice_calls=hit.voice_calls,
            sms=hit.sms,
        )
