import numpy as np
import pandas as pd

from fraudwall.detectors.library.number_anomaly import NumberAnomaly


def _calls() -> list[dict]:
    rng = np.random.default_rng(3)
    t0 = pd.Timestamp("2026-03-02 08:00:00")
    rows = []
    # 200 ordinary numbers: a few calls each, to friends who call back.
    for i in range(200):
        me = f"+86138{i:08d}"
        for k in range(int(rng.integers(2, 6))):
            friend = f"+86139{(i + k) % 50:08d}"
            at = t0 + pd.Timedelta(minutes=int(rng.integers(0, 600)))
            dur = int(rng.integers(20, 300))
            rows += [
                {
                    "record_id": f"o{i}-{k}",
                    "msisdn": me,
                    "other_party": friend,
                    "direction": "MO",
                    "started_at": at,
                    "duration_s": dur,
                },
                {
                    "record_id": f"i{i}-{k}",
                    "msisdn": me,
                    "other_party": friend,
                    "direction": "MT",
                    "started_at": at + pd.Timedelta(hours=1),
                    "duration_s": dur,
                },
            ]
    # One number dialling 400 strangers, nearly all unanswered.
    for k in range(400):
        rows.append(
            {
                "record_id": f"x{k}",
                "msisdn": "+8617000000001",
                "other_party": f"+86150{k:08d}",
                "direction": "MO",
                "started_at": t0 + pd.Timedelta(seconds=40 * k),
                "duration_s": 5 if k % 7 == 0 else 0,
            }
        )
    return rows


def test_flags_the_isolated_number_as_a_weak_signal(make_ctx):
    ctx = make_ctx(calls=_calls())
    p = NumberAnomaly.Params(top_share=0.01)
    hits = NumberAnomaly().find(ctx, p).execute().sort_values("score", ascending=False)
    assert hits["entity_id"].iloc[0] == "+8617000000001"
    assert len(hits) <= 3  # about 1% of 201 numbers
    assert hits["score"].max() <= p.max_score < 0.6


def test_an_uncorroborated_anomaly_makes_no_lead(make_ctx, tmp_path):
    # The tail holds the cold dialler and a very sociable person (60 friends, long answered
    # calls, called back): unusual, but only the dialler is also a cold caller.
    from fraudwall.detectors.library.callee_fanout import CalleeFanout
    from fraudwall.policy import load_policy
    from fraudwall.scoring.leads import run_detectors

    rows = _calls()
    t0 = pd.Timestamp("2026-03-02 08:00:00")
    social = "+8618800000001"
    for k in range(60):
        at = t0 + pd.Timedelta(minutes=9 * k)
        friend = f"+86151{k:08d}"
        rows += [
            {
                "record_id": f"s{k}",
                "msisdn": social,
                "other_party": friend,
                "direction": "MO",
                "started_at": at,
                "duration_s": 600 + 13 * k,
            },
            {
                "record_id": f"t{k}",
                "msisdn": social,
                "other_party": friend,
                "direction": "MT",
                "started_at": at + pd.Timedelta(hours=2),
                "duration_s": 400 + 7 * k,
            },
        ]
    path = tmp_path / "policy.toml"
    path.write_text('version = "t"\n[detectors.number_anomaly]\ntop_share = 0.02\n', "utf-8")
    ctx = make_ctx(calls=rows, policy=load_policy(path))
    alone = NumberAnomaly().find(ctx, ctx.params(NumberAnomaly)).execute()
    assert {"+8617000000001", social} <= set(alone["entity_id"])  # both in the tail
    lib = {"callee_fanout": CalleeFanout, "number_anomaly": NumberAnomaly}
    res = run_detectors(ctx, ctx.policy, lib, run_id="r")
    anomaly = res.leads[res.leads["detector"] == "number_anomaly"]
    assert anomaly["entity_id"].tolist() == ["+8617000000001"]
    assert res.counts["number_anomaly"] == 1
