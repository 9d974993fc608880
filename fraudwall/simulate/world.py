"""The static state of a simulated operator: who its subscribers are, and what each one does.

A :class:`World` holds one numpy array per subscriber attribute (index ``i`` is the ``i``-th own
subscriber, and the ``i``-th entry of the number book). The background population fills it,
the scenario plants overwrite the attributes of the subscribers they take, and the daily
generators read it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import numpy as np
import pyarrow as pa

from fraudwall.simulate.books import IdBook, NumberBook, Timeline
from fraudwall.simulate.complaints import Complaints
from fraudwall.simulate.geo import Cells
from fraudwall.simulate.labels import Labels
from fraudwall.simulate.profile import PROFILES, WorldProfile

if TYPE_CHECKING:
    from fraudwall.simulate.day import Day
    from fraudwall.simulate.events import Batch
    from fraudwall.simulate.sms_content import TextPool

DAY_S = 86_400
HOLDER_TYPES = ("personal", "enterprise", "iot")
PERSONAL, ENTERPRISE, IOT = 0, 1, 2
STATUSES = ("active", "suspended", "closed")
ACTIVE, SUSPENDED, CLOSED = 0, 1, 2
#: Marks "no time" in integer time columns (e.g. never deactivated).
NO_TIME = np.iinfo(np.int64).min


class Plant(Protocol):
    """A planted scenario (or hard benign case): set up once, then asked for each day."""

    name: str

    def adjust_day(self, day: Day) -> None:
        """Move the plant's subscribers for this day (anchors, roaming); may do nothing."""

    def events(self, day: Day, rng: np.random.Generator, batch: Batch) -> None:
        """Add the plant's own events of this day to ``batch``."""


@dataclass
class Outlets:
    """Registration outlets (shops, agents) with their agents."""

    outlet_id: pa.StringArray
    city: np.ndarray
    weight: np.ndarray  # relative steady registration volume
    agent_base: np.ndarray  # first agent index of each outlet
    n_agents: np.ndarray
    agent_id: pa.StringArray
    flagship: np.ndarray  # outlets with a high steady volume (a hard benign case)


@dataclass
class OtherCards:
    """Cards held at other operators, known from cross-operator ID records."""

    number: list[np.ndarray] = field(default_factory=list)  # number-book indices
    holder: list[np.ndarray] = field(default_factory=list)
    activated: list[np.ndarray] = field(default_factory=list)
    city: list[np.ndarray] = field(default_factory=list)
    operator: list[np.ndarray] = field(default_factory=list)


