"""SIM-box, den and co-movement detectors: each fires on the case, not on its look-alike."""

from __future__ import annotations

import pandas as pd
import pytest

from fraudwall.detectors.library.co_moving_devices import CoMovingDevices
from fraudwall.detectors.library.den_cell import DenCell
from fraudwall.detectors.library.power_cycling import PowerCycling
from fraudwall.detectors.library.simbox_device import SimboxDevice
from fraudwall.detectors.library.simbox_sim import SimboxSim
from fraudwall.detectors.library.static_outbound_sim import StaticOutboundSim

T0 = pd.Timestamp("2026-03-02 09:00:00")


def calls(
    msisdn, n, *, imei="", cell="C0", direction="MO", start=T0, every_min=7, cells=None, tag=""
):
    """``n`` calls of one number, ``every_min`` minutes apart; ``cells`` cycles through cells."""
    return [
        {
            "record_id": f"{msisdn}{tag}-{direction}-{i}",
            "msisdn": msisdn,
            "other_party": f"+8613900{i:06d}",
            "direction": direction,
            "started_at": start + pd.Timedelta(minutes=i * every_min),
            "duration_s": 40,
            "imei": imei,
            "cell_id": cells[i % len(cells)] if cells else cell,
        }
        for i in range(n)
    ]


def num(i: int, prefix: str = "138") -> str:
    return f"+86{prefix}{i:08d}"


def ordinary_people(n: int = 20) -> list[dict]:
    """People: a few calls a day in and out, in two or three cells, on their own phone."""
    rows = []
    for i in range(n):
        m = num(i, "150")
        cells = [f"H{i}", f"W{i % 5}", "MALL"]
        rows += calls(m, 6, imei=f"P{i}", cells=cells, every_min=90)
        rows += calls(m, 3, imei=f"P{i}", cells=cells, direction="MT", every_min=120)
    return rows


def simbox(box: str, n_sims: int, cell: str, first: int, per_sim: int = 12) -> list[dict]:
    """A box: ``n_sims`` SIMs calling out side by side from one device in one cell."""
    rows = []
    for s in range(n_sims):
        rows += calls(
            num(first + s),
            per_sim,
            imei=box,
            cell=cell,
            every_min=4,
            start=T0 + pd.Timedelta(minutes=s),
        )
    return rows


def hits(ctx, cls):
    policy = ctx.policy
    return cls().find(ctx, policy.params(cls.name)).execute()


# -- simbox_device / simbox_sim ------------------------------------------------------------------
def family_phone() -> list[dict]:
    # Three family members take turns with one phone, calling out and being called.
    rows = []
    for s in range(3):
        m = num(500 + s)
        rows += calls(m, 5, imei="FAMILY", cell="HOME", start=T0 + pd.Timedelta(hours=3 * s))
        rows += calls(
            m,
            4,
            imei="FAMILY",
            cell="HOME",
            direction="MT",
            start=T0 + pd.Timedelta(hours=3 * s, minutes=2),
        )
    return rows


def repair_shop() -> list[dict]:
    # Twelve customers' SIMs each make one test call in the shop's phone; they live elsewhere.
    rows = []
    for s in range(12):
        m = num(600 + s)
        rows += calls(
            m, 1, imei="REPAIR", cell="SHOP", start=T0 + pd.Timedelta(minutes=s), tag="shop"
        )
        rows += calls(m, 8, imei=f"OWN{s}", cells=[f"H{s}", "MALL"], every_min=60)
        rows += calls(m, 4, imei=f"OWN{s}", cell=f"H{s}", direction="MT", every_min=60)
    return rows


def dual_sim_phone() -> list[dict]:
    return calls(num(700), 10, imei="DUAL", cells=["H1", "W1"]) + calls(
        num(701), 10, imei="DUAL", cells=["H1", "W1"], start=T0 + pd.Timedelta(minutes=3)
    )


