"""The entity graph's edges, one Ibis definition per kind, computed on the engine.

Every kind returns the same columns (:data:`EDGE_COLUMNS`): both ends as ``(type, id)``, the
kind, how many records support it (``n``), talk time where calls are behind it, a strength
``weight`` in (0, 1] used to rank relations, and when it was first and last seen. Edges are
undirected; ends of number–number kinds are ordered (``src_id < dst_id``) so each pair is
stored once.

Kinds and what they mean (the words the trace uses for them are in :mod:`fraudwall.graph.words`):

==================  ================  ==============================================================
kind                ends              from
==================  ================  ==============================================================
``call``            number–number     calls either way, weighted by count and talk time
``device``          number–imei       the handsets a number's calls, SMS and events went through
``sim``             number–imsi       the SIMs seen behind a number (and the registered one)
``holder``          number–holder     the ID holder the number is registered to
``outlet``          number–outlet     the outlet that registered the number
``co_registration`` number–number     registered at the same outlet within a few minutes
``cell``            number–cell       cells carrying a good share of the number's activity
``colocation``      number–number     in the same cell in the same hour, again and again
``shared_victim``   number–number     cold callers that called the same strangers
``domain``          number–domain     domains the number visited
==================  ================  ==============================================================
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from fraudwall.features.base import TableMap
from fraudwall.features.number_edges import call_edges

EDGE_COLUMNS = (
    "src_type",
    "src_id",
    "dst_type",
    "dst_id",
    "kind",
    "n",
    "talk_s",
    "weight",
    "first_seen",
    "last_seen",
)


@dataclass(frozen=True)
class EdgeParams:
    """Windows and caps of the edge definitions (kept in the build's metadata)."""

    #: co_registration: activations at one outlet at most this many seconds apart
    co_registration_s: int = 600
    #: co_registration: outlet windows with more activations are a promotion day, not a batch
    co_registration_max: int = 50
    #: cell: smallest share of a number's located records for a cell to count as its place
    cell_min_share: float = 0.2
    #: colocation: distinct (day, hour) windows two numbers must share in one cell
    colocation_min_windows: int = 4
    #: colocation: cell-hours with more numbers than this are a crowd, not a meeting
    colocation_max_crowd: int = 10
    #: shared_victim: a callee counts when at most this many distinct numbers called it
    victim_max_callers: int = 20
    #: shared_victim: a caller counts when it called at least this many distinct numbers
    victim_min_callees: int = 20
    #: shared_victim: callees two callers must share
    victim_min_shared: int = 2


Builder = Callable[[TableMap, EdgeParams], ir.Table]

#: Tables each kind reads (a kind whose tables are absent is left out of the build).
REQUIRES: dict[str, tuple[str, ...]] = {}
BUILDERS: dict[str, Builder] = {}


def edge_kind(name: str, requires: tuple[str, ...]) -> Callable[[Builder], Builder]:
    """Register an edge kind's builder."""

    def register(fn: Builder) -> Builder:
        REQUIRES[name] = requires
        BUILDERS[name] = fn
        return fn

    return register


def _shape(
    t: ir.Table,
    *,
    src_type: str,
    dst_type: str,
    kind: str,
    weight: ir.Value,
    talk_s: ir.Value | None = None,
) -> ir.Table:
    return t.select(
        src_type=ibis.literal(src_type),
        src_id=t.src_id.cast("string"),
        dst_type=ibis.literal(dst_type),
        dst_id=t.dst_id.cast("string"),
        kind=ibis.literal(kind),
        n=t.n.cast("int64"),
        talk_s=(talk_s if talk_s is not None else ibis.literal(0)).cast("int64"),
        weight=ibis.least(ibis.greatest(weight.cast("float64"), 0.01), 1.0),
        first_seen=t.first_seen.cast("timestamp"),
        last_seen=t.last_seen.cast("timestamp"),
    )


def _ordered(t: ir.Table, a: str, b: str) -> ir.Table:
    """Order the two ends of a symmetric pair so each pair appears once."""
    return t.mutate(src_id=ibis.least(t[a], t[b]), dst_id=ibis.greatest(t[a], t[b]))


SharedDef = Callable[[TableMap], ir.Table]
#: Intermediate tables that several kinds read, or one kind more than once: key -> (definition,
#: the kinds that read it).
#: The build materialises each once (when one of its kinds is built) and hands it to the
#: kinds under its key; a kind called on the stored tables alone computes it inline.
SHARED: dict[str, tuple[SharedDef, tuple[str, ...]]] = {}


def shared_table(key: str, kinds: tuple[str, ...]) -> Callable[[SharedDef], SharedDef]:
    """Register an intermediate table read by ``kinds``."""

    def register(fn: SharedDef) -> SharedDef:
        SHARED[key] = (fn, kinds)
        return fn

    return register


def _shared(t: TableMap, key: str) -> ir.Table:
    return t[key] if key in t else SHARED[key][0](t)


class _Overlay(Mapping[str, ir.Table]):
    """The stored tables plus extra named tables (read-only)."""

    def __init__(self, tables: TableMap, extra: Mapping[str, ir.Table]) -> None:
        self._tables, self._extra = tables, dict(extra)

    def __getitem__(self, key: str) -> ir.Table:
        return self._extra[key] if key in self._extra else self._tables[key]

    def __contains__(self, key: object) -> bool:
        return key in self._extra or key in self._tables

    def __iter__(self) -> Iterator[str]:
        return iter([*self._tables, *self._extra])

    def __len__(self) -> int:
        return len(self._tables) + len(self._extra)


def with_shared(tables: TableMap, shared: Mapping[str, ir.Table]) -> TableMap:
    """``tables`` plus already materialised :data:`SHARED` tables, under their keys."""
    return _Overlay(tables, shared)


#: ``caller, callee`` with the calls between them that way (``n``), their talk time and first
#: and last start: :func:`call_edges` summed once for the call and shared-victim kinds.
CALL_PAIRS = "graph:call_pairs"
#: ``msisdn, imei, imsi`` with the records naming them together and their first and last
#: time, for the device and SIM kinds.
HANDSET_RECORDS = "graph:handset_records"
#: ``msisdn, cell, hour``: the clock hours each number was seen in each cell, for co-location.
CELL_HOURS = "graph:cell_hours"


@shared_table(CALL_PAIRS, ("call", "shared_victim"))
def call_pairs(t: TableMap) -> ir.Table:
    """Calls per ``caller -> callee`` (either leg, each call once), with talk time and span."""
    e = call_edges(t["calls"])
    return e.group_by("caller", "callee").agg(
        n=ibis._.count(),
        talk=e.duration_s.sum(),
        first_seen=e.started_at.min(),
        last_seen=e.started_at.max(),
    )


_HANDSET_SOURCES = {"calls": "started_at", "sms": "sent_at", "device_events": "at"}


@shared_table(HANDSET_RECORDS, ("device", "sim"))
def handset_records(t: TableMap) -> ir.Table:
    """Records per number, handset and SIM as they were named together (either may be
    missing), with their first and last time."""
    parts = []
    for name, time_col in _HANDSET_SOURCES.items():
        if name in t and ("imei" in t[name].columns or "imsi" in t[name].columns):
            x = t[name]
            cols = {
                c: (x[c] if c in x.columns else ibis.null().cast("string")).cast("string")
                for c in ("imei", "imsi")
            }
            parts.append(x.select(msisdn=x.msisdn, **cols, at=x[time_col]))
    r = parts[0]
    for more in parts[1:]:
        r = r.union(more)
    return r.group_by("msisdn", "imei", "imsi").agg(
        n=ibis._.count(), first_seen=r.at.min(), last_seen=r.at.max()
    )


@edge_kind("call", ("calls",))
def calls_between(t: TableMap, p: EdgeParams) -> ir.Table:
    """Calls between two numbers: count and talk time (one ring weighs little)."""
    e = _shared(t, CALL_PAIRS)
    e = e.filter(e.caller != e.callee)
    e = _ordered(e, "caller", "callee")
    g = e.group_by("src_id", "dst_id").agg(
        n=e.n.sum().cast("int64"),
        talk=e.talk.sum(),
        first_seen=e.first_seen.min(),
        last_seen=e.last_seen.max(),
    )
    # Strength saturates: a few long calls or many short ones make a strong tie.
    strength = 1 - (-(g.n + g.talk / 600.0) / 4.0).exp()
    return _shape(
        g, src_type="msisdn", dst_type="msisdn", kind="call", weight=strength, talk_s=g.talk
    )


def _share_edges(t: TableMap, column: str, entity: str, kind: str) -> ir.Table:
    r = _shared(t, HANDSET_RECORDS)
    r = r.filter(r[column].notnull() & (r[column] != ""))
    g = r.group_by(src_id=r.msisdn, dst_id=r[column]).agg(
        n=r.n.sum().cast("int64"), first_seen=r.first_seen.min(), last_seen=r.last_seen.max()
    )
    share = g.n / g.n.sum().over(group_by=g.src_id)
    return _shape(g, src_type="msisdn", dst_type=entity, kind=kind, weight=share)


@edge_kind("device", ("calls",))
def devices_used(t: TableMap, p: EdgeParams) -> ir.Table:
    """Handsets behind a number, weighted by the share of its records through each."""
    return _share_edges(t, "imei", "imei", "device")


@edge_kind("sim", ("calls",))
def sims_used(t: TableMap, p: EdgeParams) -> ir.Table:
    """SIMs seen behind a number in its records, plus the SIM it was registered with."""
    seen = _share_edges(t, "imsi", "imsi", "sim")
    if "subscribers" not in t or "imsi" not in t["subscribers"].columns:
        return seen
    s = t["subscribers"]
    s = s.filter(s.imsi.notnull() & (s.imsi != ""))
    reg = s.select(
        src_id=s.msisdn,
        dst_id=s.imsi,
        n=ibis.literal(1),
        first_seen=s.activated_at,
        last_seen=s.activated_at,
    )
    reg = _shape(reg, src_type="msisdn", dst_type="imsi", kind="sim", weight=ibis.literal(1.0))
    both = seen.union(reg)
    # One edge per pair: the records' count and time span, full strength when registered.
    return both.group_by(EDGE_COLUMNS[:5]).agg(
        n=both.n.max(),
        talk_s=both.talk_s.max(),
        weight=both.weight.max(),
        first_seen=both.first_seen.min(),
        last_seen=both.last_seen.max(),
    )


@edge_kind("holder", ("subscribers",))
def registered_to(t: TableMap, p: EdgeParams) -> ir.Table:
    """The ID holder each number is registered to."""
    s = t["subscribers"]
    s = s.filter(s.holder_id_hash.notnull())
    g = s.select(
        src_id=s.msisdn,
        dst_id=s.holder_id_hash,
        n=ibis.literal(1),
        first_seen=s.activated_at,
        last_seen=s.activated_at,
    )
    return _shape(
        g, src_type="msisdn", dst_type="holder_id_hash", kind="holder", weight=ibis.literal(1.0)
    )


@edge_kind("outlet", ("subscribers",))
def registered_at(t: TableMap, p: EdgeParams) -> ir.Table:
    """The outlet that registered each number (weak alone: an outlet registers many)."""
    s = t["subscribers"]
    s = s.filter(s.outlet_id.notnull())
    g = s.select(
        src_id=s.msisdn,
        dst_id=s.outlet_id,
        n=ibis.literal(1),
        first_seen=s.activated_at,
        last_seen=s.activated_at,
    )
    return _shape(
        g, src_type="msisdn", dst_type="outlet_id", kind="outlet", weight=ibis.literal(0.2)
    )


@edge_kind("co_registration", ("subscribers",))
def registered_together(t: TableMap, p: EdgeParams) -> ir.Table:
    """Numbers registered at the same outlet within ``co_registration_s`` seconds."""
    s = t["subscribers"]
    s = s.filter(s.outlet_id.notnull() & s.activated_at.notnull())
    s = s.select(
        msisdn=s.msisdn,
        outlet=s.outlet_id,
        at=s.activated_at,
        sec=s.activated_at.epoch_seconds(),
    )
    s = s.mutate(bucket=(s.sec // p.co_registration_s).cast("int64"))
    crowd = s.group_by("outlet", "bucket").agg(k=ibis._.count())
    s = s.join(crowd, ["outlet", "bucket"])
    s = s.filter(s.k <= p.co_registration_max).drop("k")
    # Pairs within the window fall in the same or in adjacent buckets.
    nxt = s.mutate(bucket=s.bucket + 1)
    a = s.select(a_m=s.msisdn, outlet=s.outlet, bucket=s.bucket, a_sec=s.sec, a_at=s.at)
    b_same = s.select(b_m=s.msisdn, outlet=s.outlet, bucket=s.bucket, b_sec=s.sec, b_at=s.at)
    b_next = nxt.select(
        b_m=nxt.msisdn, outlet=nxt.outlet, bucket=nxt.bucket, b_sec=nxt.sec, b_at=nxt.at
    )
    pairs = a.join(b_same.union(b_next), ["outlet", "bucket"])
    pairs = pairs.filter(
        (pairs.a_m < pairs.b_m) & ((pairs.a_sec - pairs.b_sec).abs() <= p.co_registration_s)
    )
    g = pairs.group_by(src_id=pairs.a_m, dst_id=pairs.b_m).agg(
        n=ibis._.count(),
        gap=(pairs.a_sec - pairs.b_sec).abs().min(),
        first_seen=ibis.least(pairs.a_at, pairs.b_at).min(),
        last_seen=ibis.greatest(pairs.a_at, pairs.b_at).max(),
    )
    # Strength falls from 0.7 (same minute) to 0.4 at the window's edge.
    w = 0.7 - 0.3 * g.gap / p.co_registration_s
    # talk_s carries the gap in seconds (the trace says "within N minutes").
    return _shape(
        g, src_type="msisdn", dst_type="msisdn", kind="co_registration", weight=w, talk_s=g.gap
    )


def _located(t: TableMap) -> ir.Table:
    """``msisdn, cell, at`` of every record with a serving cell."""
    parts = []
    sources = {
        "calls": "started_at",
        "sms": "sent_at",
        "device_events": "at",
        "data_sessions": "started_at",
    }
    for name, time_col in sources.items():
        if name in t and "cell_id" in t[name].columns:
            x = t[name]
            x = x.filter(x.cell_id.notnull() & (x.cell_id != ""))
            parts.append(x.select(msisdn=x.msisdn, cell=x.cell_id, at=x[time_col]))
    out = parts[0]
    for more in parts[1:]:
        out = out.union(more)
    return out


@shared_table(CELL_HOURS, ("colocation",))
def cell_hours(t: TableMap) -> ir.Table:
    """``msisdn, cell, hour`` (clock hour), once each, of every located record with a time.

    Read by one kind, but it reads it three times (each cell-hour's crowd, each number's quiet
    windows, the self-join); materialised once it is not re-aggregated for each.
    """
    r = _located(t)
    # A record without a time meets nobody.
    r = r.filter(r.at.notnull())
    return r.select(msisdn=r.msisdn, cell=r.cell, hour=r.at.truncate("h")).distinct()


@edge_kind("cell", ("calls",))
def places(t: TableMap, p: EdgeParams) -> ir.Table:
    """Cells that carry at least ``cell_min_share`` of a number's located records.

    Straight from the records: summed per number, cell and hour first, nearly every record is a
    group of its own (15 of 20 million at 200k subscribers), so that sum would save nothing.
    """
    r = _located(t)
    g = r.group_by(src_id=r.msisdn, dst_id=r.cell).agg(
        n=ibis._.count(), first_seen=r.at.min(), last_seen=r.at.max()
    )
    g = g.mutate(share=g.n / g.n.sum().over(group_by=g.src_id))
    g = g.filter(g.share >= p.cell_min_share)
    return _shape(g, src_type="msisdn", dst_type="cell_id", kind="cell", weight=g.share)


@edge_kind("colocation", ("calls",))
def together(t: TableMap, p: EdgeParams) -> ir.Table:
    """Numbers in the same cell in the same clock hour on several occasions.

    Busy cells (a station, a mall) put strangers side by side; only cell-hours with at most
    ``colocation_max_crowd`` numbers count, and a pair needs ``colocation_min_windows`` of them.
    A number in fewer quiet cell-hours than that can be in no such pair, so it is dropped before
    the self-join (the pairs, and each cell-hour's crowd, are the same).
    """
    seen = _shared(t, CELL_HOURS)
    crowd = seen.group_by("cell", "hour").agg(k=ibis._.count())
    quiet = crowd.filter((crowd.k >= 2) & (crowd.k <= p.colocation_max_crowd)).drop("k")
    seen = seen.semi_join(quiet, ["cell", "hour"])
    often = seen.group_by("msisdn").agg(w=ibis._.count())
    often = often.filter(often.w >= p.colocation_min_windows).drop("w")
    seen = seen.semi_join(often, "msisdn")
    a = seen.select(a_m="msisdn", cell="cell", hour="hour")
    b = seen.select(b_m="msisdn", cell="cell", hour="hour")
    pairs = a.join(b, ["cell", "hour"])
    pairs = pairs.filter(pairs.a_m < pairs.b_m)
    g = pairs.group_by(src_id=pairs.a_m, dst_id=pairs.b_m).agg(
        n=ibis._.count(), first_seen=pairs.hour.min(), last_seen=pairs.hour.max()
    )
    g = g.filter(g.n >= p.colocation_min_windows)
    return _shape(
        g,
        src_type="msisdn",
        dst_type="msisdn",
        kind="colocation",
        weight=0.1 + 0.5 * ibis.least(g.n / 20.0, 1.0),
    )


@edge_kind("shared_victim", ("calls",))
def shared_victims(t: TableMap, p: EdgeParams) -> ir.Table:
    """Cold callers (many distinct callees) that called the same few-called strangers.

    Gangs work one list of targets from rotating numbers; two ordinary people who both call
    their daughter are not cold callers and do not meet here.
    """
    e = _shared(t, CALL_PAIRS)
    pairs = e.select("caller", "callee", at=e.first_seen, last=e.last_seen)
    callers_of = pairs.group_by("callee").agg(k=ibis._.count())
    callees_of = pairs.group_by("caller").agg(m=ibis._.count())
    pairs = pairs.join(callers_of, "callee").join(callees_of, "caller")
    pairs = pairs.filter(
        (pairs.k >= 2) & (pairs.k <= p.victim_max_callers) & (pairs.m >= p.victim_min_callees)
    )
    a = pairs.select(
        a_m=pairs.caller, callee=pairs.callee, a_at=pairs.at, a_last=pairs.last, a_n=pairs.m
    )
    b = pairs.select(
        b_m=pairs.caller, callee=pairs.callee, b_at=pairs.at, b_last=pairs.last, b_n=pairs.m
    )
    j = a.join(b, "callee")
    j = j.filter(j.a_m < j.b_m)
    g = j.group_by(src_id=j.a_m, dst_id=j.b_m).agg(
        n=ibis._.count(),
        fewer=ibis.least(j.a_n, j.b_n).max(),
        first_seen=ibis.least(j.a_at, j.b_at).min(),
        last_seen=ibis.greatest(j.a_last, j.b_last).max(),
    )
    g = g.filter(g.n >= p.victim_min_shared)
    # Two cold callers dialling at random share a sliver of their callees; a gang working one
    # list shares a good part of it. Strength follows the overlap, full at a third.
    overlap = g.n.cast("float64") / ibis.greatest(g.fewer, 1).cast("float64")
    return _shape(
        g,
        src_type="msisdn",
        dst_type="msisdn",
        kind="shared_victim",
        weight=0.1 + 0.8 * ibis.least(overlap * 3.0, 1.0),
    )


@edge_kind("domain", ("data_sessions",))
def domains_visited(t: TableMap, p: EdgeParams) -> ir.Table:
    """Domains a number visited; a domain everyone visits links nobody (weight by rarity)."""
    d = t["data_sessions"]
    g = d.group_by(src_id=d.msisdn, dst_id=d.domain).agg(
        n=ibis._.count(), first_seen=d.started_at.min(), last_seen=d.started_at.max()
    )
    users = g.src_id.count().over(group_by=g.dst_id)
    rarity = 1.0 / (1.0 + (users.cast("float64") / 10.0).log2().abs())
    w = ibis.least(g.n / 5.0, 1.0) * ibis.ifelse(users <= 10, 1.0, rarity)
    return _shape(g, src_type="msisdn", dst_type="domain", kind="domain", weight=w)


def available_kinds(tables: TableMap) -> dict[str, str | None]:
    """Each kind with ``None`` if it can be built, else the table it lacks."""
    out: dict[str, str | None] = {}
    for kind, req in REQUIRES.items():
        missing = [name for name in req if name not in tables]
        out[kind] = missing[0] if missing else None
    return out