@dataclass
class World:
    """Everything static about the simulated operator, plus the ground truth being collected."""

    seed: int
    n: int
    start: dt.date
    days: int
    cells: Cells
    numbers: NumberBook
    imeis: IdBook = field(default_factory=IdBook)
    imsis: IdBook = field(default_factory=IdBook)
    holders: IdBook = field(default_factory=IdBook)
    outlets: Outlets | None = None
    domains: list[str] = field(default_factory=list)
    domain_ranges: dict[str, tuple[int, int]] = field(default_factory=dict)
    labels: Labels = field(default_factory=Labels)
    complaints: Complaints = field(default_factory=Complaints)
    other_cards: OtherCards = field(default_factory=OtherCards)
    plants: list[Plant] = field(default_factory=list)
    #: what the messages say where the operator holds their content
    texts: TextPool | None = None
    #: generation profile (rates and mixes); ``default`` is the world detectors were tuned on
    profile: WorldProfile = field(default_factory=lambda: PROFILES["default"])
    # per-subscriber attributes, filled by population.build_population
    home_city: np.ndarray = field(default_factory=lambda: np.empty(0, np.int16))
    home_cell: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    work_cell: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    holder: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    holder_type: np.ndarray = field(default_factory=lambda: np.empty(0, np.int8))
    activated: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    deactivated: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    outlet: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    agent: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    kyc: np.ndarray = field(default_factory=lambda: np.empty(0))
    status: np.ndarray = field(default_factory=lambda: np.empty(0, np.int8))
    arpu: np.ndarray = field(default_factory=lambda: np.empty(0))
    #: background activity per day: outbound calls, person-to-person SMS, machine SMS received,
    #: data sessions, location updates
    call_rate: np.ndarray = field(default_factory=lambda: np.empty(0))
    sms_rate: np.ndarray = field(default_factory=lambda: np.empty(0))
    notif_rate: np.ndarray = field(default_factory=lambda: np.empty(0))
    data_rate: np.ndarray = field(default_factory=lambda: np.empty(0))
    loc_rate: np.ndarray = field(default_factory=lambda: np.empty(0))
    unanswered: np.ndarray = field(default_factory=lambda: np.empty(0))  # P(not answering)
    mobility: np.ndarray = field(default_factory=lambda: np.empty(0))  # P(a cell off anchor)
    iot_domain: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))  # -1: none
    social: np.ndarray = field(default_factory=lambda: np.empty(0, bool))  # in the call graph
    planted: np.ndarray = field(default_factory=lambda: np.empty(0, bool))  # taken by a plant
    imei: Timeline | None = None
    imsi: Timeline | None = None
    # contact graph (CSR): on-net contacts first, then off-net ones
    nbr_ptr: np.ndarray = field(default_factory=lambda: np.zeros(1, np.int64))
    nbr_onnet_end: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    nbr: np.ndarray = field(default_factory=lambda: np.empty(0, np.int32))
    nbr_cum: np.ndarray = field(default_factory=lambda: np.empty(0))  # cumulative tie strength
    #: wanted number of contacts (0: drawn by the graph builder)
    degree: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    #: extra contact pairs (families, colleagues) that the graph builder must include
    extra_edges: list[np.ndarray] = field(default_factory=list)
    #: off-net numbers drawn with the pool but not yet used (other-operator cards)
    spare_offnet: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    spare_pos: int = 0
    #: derived arrays computed once (tie-strength shares, domain CDF)
    cache: dict[str, np.ndarray] = field(default_factory=dict)
    _pool: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    _pool_pos: int = 0

    # -- time -----------------------------------------------------------------------------------
    @property
    def horizon(self) -> int:
        """Length of the period in seconds."""
        return self.days * DAY_S

    @property
    def start_us(self) -> int:
        """Start of the period (local midnight) in microseconds since the epoch, naive local."""
        epoch = dt.datetime(1970, 1, 1)
        return int((dt.datetime.combine(self.start, dt.time()) - epoch).total_seconds()) * 10**6

    def timestamps(self, seconds: np.ndarray) -> pa.Array:
        """Seconds since the period start as local ``timestamp[us]``; ``NO_TIME`` gives null."""
        s = np.asarray(seconds, dtype=np.int64)
        mask = s == NO_TIME
        us = self.start_us + np.where(mask, 0, s) * 10**6
        arr = pa.array(us, pa.int64(), mask=mask if mask.any() else None)
        return arr.view(pa.timestamp("us"))

    # -- allocation -----------------------------------------------------------------------------
    def take(self, n: int) -> np.ndarray:
        """``n`` ordinary personal subscribers not yet taken by any plant."""
        if self._pool_pos + n > self._pool.size:
            raise ValueError(
                f"world of {self.n} subscribers is too small for the planted scenarios; "
                "use at least 2,000 subscribers"
            )
        got = self._pool[self._pool_pos : self._pool_pos + n]
        self._pool_pos += n
        self.planted[got] = True
        return got

    def forget_pools(self) -> None:
        """Drop cached pools of ordinary people (plants changed who is ordinary)."""
        for key in ("ordinary", "stranger_pool", "own_ascending"):
            self.cache.pop(key, None)

    def set_pool(self, pool: np.ndarray) -> None:
        self._pool = pool
        self._pool_pos = 0

    def ordinary(self) -> np.ndarray:
        """Subscribers no plant has taken (background people and things)."""
        return np.flatnonzero(~self.planted & self.social)

    # -- helpers used by plants ---------------------------------------------------------------
    def silence(self, subs: np.ndarray) -> None:
        """Remove subscribers from background activity and from everyone's social circle."""
        for arr in (self.call_rate, self.sms_rate, self.notif_rate, self.data_rate):
            arr[subs] = 0.0
        self.social[subs] = False

    def pin(self, subs: np.ndarray, cells: np.ndarray, mobility: float = 0.0) -> None:
        """Keep subscribers at fixed cells (a den, an office, a shop)."""
        self.home_cell[subs] = cells
        self.work_cell[subs] = cells
        self.mobility[subs] = mobility

    def new_holders(self, n: int) -> np.ndarray:
        return self.holders.new(n)

    def domain_indices(self, kind: str) -> np.ndarray:
        lo, hi = self.domain_ranges[kind]
        return np.arange(lo, hi, dtype=np.int64)

    def add_domains(self, kind: str, names: list[str]) -> np.ndarray:
        lo = len(self.domains)
        self.domains.extend(names)
        self.domain_ranges[kind] = (lo, len(self.domains))
        return self.domain_indices(kind)

    def city_weights(self) -> np.ndarray:
        """Population weights of the cities under this world's profile (sum 1)."""
        if "city_weights" not in self.cache:
            from fraudwall.simulate.geo import CITY_WEIGHTS

            w = CITY_WEIGHTS
            if self.profile.city_skew != 1.0:
                w = CITY_WEIGHTS**self.profile.city_skew
                w = w / w.sum()
            self.cache["city_weights"] = w
        return self.cache["city_weights"]

    def random_parties(self, rng: np.random.Generator, n: int, p_own: float = 0.6) -> np.ndarray:
        """Random numbers a stranger would dial: ordinary subscribers or off-net numbers."""
        if "ordinary" not in self.cache:
            self.cache["ordinary"] = self.ordinary()
        own = self.cache["ordinary"]
        lo, hi = self.numbers.range("offnet")
        pick_own = rng.random(n) < p_own
        out = rng.integers(lo, hi, size=n, dtype=np.int64)
        out[pick_own] = own[rng.integers(0, own.size, size=int(pick_own.sum()))]
        return out
