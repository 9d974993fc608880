import pandas as pd

from fraudwall.detectors.library.outbound_burst import OutboundBurst


def _calls(msisdn: str, n: int, spacing_s: int) -> list[dict]:
    t0 = pd.Timestamp("2026-03-02 10:00:00")
    return [
        {
            "record_id": f"{msisdn}-{i}",
            "msisdn": msisdn,
            "other_party": f"1390000{i:04d}",
            "direction": "MO",
            "started_at": t0 + pd.Timedelta(seconds=i * spacing_s),
            "duration_s": 5,
        }
        for i in range(n)
    ]


def test_fires_on_machine_paced_dialling_and_not_on_a_busy_person(make_ctx):
    # 150 calls 20 s apart fill one hour; 60 calls 60 s apart are a busy but human hour.
    ctx = make_ctx(calls=_calls("13800000001", 150, 20) + _calls("13800000002", 60, 60))
    p = OutboundBurst.Params()
    hits = OutboundBurst().find(ctx, p).execute()
    assert hits["entity_id"].tolist() == ["13800000001"]
    row = hits.iloc[0]
    assert row["peak_hour_out"] >= p.min_calls_per_hour
    assert 0.5 <= row["score"] <= 1.0
