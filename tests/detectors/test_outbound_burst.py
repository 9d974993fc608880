import pandas as pd
from number_cases import reasons

from fraudwall.detectors.library.outbound_burst import OutboundBurst


def _calls(msisdn: str, n: int, spacing_s: int, duration_s: int = 5) -> list[dict]:
    t0 = pd.Timestamp("2026-03-02 10:00:00")
    return [
        {
            "record_id": f"{msisdn}-{i}",
            "msisdn": msisdn,
            "other_party": f"1390000{i:04d}",
            "direction": "MO",
            "started_at": t0 + pd.Timedelta(seconds=i * spacing_s),
            "duration_s": duration_s,
        }
        for i in range(n)
    ]


def test_fires_on_machine_paced_dialling_and_not_on_a_busy_person(make_ctx):
    # 150 calls 20 s apart fill one hour; 40 calls 90 s apart are a busy but human hour.
    ctx = make_ctx(calls=_calls("13800000001", 150, 20) + _calls("13800000002", 40, 90))
    p = OutboundBurst.Params()
    hits = OutboundBurst().find(ctx, p).execute()
    assert hits["entity_id"].tolist() == ["13800000001"]
    row = hits.iloc[0]
    assert row["peak_hour_out"] >= p.min_calls_per_hour
    assert 0.6 <= row["score"] <= 1.0
    assert reasons(OutboundBurst, hits, p) == [
        f"{row['peak_hour_out']} outbound calls in one hour (threshold 60)"
    ]


def test_one_ring_bursts_are_left_to_wangiri(make_ctx):
    # 150 never-answered calls in an hour, and the rung numbers call back: wangiri's case.
    rings = _calls("13800000003", 150, 20, duration_s=0)
    back = [
        {
            **r,
            "record_id": f"b{i}",
            "direction": "MT",
            "started_at": r["started_at"] + pd.Timedelta(hours=2),
            "duration_s": 60,
        }
        for i, r in enumerate(rings[:10])
    ]
    hits = OutboundBurst().find(make_ctx(calls=rings + back), OutboundBurst.Params())
    assert hits.execute().empty


def test_sims_working_in_a_sim_box_are_left_to_simbox_sim(make_ctx):
    # Six SIMs dial from one device; one of them keeps up 70 calls an hour. The box explains
    # the pace, so the lead is simbox_sim's; a lone auto-dialer is still outbound_burst's.
    box = []
    for s in range(6):
        rows = _calls(f"1380000010{s}", 70 if s == 0 else 20, 50)
        box += [{**r, "imei": "BOX", "cell_id": "DEN"} for r in rows]
    dialer = [{**r, "imei": "PC", "cell_id": "OFFICE"} for r in _calls("13800000200", 70, 50)]
    hits = OutboundBurst().find(make_ctx(calls=box + dialer), OutboundBurst.Params())
    assert hits.execute()["entity_id"].tolist() == ["13800000200"]
