import pandas as pd
from number_cases import T0, call, minutes, num, reasons

from fraudwall.detectors.library.device_swap import DeviceSwap
from fraudwall.detectors.library.sim_swap import SimSwap

SWAPPER = num(170, 1)
ONCE = num(171, 1)


def calls_with(msisdn: str, ids: list[tuple[str, str]]) -> list[dict]:
    """One call per (imei, imsi) pair, an hour apart."""
    return [
        call(msisdn, num(139, i), "MO", T0 + minutes(60 * i), 30, imei=imei, imsi=imsi)
        for i, (imei, imsi) in enumerate(ids)
    ]


def test_sim_swap_counts_sims_and_events_and_spares_one_replacement(make_ctx):
    calls = calls_with(SWAPPER, [("A", "s1"), ("A", "s2"), ("A", "s3")])
    calls += calls_with(ONCE, [("B", "t1"), ("B", "t2")])  # lost SIM replaced once
    events = [{"msisdn": ONCE, "event": "sim_change", "at": T0 + minutes(30), "imsi": "t2"}]
    events += [
        {"msisdn": num(172, 1), "event": "sim_change", "at": T0 + minutes(k)} for k in range(3)
    ]  # three swaps seen only in network events, no IMSI recorded
    # A SIM moved between SIM-box ports: sim_change events, but always the same IMSI.
    events += [
        {"msisdn": num(173, 1), "event": "sim_change", "at": T0 + minutes(k), "imsi": "p1"}
        for k in range(4)
    ]
    p = SimSwap.Params()
    hits = SimSwap().find(make_ctx(calls=calls, device_events=events), p).execute()
    hits = hits.sort_values("entity_id", ignore_index=True)
    assert hits["entity_id"].tolist() == [SWAPPER, num(172, 1)]
    assert hits["sim_changes"].tolist() == [2, 3]
    assert (hits["score"] >= 0.6).all()
    assert "3 SIM changes" in reasons(SimSwap, hits, p)[1]


def test_sim_swap_works_without_device_events(make_ctx):
    calls = calls_with(SWAPPER, [("A", "s1"), ("A", "s2"), ("A", "s3")])
    hits = SimSwap().find(make_ctx(calls=calls), SimSwap.Params()).execute()
    assert hits["entity_id"].tolist() == [SWAPPER]


def test_device_swap_needs_three_personal_handsets(make_ctx):
    calls = calls_with(SWAPPER, [("A", "s1"), ("B", "s1"), ("C", "s1")])
    calls += calls_with(ONCE, [("D", "t1"), ("E", "t1")])  # one new phone
    # A SIM rotated through three gateways that each serve many SIMs is not a device swap.
    gateway = [(f"G{k}", "g1") for k in range(3)]
    calls += calls_with(num(173, 0), gateway)
    calls += [
        call(num(173, s), num(139, 0), "MO", T0 + pd.Timedelta(hours=s), 5, imei=f"G{k}")
        for k in range(3)
        for s in range(1, 8)
    ]
    p = DeviceSwap.Params()
    hits = DeviceSwap().find(make_ctx(calls=calls), p).execute()
    assert hits["entity_id"].tolist() == [SWAPPER]
    assert hits["imeis"].item() == 3
    assert hits["score"].item() >= 0.6
    assert reasons(DeviceSwap, hits, p) == ["seen in 3 distinct handsets (threshold 3)"]
