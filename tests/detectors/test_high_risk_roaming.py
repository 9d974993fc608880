from dataclasses import replace

import pandas as pd
from number_cases import T0, background, call, minutes, num, reasons, subscribers

from fraudwall.detectors.library.high_risk_roaming import HighRiskRoaming

ABROAD = num(170, 1)
TOURIST = num(171, 1)
VISITOR = num(172, 1)
RESIDENT = num(173, 1)
PASSING = num(174, 1)


def daily(msisdn: str, days: int, **extra: object) -> list[dict]:
    """One call a day for ``days`` days."""
    return [
        call(msisdn, num(139, d), "MO", T0 + pd.Timedelta(days=d), 30, **extra) for d in range(days)
    ]


def test_flags_listed_regions_and_risky_cells_away_from_home_not_tourists_or_locals(make_ctx):
    calls = daily(ABROAD, 3, roaming_region="KH") + daily(TOURIST, 3, roaming_region="TH")
    calls += daily(VISITOR, 2, cell_id="c9") + daily(RESIDENT, 3, cell_id="c9")
    calls += daily(PASSING, 1, cell_id="c9") + daily(num(175, 1), 3, cell_id="c1")
    cells = [
        {"cell_id": "c9", "risk_area": 3, "city": "Ruili"},
        {"cell_id": "c1", "risk_area": 1, "city": "Mengla"},
    ]
    subs = subscribers([ABROAD, TOURIST, VISITOR, PASSING, num(175, 1)], home_city="Chengdu")
    subs += subscribers([RESIDENT], home_city="Ruili")
    p = HighRiskRoaming.Params()
    ctx = make_ctx(calls=calls, cells=cells, subscribers=subs)
    hits = HighRiskRoaming().find(ctx, p).execute().sort_values("entity_id", ignore_index=True)
    # The one-day pass through the risky cell is travel, not presence.
    assert hits["entity_id"].tolist() == [ABROAD, VISITOR]
    assert hits["roamed_regions"].tolist() == ["KH", "none"]
    assert hits["risky_cell_records"].tolist() == [0, 2]
    assert (hits["score"] >= 0.6).all()
    assert "roaming in KH" in reasons(HighRiskRoaming, hits, p)[0]


def test_the_region_list_is_policy(make_ctx):
    p = HighRiskRoaming.Params(high_risk_regions=("TH",))
    ctx = make_ctx(calls=daily(TOURIST, 2, roaming_region="TH"))
    assert HighRiskRoaming().find(ctx, p).execute()["entity_id"].tolist() == [TOURIST]


def test_numbers_a_narrower_scenario_explains_are_left_to_it(make_ctx):
    # A SIM box and a fraud caller working from a risky border cell for two days, next to a
    # visitor who spends those days there: only the visitor's presence is the lead.
    box = [num(160, s) for s in range(6)]
    fraud = num(161, 1)
    calls = background() + daily(VISITOR, 2, cell_id="c9")
    for day in range(2):
        start = T0 + pd.Timedelta(days=day)
        for s, sim in enumerate(box):
            calls += [
                call(
                    sim,
                    num(130, 100 * s + i),
                    "MO",
                    start + minutes(4 * i + s),
                    30,
                    imei="BOX",
                    cell_id="c9",
                )
                for i in range(12)
            ]
        calls += [
            call(
                fraud,
                num(131, 100 * day + i),
                "MO",
                start + minutes(3 * i),
                [0, 0, 5][i % 3],
                imei="PHONE",
                cell_id="c9",
            )
            for i in range(60)
        ]
    cells = [{"cell_id": "c9", "risk_area": 3, "city": "Ruili"}]
    subs = subscribers([*box, fraud, VISITOR], home_city="Chengdu")
    ctx = make_ctx(calls=calls, cells=cells, subscribers=subs)
    hits = HighRiskRoaming().find(ctx, HighRiskRoaming.Params()).execute()
    assert hits["entity_id"].tolist() == [VISITOR]
    # Without the precedence the box SIMs and the fraud caller were visitors too.
    p = ctx.policy.params("simbox_sim").model_copy(update={"enabled": False})
    off = {**ctx.policy.detectors, "simbox_sim": p}
    off["fraud_caller"] = ctx.policy.params("fraud_caller").model_copy(update={"enabled": False})
    ctx2 = make_ctx(
        calls=calls, cells=cells, subscribers=subs, policy=replace(ctx.policy, detectors=off)
    )
    got = HighRiskRoaming().find(ctx2, HighRiskRoaming.Params()).execute()
    assert set(got["entity_id"]) == {*box, fraud, VISITOR}