def test_simbox_device_fires_on_a_box_and_not_on_shared_phones_or_a_repair_shop(make_ctx):
    ctx = make_ctx(
        calls=simbox("BOX", 8, "DEN", 0)
        + family_phone()
        + repair_shop()
        + dual_sim_phone()
        + ordinary_people()
    )
    got = hits(ctx, SimboxDevice)
    assert got["entity_id"].tolist() == ["BOX"]
    row = got.iloc[0]
    assert row["resident_sims"] == 8
    assert row["out_share"] == 1.0
    assert 0.6 <= row["score"] <= 1.0


def test_simbox_device_needs_outbound_traffic(make_ctx):
    # Eight SIMs in one device, but as many calls in as out: a shared office handset.
    rows = simbox("OFFICE", 8, "HQ", 0)
    rows += [dict(r, record_id=r["record_id"] + "in", direction="MT") for r in rows]
    ctx = make_ctx(calls=rows + ordinary_people())
    assert hits(ctx, SimboxDevice).empty


def test_bigger_boxes_score_higher(make_ctx):
    ctx = make_ctx(calls=simbox("SMALL", 6, "D1", 0) + simbox("BIG", 16, "D2", 100))
    got = hits(ctx, SimboxDevice).set_index("entity_id")["score"]
    assert got["BIG"] > got["SMALL"]


def test_simbox_sim_flags_the_box_sims_only(make_ctx):
    ctx = make_ctx(calls=simbox("BOX", 8, "DEN", 0) + repair_shop() + family_phone())
    got = hits(ctx, SimboxSim)
    assert sorted(got["entity_id"]) == [num(i) for i in range(8)]
    assert (got["imei"] == "BOX").all()
    box_score = hits(ctx, SimboxDevice)["score"].iloc[0]
    assert got["score"].eq(box_score).all()


def test_simbox_sim_follows_a_sim_moved_between_boxes(make_ctx):
    # A SIM bank moves one SIM through two boxes: 40% of its calls in each, 20% elsewhere.
    rows = simbox("BOX1", 8, "DEN", 0) + simbox("BOX2", 8, "DEN", 100)
    moved = num(500)
    rows += calls(moved, 4, imei="BOX1", cell="DEN", tag="a")
    rows += calls(moved, 4, imei="BOX2", cell="DEN", tag="b")
    rows += calls(moved, 2, imei="ELSE", cell="DEN", tag="c")
    got = hits(make_ctx(calls=rows), SimboxSim).set_index("entity_id")
    assert got.loc[moved, "boxes"] == 2
    assert got.loc[moved, "device_share"] == 0.8


# -- static_outbound_sim -------------------------------------------------------------------------
def test_static_outbound_sim_fires_on_a_rack_sim_not_on_call_centre_or_driver(make_ctx):
    rack = calls(num(1), 120, imei="", cell="DEN", every_min=3)  # no IMEI: a box that hides it
    centre = calls(num(2), 120, imei="CC", cell="OFFICE", every_min=3) + calls(
        num(2), 40, imei="CC", cell="OFFICE", direction="MT", every_min=9
    )
    driver = calls(num(3), 120, imei="DRV", cells=[f"R{i}" for i in range(12)], every_min=3)
    ctx = make_ctx(calls=rack + centre + driver + ordinary_people())
    got = hits(ctx, StaticOutboundSim)
    assert got["entity_id"].tolist() == [num(1)]
    row = got.iloc[0]
    assert row["main_cell"] == "DEN"
    assert row["in_share"] == 0.0
    assert row["rate_multiple"] >= StaticOutboundSim.Params().min_rate_multiple


def test_static_outbound_sim_is_a_strong_lead_only_with_sim_rotation(make_ctx):
    # Two rack-like SIMs: one is swapped in and out of a device every day (SIM bank), the
    # other never is (an auto-dialer has the same traffic).
    rows = calls(num(1), 120, cell="DEN", every_min=3) + calls(num(2), 120, cell="OFF", every_min=3)
    swaps = [
        {"msisdn": num(1), "event": "sim_change", "at": T0 + pd.Timedelta(hours=h)}
        for h in range(0, 6, 2)
    ]
    ctx = make_ctx(calls=rows + ordinary_people(), device_events=swaps)
    got = hits(ctx, StaticOutboundSim).set_index("entity_id")["score"]
    assert set(got.index) == {num(1), num(2)}
    assert got[num(1)] >= 0.6 > got[num(2)]


