"""Changes of SIM and handset, and where people go: planted swaps and high-risk presence, and
the benign look-alikes (one lost SIM, one new phone, travellers)."""

from __future__ import annotations

import numpy as np

from fraudwall.simulate.day import Day
from fraudwall.simulate.events import Batch
from fraudwall.simulate.geo import CITIES, CITY_MAX_RISK
from fraudwall.simulate.params import HIGH_RISK_REGIONS, TRAVEL_REGIONS, scaled
from fraudwall.simulate.rhythm import durations, sample_seconds
from fraudwall.simulate.scenarios.base import BasePlant, far_cities
from fraudwall.simulate.seeds import rng_for
from fraudwall.simulate.social import pick_contacts
from fraudwall.simulate.world import DAY_S, World


def _change_times(rng: np.random.Generator, world: World, counts: np.ndarray) -> np.ndarray:
    """Daytime moments spread over the period, sorted per subscriber (concatenated)."""
    owner = np.repeat(np.arange(counts.size), counts)
    day = rng.integers(0, world.days, owner.size)
    t = day * DAY_S + rng.integers(8 * 3600, 21 * 3600, owner.size)
    return t[np.lexsort((t, owner))]


class SimSwaps(BasePlant):
    """Numbers moved to a new SIM (new IMSI) several times (planted), or once (benign)."""

    name = "sim_swap"

    def __init__(self, world: World, rng: np.random.Generator) -> None:
        n_bad, n_ok = scaled(world.n, 1, 12), scaled(world.n, 2, 12)
        subs = world.take(n_bad + n_ok)
        lo, hi = world.profile.swaps
        counts = np.concatenate([rng.integers(lo, hi + 1, n_bad), np.ones(n_ok, dtype=np.int64)])
        who = np.repeat(subs, counts)
        self.t = _change_times(rng, world, counts)
        self.who = who
        world.imsi.add(who, self.t, world.imsis.new(who.size))  # type: ignore[union-attr]
        first = np.cumsum(counts) - counts
        world.labels.add("msisdn", subs[:n_bad], "sim_swap", self.t[first[:n_bad]])
        world.labels.add("msisdn", subs[n_bad:], "benign", self.t[first[n_bad:]], "lost_sim_once")

    def events(self, day: Day, rng: np.random.Generator, batch: Batch) -> None:
        sel = (self.t >= day.t0) & (self.t < day.t0 + DAY_S)
        who, t = self.who[sel], self.t[sel]
        batch.signal(who, "detach", t - rng.integers(60, 600, who.size))
        batch.signal(who, "sim_change", t)
        batch.signal(who, "attach", t + rng.integers(3, 30, who.size))


class DeviceSwaps(BasePlant):
    """Numbers that move to a new handset (new IMEI) three or more times (planted) or once."""

    name = "device_swap"

    def __init__(self, world: World, rng: np.random.Generator) -> None:
        n_bad, n_ok = scaled(world.n, 1, 12), scaled(world.n, 3, 12)
        subs = world.take(n_bad + n_ok)
        # Three to five changes: at least three new handsets show up in the period even if
        # the one used before the first change never makes a call.
        lo, hi = world.profile.swaps
        counts = np.concatenate([rng.integers(lo, hi + 1, n_bad), np.ones(n_ok, dtype=np.int64)])
        self.who = np.repeat(subs, counts)
        self.t = _change_times(rng, world, counts)
        world.imei.add(self.who, self.t, world.imeis.new(self.who.size))  # type: ignore[union-attr]
        first = np.cumsum(counts) - counts
        world.labels.add("msisdn", subs[:n_bad], "device_swap", self.t[first[:n_bad]])
        world.labels.add(
            "msisdn", subs[n_bad:], "benign", self.t[first[n_bad:]], "phone_changed_once"
        )

    def events(self, day: Day, rng: np.random.Generator, batch: Batch) -> None:
        sel = (self.t >= day.t0) & (self.t < day.t0 + DAY_S)
        who, t = self.who[sel], self.t[sel]
        batch.signal(who, "power_off", t - rng.integers(60, 900, who.size))
        batch.signal(who, "power_on", t)
        batch.signal(who, "attach", t + rng.integers(3, 30, who.size))


