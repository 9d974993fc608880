"""Generate a simulated operator's data directory, day by day."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from fraudwall import __version__
from fraudwall.simulate.background import background_block, blocks
from fraudwall.simulate.build import build
from fraudwall.simulate.day import Day, make_day
from fraudwall.simulate.events import Batch
from fraudwall.simulate.params import HIGH_RISK_REGIONS
from fraudwall.simulate.profile import get_profile
from fraudwall.simulate.render import calls_table, sessions_table, signals_table, sms_table
from fraudwall.simulate.seeds import rng_for
from fraudwall.simulate.sms_content import hold_texts
from fraudwall.simulate.static_tables import complaints_table, labels_table, subscribers_table
from fraudwall.simulate.world import World
from fraudwall.simulate.writer import DataDirWriter, Format

DEFAULT_START = dt.date(2026, 3, 2)
TIMEZONE = "Asia/Shanghai"
#: Where the whole truth goes: inside the data directory, but not a contract table, so
#: ingestion ignores it and no detector can read it.
TRUTH_PATH = "truth/labels"
#: Labels that police feedback confirms (a sample of them is the ``labels`` input table).
POLICE_CONFIRMS = ("fraud_caller", "simbox_sim")


@dataclass
class Summary:
    """What a generation run wrote."""

    out_dir: Path
    subscribers: int
    days: int
    seed: int
    profile: str = "default"
    rows: dict[str, int] = field(default_factory=dict)
    #: label rows per scenario; benign hard cases as ``benign:<kind>``
    planted: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def generate(
    out_dir: str | Path,
    subscribers: int,
    days: int,
    seed: int,
    start: dt.date | str = DEFAULT_START,
    fmt: Format = "parquet",
    encoding: str = "utf-8",
    on_day: Callable[[int, dt.date], None] | None = None,
    police_share: float = 0.3,
    profile: str = "default",
) -> Summary:
    """Write a synthetic data directory with planted, labelled fraud scenarios.

    The whole truth goes to ``truth/labels.parquet`` (for evaluation only). The contract's
    ``labels`` table holds what an operator would really have: police feedback confirming a
    random ``police_share`` of the fraud numbers (none when 0). ``profile`` names the
    generation profile (:mod:`fraudwall.simulate.profile`): ``default`` is the world the
    detectors were tuned on, ``heldout`` one they were not. The same arguments always give
    byte-identical files. ``on_day(i, date)`` is called after each finished day.

    >>> import tempfile
    >>> s = generate(tempfile.mkdtemp(), subscribers=2_000, days=1, seed=1)
    >>> s.rows["calls"] > 0 and s.planted["fraud_caller"] >= 15
    True
    """
    t_start = time.perf_counter()
    start_date = dt.date.fromisoformat(start) if isinstance(start, str) else start
    writer = DataDirWriter(Path(out_dir), fmt, encoding)  # validates format and encoding first
    world = build(seed, subscribers, start_date, days, get_profile(profile))
    writer.clear()
    for d in range(days):
        _write_day(world, writer, d)
        if on_day is not None:
            on_day(d, start_date + dt.timedelta(days=d))
    writer.write_table("subscribers", subscribers_table(world))
    writer.write_table("cells", world.cells.to_table())
    writer.write_table("complaints", complaints_table(world))
    labels = labels_table(world)
    writer.write_table(TRUTH_PATH, labels)
    if police_share > 0:
        writer.write_table("labels", police_feedback(labels, police_share, seed))
    writer.write_manifest(
        {
            "timezone": TIMEZONE,
            "generator": f"fraudwall.simulate {__version__}",
            "seed": seed,
            "profile": profile,
            "start": start_date.isoformat(),
            "days": days,
            "subscribers": subscribers,
            "format": fmt,
            "encoding": writer.encoding,
            "high_risk_regions": list(HIGH_RISK_REGIONS),
        }
    )
    return Summary(
        out_dir=Path(out_dir),
        subscribers=subscribers,
        days=days,
        seed=seed,
        profile=profile,
        rows=dict(writer.rows),
        planted=planted_counts(labels),
        seconds=time.perf_counter() - t_start,
    )


def police_feedback(truth: pa.Table, share: float, seed: int) -> pa.Table:
    """A random ``share`` of the numbers the truth labels as fraud, as police would confirm."""
    confirms = pc.and_(
        pc.equal(truth["entity_type"], "msisdn"),
        pc.is_in(truth["label"], pa.array(POLICE_CONFIRMS)),
    )
    fraud = truth.filter(confirms)
    ids = pc.unique(fraud["entity_id"])
    picked = rng_for(seed, "police").random(len(ids)) < share
    given = fraud.filter(pc.is_in(fraud["entity_id"], ids.filter(pa.array(picked))))
    return given.set_column(
        given.schema.get_field_index("source"),
        "source",
        pa.array(["police_feedback"] * given.num_rows, pa.string()),
    )


def _write_day(world: World, writer: DataDirWriter, d: int) -> None:
    seed = world.seed
    day = make_day(world, d, rng_for(seed, "day", d))
    ids = {"calls": 0, "sms": 0}
    for lo, hi in blocks(world):  # a few dozen blocks per day at most
        batch = background_block(world, day, lo, hi, rng_for(seed, "bg", d, lo))
        _emit(writer, day, batch, ("bg", lo), ids)
    batch = Batch()
    for plant in world.plants:
        plant.events(day, rng_for(seed, "plant_day", plant.name, d), batch)
    _emit(writer, day, batch, ("planted",), ids)
    writer.end_day(day.date)


def _emit(
    writer: DataDirWriter,
    day: Day,
    batch: Batch,
    key: tuple[str | int, ...],
    ids: dict[str, int],
) -> None:
    """Render one batch (``key`` names its random streams) and append it to the day's files;
    ``ids`` counts record ids so far."""
    seed, d = day.world.seed, day.index
    rng = rng_for(seed, "render", d, *key)
    texts = hold_texts(day, batch, rng_for(seed, "content", d, *key))  # labels fraud senders
    calls = calls_table(day, batch, rng, ids["calls"])
    sms = sms_table(day, batch, rng, ids["sms"], texts)
    ids["calls"] += calls.num_rows
    ids["sms"] += sms.num_rows
    writer.append("calls", day.date, calls)
    writer.append("sms", day.date, sms)
    writer.append("data_sessions", day.date, sessions_table(day, batch, rng))
    writer.append("device_events", day.date, signals_table(day, batch, rng))


def planted_counts(labels: pa.Table) -> dict[str, int]:
    """Label rows per scenario (benign rows per kind, as ``benign:<kind>``)."""
    key = pc.if_else(
        pc.equal(labels["label"], "benign"),
        pc.binary_join_element_wise("benign:", labels["detail"], ""),
        labels["label"],
    )
    counts = pc.value_counts(key).to_pylist()
    return dict(sorted((c["values"], c["counts"]) for c in counts))