def test_static_outbound_threshold_is_relative_to_the_population(make_ctx):
    # The same rack SIM among people who all call as much is nothing special.
    busy = []
    for i in range(20):
        busy += calls(num(i, "151"), 120, imei=f"P{i}", cell="X", every_min=3)
    ctx = make_ctx(calls=calls(num(1), 120, cell="DEN", every_min=3) + busy)
    assert hits(ctx, StaticOutboundSim).empty


def test_static_outbound_sim_leaves_out_numbers_that_text_or_browse(make_ctx):
    # A fraudster's own phone dials like a rack SIM but also texts and uses data.
    phone = calls(num(1), 120, imei="PH", cell="FLAT", every_min=3)
    sms = [
        {
            "record_id": f"s{i}",
            "msisdn": num(1),
            "other_party": num(i, "139"),
            "direction": "MO",
            "sent_at": T0 + pd.Timedelta(minutes=i),
        }
        for i in range(3)
    ]
    rack = calls(num(2), 120, cell="DEN", every_min=3)
    ctx = make_ctx(calls=phone + rack + ordinary_people(), sms=sms)
    got = hits(ctx, StaticOutboundSim)
    assert got["entity_id"].tolist() == [num(2)]
    assert got["other_use"].tolist() == [0]


# -- power_cycling -------------------------------------------------------------------------------
def events(msisdns, imei, days, cycles_per_day, *, off="detach", on="attach"):
    """``cycles_per_day`` off/on cycles a day on ``imei``, the SIMs ``msisdns`` taking turns."""
    rows = []
    for d in range(days):
        for k in range(cycles_per_day):
            t = T0 + pd.Timedelta(days=d, minutes=30 * k)
            m = msisdns[(d * cycles_per_day + k) % len(msisdns)]
            for event, at in ((off, t), (on, t + pd.Timedelta(minutes=1))):
                rows.append({"msisdn": m, "event": event, "at": at, "imei": imei, "cell_id": "C"})
    return rows


def test_power_cycling_fires_on_a_rotating_box_not_on_night_switch_off_faulty_phone_or_iot(
    make_ctx,
):
    people = [
        r
        for i in range(20)
        for r in events([num(i, "150")], f"P{i}", 3, 1, off="power_off", on="power_on")
    ]
    box = events([num(k) for k in range(8)], "BOX", 3, 12)
    faulty = events([num(50)], "FAULTY", 3, 12, off="power_off", on="power_on")
    iot = events([num(k, "147") for k in range(4)], "METER", 3, 24)
    subscribers = [
        {
            "msisdn": num(k, "147"),
            "holder_id_hash": "CO",
            "holder_type": "iot",
            "activated_at": "2025-01-01",
        }
        for k in range(4)
    ]
    ctx = make_ctx(device_events=people + box + faulty + iot, subscribers=subscribers)
    got = hits(ctx, PowerCycling)
    assert got["entity_id"].tolist() == ["BOX"]
    row = got.iloc[0]
    assert row["cycles_per_day"] == 12
    assert row["sims_cycled"] == 8


# -- den_cell ------------------------------------------------------------------------------------
def test_den_cell_fires_where_boxes_live_not_where_one_stray_sim_calls(make_ctx):
    crowd = []
    for i in range(40):  # a busy city cell: people living there
        crowd += calls(num(i, "152"), 6, imei=f"Q{i}", cell="CITY", every_min=45)
        crowd += calls(num(i, "152"), 3, imei=f"Q{i}", cell="CITY", direction="MT")
    stray = calls(num(900), 120, cell="CITY", every_min=3)  # one rack SIM in the crowd
    rows = simbox("BOX1", 8, "DEN", 0) + simbox("BOX2", 8, "DEN", 100)
    ctx = make_ctx(calls=rows + crowd + stray + ordinary_people())
    got = hits(ctx, DenCell)
    assert got["entity_id"].tolist() == ["DEN"]
    row = got.iloc[0]
    assert row["suspect_sims"] == 16
    assert row["suspect_devices"] == 2