class Roaming(BasePlant):
    """High-risk presence (planted) and ordinary travel (benign).

    Planted: on at least half of the days, a person is either in border cells of risk level
    2-3 or roams abroad in one of ``HIGH_RISK_REGIONS``. Benign travellers spend a day or two
    in a city of another province away from the border, abroad in an ordinary destination, or
    as tourists near the border in cells of risk level 1.
    """

    name = "high_risk_roaming"

    def __init__(self, world: World, rng: np.random.Generator) -> None:
        n_bad, n_ok = scaled(world.n, 1.5, 12), scaled(world.n, 5, 15)
        days = world.days
        self.bad = world.take(n_bad)
        self.bad_abroad = rng.random(n_bad) < 0.5
        self.bad_abroad[: n_bad // 4] = True  # both kinds always present
        self.bad_abroad[n_bad // 4 : n_bad // 2] = False
        self.bad_region = rng.choice(HIGH_RISK_REGIONS, n_bad)
        border = world.cells.where_risk(2)
        self.bad_cells = border[rng.integers(0, border.size, (n_bad, 2))]
        need = max(1, -(-days // 2))
        present = rng.random((n_bad, days)).argsort(axis=1) < rng.integers(
            need, days + 1, (n_bad, 1)
        )
        self.bad_days = present
        world.mobility[self.bad] = 0.05
        first_day = present.argmax(axis=1)
        world.labels.add(
            "msisdn",
            self.bad,
            "high_risk_roaming",
            first_day * DAY_S,
            np.where(self.bad_abroad, "high_risk_region", "border_cells"),
        )

        self.trav = world.take(n_ok)
        kind = rng.choice(3, n_ok, p=[0.5, 0.35, 0.15])  # other province, abroad, border tourism
        self.trav_kind = kind
        self.trav_region = rng.choice(TRAVEL_REGIONS, n_ok)
        # Ordinary trips go to cities away from the border: a stay in border cells of risk 2+
        # is the planted scenario, and border tourism (risk 1) is the look-alike below.
        dest_city = far_cities(world, rng, world.home_city[self.trav], max_risk=1)
        self.trav_city = dest_city
        # Border tourists stay in risk-1 cells of a city with none riskier, so that wandering
        # around town never takes them into the border cells of the planted scenario.
        tourist = world.cells.where_risk(1, exactly=True)
        tourist = tourist[CITY_MAX_RISK[world.cells.city[tourist]] <= 1]
        if tourist.size == 0:
            tourist = np.flatnonzero(
                world.cells.city == CITIES.index(next(c for c in CITIES if c.name == "西双版纳"))
            )
        self.trav_tourist = tourist[rng.integers(0, tourist.size, n_ok)]
        length = rng.integers(1, min(2, days) + 1, n_ok)
        start = rng.integers(0, days - length + 1)
        d = np.arange(days)
        self.trav_days = (d >= start[:, None]) & (d < (start + length)[:, None])
        world.labels.add("msisdn", self.trav, "benign", start * DAY_S, "traveller")

    def adjust_day(self, day: Day) -> None:
        w = day.world
        i = day.index
        on = self.bad_days[:, i]
        abroad = on & self.bad_abroad
        for region in np.unique(self.bad_region[abroad]):  # at most four regions
            day.go_abroad(self.bad[abroad & (self.bad_region == region)], str(region))
        border = on & ~self.bad_abroad
        day.home[self.bad[border]] = self.bad_cells[border, 0]
        day.work[self.bad[border]] = self.bad_cells[border, 1]

        on = self.trav_days[:, i]
        dom = on & (self.trav_kind == 0)
        rng = rng_for(w.seed, "travel", i)
        day.go_to(self.trav[dom], w.cells.random_in_city(rng, self.trav_city[dom]))
        ab = on & (self.trav_kind == 1)
        for region in np.unique(self.trav_region[ab]):  # a dozen destinations at most
            day.go_abroad(self.trav[ab & (self.trav_region == region)], str(region))
        tour = on & (self.trav_kind == 2)
        day.go_to(self.trav[tour], self.trav_tourist[tour])

    def events(self, day: Day, rng: np.random.Generator, batch: Batch) -> None:
        """Away from home people call home: a few calls to contacts on every day away."""
        away = np.concatenate(
            [self.bad[self.bad_days[:, day.index]], self.trav[self.trav_days[:, day.index]]]
        )
        a = np.repeat(away, rng.integers(1, 5, away.size))
        t = day.t0 + sample_seconds(rng, a.size, day.hours_cdf)
        batch.call(a, pick_contacts(day.world, rng, a), t, durations(rng, 0.15, a.size))
