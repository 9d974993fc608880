import pandas as pd
from enginefixtures import on_both_engines
from number_cases import T0, num, reasons

from fraudwall.detectors.library.complaint_hotspot import ComplaintHotspot
from fraudwall.detectors.library.fraud_complaints import FraudComplaints

pytestmark = on_both_engines

NUISANCE = num(170, 1)
SCAMMER = num(171, 1)
NEIGHBOUR = num(172, 1)


def complaint(reporter: str, reported: str, category: str, k: int) -> dict:
    return {
        "complaint_id": f"c{reporter}{reported}{k}",
        "reporter_msisdn": reporter,
        "reported_number": reported,
        "category": category,
        "at": T0 + pd.Timedelta(hours=k),
    }


def complaints() -> list[dict]:
    rows = [complaint(num(138, i), NUISANCE, "harassment", i) for i in range(4)]
    rows += [complaint(num(138, i), SCAMMER, "fraud", i) for i in range(5)]
    # One angry person reports the neighbour eight times, for both reasons.
    rows += [
        complaint(num(138, 50), NEIGHBOUR, ("harassment", "fraud")[k % 2], k) for k in range(8)
    ]
    return rows


def test_harassment_hotspot_counts_distinct_reporters(make_ctx):
    ctx = make_ctx(complaints=complaints())
    p = ComplaintHotspot.Params()
    hits = ComplaintHotspot().find(ctx, p).execute()
    assert hits["entity_id"].tolist() == [NUISANCE]
    assert (hits["reporters"].item(), hits["complaints"].item()) == (4, 4)
    assert 0.6 <= hits["score"].item() <= 1.0
    assert "reported by 4 distinct subscribers" in reasons(ComplaintHotspot, hits, p)[0]


def test_fraud_complaints_flag_the_reported_scammer_only(make_ctx):
    ctx = make_ctx(complaints=complaints())
    p = FraudComplaints.Params()
    hits = FraudComplaints().find(ctx, p).execute()
    assert hits["entity_id"].tolist() == [SCAMMER]
    assert hits["categories"].item() == "fraud"
    assert reasons(FraudComplaints, hits, p)
