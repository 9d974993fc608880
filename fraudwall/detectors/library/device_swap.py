"""Device swaps: a number moved between many handsets."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from fraudwall.detectors.base import Context, Detector, threshold
from fraudwall.detectors.base import Params as BaseParams
from fraudwall.detectors.library._grading import grade, rise
from fraudwall.features.number_devices import sighting_spans


class DeviceSwap(Detector):
    """Flags numbers seen in several distinct handsets (IMEIs) on calls, SMS and network
    events. Changing phone once is normal, so the threshold is three handsets. Handsets that
    serve many numbers are SIM-box gateways, not personal phones, and are left to the SIM-box
    detectors rather than counted here."""

    name = "device_swap"
    scenario = "device_swap"
    requires = ("calls",)
    signal = "handset_change"
    reason = "seen in {imeis} distinct handsets (threshold {min_imeis})"

    class Params(BaseParams):
        min_imeis: int = threshold(
            3, "distinct handsets that flag a number", basis="absolute", ge=2
        )
        full_score_imeis: int = threshold(
            6, "distinct handsets at which the score reaches 1", basis="absolute", ge=2
        )
        max_numbers_per_handset: int = threshold(
            4,
            "numbers a handset may serve and still count as a personal phone",
            basis="absolute",
            ge=1,
        )

    def find(self, ctx: Context, p: Params) -> ir.Table:
        s = sighting_spans(ctx.tables).filter(ibis._.imei.notnull())
        per_device = s.group_by("imei").agg(numbers=s.msisdn.nunique())
        personal = per_device.filter(per_device.numbers <= p.max_numbers_per_handset)
        s = s.semi_join(personal, "imei")
        per = s.group_by(entity_id=s.msisdn).agg(
            imeis=s.imei.nunique(), first_seen=s.first_at.min(), last_seen=s.last_at.max()
        )
        hit = per.filter(per.imeis >= p.min_imeis)
        return hit.select(
            "entity_id",
            score=grade(rise(hit.imeis, p.min_imeis, p.full_score_imeis)),
            first_seen=hit.first_seen,
            last_seen=hit.last_seen,
            imeis=hit.imeis,
        )