def test_den_cell_fires_on_a_multi_card_fraud_phone_not_on_two_lone_machines(make_ctx):
    # A flat: two fraud cards worked from one handset, dialling out all day (they also text,
    # so they are no SIM-box SIMs). Another cell: two single-SIM auto-dialers side by side.
    phone = calls(num(1), 100, imei="PH", cell="FLAT", every_min=5)
    phone += calls(
        num(2), 100, imei="PH", cell="FLAT", every_min=5, start=T0 + pd.Timedelta(minutes=2)
    )
    sms = [
        {
            "record_id": f"s{k}{i}",
            "msisdn": num(k),
            "other_party": num(i, "139"),
            "direction": "MO",
            "sent_at": T0 + pd.Timedelta(minutes=i),
        }
        for k in (1, 2)
        for i in range(3)
    ]
    machines = calls(num(3), 100, imei="M1", cell="YARD") + calls(
        num(4), 100, imei="M2", cell="YARD"
    )
    ctx = make_ctx(calls=phone + machines + ordinary_people(), sms=sms)
    got = hits(ctx, DenCell)
    assert got["entity_id"].tolist() == ["FLAT"]
    row = got.iloc[0]
    assert (row["suspect_sims"], row["suspect_devices"]) == (2, 1)
    assert row["score"] >= 0.6


# -- co_moving_devices ---------------------------------------------------------------------------
def travelling(imei, msisdn, route, *, inbound=False, offset_min=0):
    """One device following ``route`` (one cell per hour), calling out twice an hour."""
    rows = []
    for h, cell in enumerate(route):
        start = T0 + pd.Timedelta(hours=h, minutes=offset_min)
        rows += calls(msisdn, 2, imei=imei, cell=cell, start=start, every_min=20, tag=f"h{h}")
        if inbound:
            rows += calls(
                msisdn,
                2,
                imei=imei,
                cell=cell,
                start=start,
                every_min=25,
                direction="MT",
                tag=f"h{h}",
            )
    return rows


def test_co_moving_devices_fires_on_a_group_not_on_a_family_trip(make_ctx):
    route = [f"R{i}" for i in range(6)]
    gang = [r for k in range(3) for r in travelling(f"GANG{k}", num(10 + k), route, offset_min=k)]
    trip = [f"T{i}" for i in range(6)]
    family = [
        r
        for k in range(3)
        for r in travelling(f"FAM{k}", num(20 + k), trip, inbound=True, offset_min=k)
    ]
    lone = travelling("LONE", num(30), route[::-1])  # same cells, other hours
    ctx = make_ctx(calls=gang + family + lone + ordinary_people())
    got = hits(ctx, CoMovingDevices)
    assert sorted(got["entity_id"]) == ["GANG0", "GANG1", "GANG2"]
    assert (got["partners"] == 2).all()
    assert (got["shared_cells"] == 6).all()


def test_co_moving_needs_devices_that_move(make_ctx):
    # Three phones in one room for most hours, out together once through three cells: the
    # room is a den, the phones did not travel.
    route = ["ROOM"] * 8 + ["A", "B", "C"]
    room = [r for k in range(3) for r in travelling(f"ROOM{k}", num(40 + k), route, offset_min=k)]
    ctx = make_ctx(calls=room + ordinary_people())
    assert hits(ctx, CoMovingDevices).empty


def test_co_moving_ignores_crowded_cell_hours(make_ctx):
    route = [f"R{i}" for i in range(6)]
    p = CoMovingDevices.Params()
    # A train: more devices than max_crowd share every cell-hour of the route.
    train = [
        r for k in range(p.max_crowd + 1) for r in travelling(f"TRAIN{k}", num(100 + k), route)
    ]
    ctx = make_ctx(calls=train)
    assert hits(ctx, CoMovingDevices).empty


@pytest.mark.parametrize(
    "cls", [SimboxDevice, SimboxSim, StaticOutboundSim, DenCell, CoMovingDevices]
)
def test_silent_on_ordinary_people(make_ctx, cls):
    ctx = make_ctx(calls=ordinary_people() + family_phone() + dual_sim_phone())
    assert hits(ctx, cls).empty
