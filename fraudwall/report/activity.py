"""The hourly call profile: when flagged numbers place their calls, against everyone else.

Computed on the engine over the stored calls (never loaded into memory): outbound calls per
hour of day (local wall-clock time, as stored) for numbers with a lead and for the others, each
as a share of its group's outbound calls, so groups of very different sizes compare.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pandas as pd

from fraudwall.report import svg
from fraudwall.report.model import Section, Tab, columns_present, pct
from fraudwall.store import Tables

#: Leads of these scenarios describe who is harmed, not who calls: not "flagged" here.
NOT_CALLERS = ("victim",)
GROUPS = {True: "flagged numbers", False: "other numbers"}
COLOURS = {"flagged numbers": svg.LEVEL_COLOURS["high"], "other numbers": svg.PALETTE[0]}


def build(leads: pd.DataFrame | None, tables: Tables) -> Section:
    """Share of outbound calls per hour of day, flagged vs other numbers."""
    s = Section("hourly", "Hourly call profile")
    if "calls" not in tables:
        s.note("The store holds no calls table, so there is no call profile.")
        return s
    ids: list[str] = []
    if columns_present(leads, ["entity_type", "entity_id", "scenario"]):
        assert leads is not None
        sel = (leads["entity_type"] == "msisdn") & ~leads["scenario"].isin(NOT_CALLERS)
        ids = sorted(set(leads.loc[sel, "entity_id"].dropna().astype(str)))
    calls = tables["calls"]
    mo = calls.filter(calls.direction == "MO")
    flagged = mo.msisdn.isin(_stored_numbers(ids, tables)) if ids else ibis.literal(False)
    grouped = mo.mutate(flagged=flagged, hour=mo.started_at.hour())
    per_hour = grouped.group_by(["flagged", "hour"]).agg(calls=grouped.count()).to_pandas()
    per_group = (
        grouped.group_by("flagged")
        .agg(calls=grouped.count(), numbers=grouped.msisdn.nunique())
        .to_pandas()
    )
    if per_hour.empty:
        s.note("The calls table holds no outbound calls.")
        return s

    per_hour["share"] = per_hour["calls"] / per_hour.groupby("flagged")["calls"].transform("sum")
    shares = (
        per_hour.pivot(index="hour", columns="flagged", values="share")
        .reindex(index=range(24), fill_value=0.0)
        .fillna(0.0)
    )
    series = {GROUPS[g]: shares[g].tolist() for g in (True, False) if g in shares.columns}
    s.charts["hourly"] = svg.lines(
        list(range(24)),
        series,
        title="share of outbound calls per hour of day",
        colours=COLOURS,
        x_label="hour of day (local time)",
        fmt=lambda v: f"{v:.0%}",
    )
    per_group["group"] = per_group["flagged"].map(GROUPS)
    night = per_hour[per_hour["hour"] < 6].groupby("flagged")["share"].sum()
    per_group["night share (0–6h)"] = per_group["flagged"].map(night).fillna(0.0)
    table = per_group[["group", "numbers", "calls", "night share (0–6h)"]].sort_values("group")
    s.tables["groups"] = Tab.from_frame(table, formats={"night share (0–6h)": pct})
    if not ids:
        s.note("No number was flagged, so only the other numbers are shown.")
    elif True not in shares.columns:
        s.note("The flagged numbers placed no outbound calls.")
    s.note(
        "Flagged numbers: phone numbers with a lead of any scenario except "
        f"{', '.join(NOT_CALLERS)}."
    )
    return s


def _stored_numbers(ids: list[str], tables: Tables) -> ir.Column:
    """The flagged numbers as stored: leads show numbers as the operator wrote them, the store
    keeps them normalised, and subscribers' ``msisdn_raw`` links the two."""
    shown = ibis.memtable(
        pd.DataFrame({"id": pd.Series(ids, dtype="object")}), schema={"id": "string"}
    )
    keys = shown.select(m=shown.id)
    if "subscribers" in tables and "msisdn_raw" in tables["subscribers"].columns:
        subs = tables["subscribers"]
        known = subs.filter(subs.msisdn_raw.isin(shown.id) | subs.msisdn.isin(shown.id))
        keys = keys.union(known.select(m=known.msisdn))
    return keys.m
