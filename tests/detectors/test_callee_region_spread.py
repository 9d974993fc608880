from number_cases import T0, background, call, minutes, num, reasons, subscribers

from fraudwall.detectors.library.callee_region_spread import CalleeRegionSpread

SPREADER = num(170, 1)
SHOP = num(171, 1)


def test_flags_callees_spread_over_many_cities_not_many_callees_in_one(make_ctx):
    calls = background()
    people = sorted({r["msisdn"] for r in calls})
    subs = subscribers(people, home_city="Chengdu")
    # 30 on-net strangers in 10 cities for the spreader, 30 in the shop's own city for the shop.
    far = [num(139, i) for i in range(30)]
    near = [num(137, i) for i in range(30)]
    subs += [{**s, "home_city": f"city{i % 10}"} for i, s in enumerate(subscribers(far))]
    subs += subscribers(near, home_city="Chengdu")
    subs += subscribers([SPREADER, SHOP], home_city="Chengdu")
    calls += [call(SPREADER, n, "MO", T0 + minutes(i), 0) for i, n in enumerate(far)]
    calls += [call(SHOP, n, "MO", T0 + minutes(i), 30) for i, n in enumerate(near)]
    ctx = make_ctx(calls=calls, subscribers=subs)
    p = CalleeRegionSpread.Params()
    hits = CalleeRegionSpread().find(ctx, p).execute()
    assert hits["entity_id"].tolist() == [SPREADER]
    assert hits["callee_cities"].item() == 10
    assert hits["away_share"].item() == 1.0
    assert hits["score"].item() < 0.6  # weak on its own
    assert "10 home cities" in reasons(CalleeRegionSpread, hits, p)[0]
