"""Turn a batch of events into contract tables: call legs, SMS, data sessions, device events.

Each served subscriber's handset, SIM, serving cell and roaming region are looked up at the
second of the event, so both legs of an on-net call carry their own party's view.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from fraudwall.contract import TABLES
from fraudwall.contract.tables import DEVICE_EVENTS
from fraudwall.simulate.day import ROAM_CODES, Day
from fraudwall.simulate.events import Batch
from fraudwall.simulate.ids import digit_strings

ID_WIDTH = 9


def choose(codes: np.ndarray, values: tuple[str, ...]) -> pa.Array:
    """Strings ``values[codes[i]]``; a negative code gives null."""
    codes = np.asarray(codes)
    mask = codes < 0
    idx = pa.array(np.where(mask, 0, codes).astype(np.int32), mask=mask if mask.any() else None)
    return pa.DictionaryArray.from_arrays(idx, pa.array(values, pa.string())).cast(pa.string())


def record_ids(prefix: str, day: Day, first: int, n: int) -> pa.Array:
    """Record ids ``<prefix><YYYYMMDD><9-digit counter>``, unique across the period."""
    head = f"{prefix}{day.date:%Y%m%d}".encode("ascii")
    return digit_strings(np.arange(first, first + n, dtype=np.int64), ID_WIDTH, head)


def _cells(day: Day, cell: np.ndarray) -> pa.Array:
    mask = cell < 0
    idx = pa.array(np.where(mask, 0, cell), pa.int64(), mask=mask if mask.any() else None)
    return day.world.cells.cell_id.take(idx)


def _within_day(day: Day, t: np.ndarray) -> np.ndarray:
    # Generators aim inside the day; a late follow-up is kept at the day's last second.
    return np.clip(t, day.t0, day.t0 + 86_399)


def _legs(day: Day, a: np.ndarray, b: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, ...]:
    """Expand events to legs: the sender's (MO) where it is own, the receiver's (MT) likewise."""
    n_own = day.world.n
    order = np.lexsort((b, a, t))
    mo = order[a[order] < n_own]
    mt = order[b[order] < n_own]
    ev = np.concatenate([mo, mt])
    leg = np.concatenate([np.zeros(mo.size, np.int8), np.ones(mt.size, np.int8)])
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size)
    keep = np.lexsort((leg, rank[ev]))
    ev, leg = ev[keep], leg[keep]
    served = np.where(leg == 0, a[ev], b[ev])
    other = np.where(leg == 0, b[ev], a[ev])
    return ev, leg, served, other


def calls_table(day: Day, batch: Batch, rng: np.random.Generator, first_id: int) -> pa.Table:
    """Call legs of a batch (MO at an own caller, MT at an own callee)."""
    w = day.world
    c = batch.calls.arrays()
    t_all = _within_day(day, c["t"])
    ev, leg, served, other = _legs(day, c["a"], c["b"], t_all)
    t = t_all[ev]
    return pa.table(
        {
            "record_id": record_ids("C", day, first_id, ev.size),
            "msisdn": w.numbers.take(served),
            "other_party": w.numbers.take(other),
            "direction": choose(leg, ("MO", "MT")),
            "started_at": w.timestamps(t),
            "duration_s": pa.array(c["dur"][ev], pa.int64()),
            "imei": w.imeis.take(w.imei.value_at(served, t)),  # type: ignore[union-attr]
            "imsi": w.imsis.take(w.imsi.value_at(served, t)),  # type: ignore[union-attr]
            "cell_id": _cells(day, day.locate(served, t, rng)),
            "roaming_region": choose(day.roaming(served), ROAM_CODES),
        },
        schema=TABLES["calls"].arrow_schema(),
    )


def sms_table(
    day: Day,
    batch: Batch,
    rng: np.random.Generator,
    first_id: int,
    texts: np.ndarray | None = None,
) -> pa.Table:
    """SMS rows of a batch (MO at an own sender, MT at an own recipient); ``texts`` gives each
    message's text in the world's pool, -1 where the operator does not hold the content."""
    w = day.world
    s = batch.sms.arrays()
    t_all = _within_day(day, s["t"])
    ev, leg, served, other = _legs(day, s["a"], s["b"], t_all)
    t = t_all[ev]
    content = pa.nulls(ev.size, pa.string())
    length = s["length"][ev]
    if texts is not None and w.texts is not None and (texts >= 0).any():
        text = texts[ev]
        none = text < 0
        content = w.texts.texts.take(pa.array(np.where(none, 0, text), mask=none))
        length = np.where(none, length, w.texts.lengths[np.maximum(text, 0)])
    return pa.table(
        {
            "record_id": record_ids("S", day, first_id, ev.size),
            "msisdn": w.numbers.take(served),
            "other_party": w.numbers.take(other),
            "direction": choose(leg, ("MO", "MT")),
            "sent_at": w.timestamps(t),
            "length": pa.array(length, pa.int64()),
            "content": content,
            "imei": w.imeis.take(w.imei.value_at(served, t)),  # type: ignore[union-attr]
            "cell_id": _cells(day, day.locate(served, t, rng)),
        },
        schema=TABLES["sms"].arrow_schema(),
    )


def sessions_table(day: Day, batch: Batch, rng: np.random.Generator) -> pa.Table:
    """Data sessions of a batch, in time order."""
    w = day.world
    s = batch.sessions.arrays()
    order = np.lexsort((s["domain"], s["sub"], s["t"]))
    sub = s["sub"][order]
    t = _within_day(day, s["t"][order])
    domains = pa.array(w.domains, pa.string())
    return pa.table(
        {
            "msisdn": w.numbers.take(sub),
            "started_at": w.timestamps(t),
            "domain": domains.take(pa.array(s["domain"][order])),
            "bytes_up": pa.array(s["up"][order], pa.int64()),
            "bytes_down": pa.array(s["down"][order], pa.int64()),
            "cell_id": _cells(day, day.locate(sub, t, rng)),
        },
        schema=TABLES["data_sessions"].arrow_schema(),
    )


def signals_table(day: Day, batch: Batch, rng: np.random.Generator) -> pa.Table:
    """Device events of a batch, in time order."""
    w = day.world
    s = batch.signals.arrays()
    order = np.lexsort((s["event"], s["sub"], s["t"]))
    sub = s["sub"][order]
    t = _within_day(day, s["t"][order])
    return pa.table(
        {
            "msisdn": w.numbers.take(sub),
            "event": choose(s["event"][order], DEVICE_EVENTS),
            "at": w.timestamps(t),
            "imei": w.imeis.take(w.imei.value_at(sub, t)),  # type: ignore[union-attr]
            "imsi": w.imsis.take(w.imsi.value_at(sub, t)),  # type: ignore[union-attr]
            "cell_id": _cells(day, day.locate(sub, t, rng)),
        },
        schema=TABLES["device_events"].arrow_schema(),
    )
