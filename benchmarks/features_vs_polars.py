"""Benchmark: fraudwall's per-number feature step against a hand-written Polars query.

Both compute the ``number_calls`` family (see fraudwall/features/number_calls.py) from the same
Parquet files of an ingested workspace, in this one process, alternating, best of ``--repeat``.
Polars runs twice: a straightforward query, and one with fraudwall's own plan (pre-aggregating
by party and by hour); the faster is the baseline. Prints wall time, rows/s, the ratio (target:
fraudwall <= 1.2x the baseline) and the peak RSS of each step, and checks that every side
computed the same values.

    python benchmarks/features_vs_polars.py --subscribers 1000000 --days 7 --work /tmp/fw-bench

The world is simulated and ingested into ``--work`` on first use and reused afterwards.
"""

from __future__ import annotations

import argparse
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import polars as pl
import psutil

from fraudwall.features.base import FeatureCache, load_families
from fraudwall.features.number_calls import LONG_CALL_S, NIGHT_END_HOUR, SHORT_CALL_S
from fraudwall.store import Tables, Workspace, connect

MO = pl.col("direction") == "MO"
MT = pl.col("direction") == "MT"


def _row_aggregates() -> dict[str, pl.Expr]:
    """The per-number aggregations both Polars queries compute straight from the rows."""
    d = pl.col("duration_s")
    return {
        "calls_out": MO.sum(),
        "calls_in": MT.sum(),
        "out_unanswered": (MO & (d == 0)).sum(),
        "out_short": (MO & (d > 0) & (d <= SHORT_CALL_S)).sum(),
        "out_long": (MO & (d >= LONG_CALL_S)).sum(),
        "out_talk_s": d.filter(MO).sum(),
        "in_talk_s": d.filter(MT).sum(),
        "night_out": (MO & (pl.col("started_at").dt.hour() < NIGHT_END_HOUR)).sum(),
        "imeis": pl.col("imei").drop_nulls().n_unique(),
        "imsis": pl.col("imsi").drop_nulls().n_unique(),
        "cells": pl.col("cell_id").drop_nulls().n_unique(),
        "roaming_calls": (
            pl.col("roaming_region").is_not_null() & (pl.col("roaming_region") != "")
        ).sum(),
        "first_seen": pl.col("started_at").min(),
        "last_seen": pl.col("started_at").max(),
    }


def polars_number_calls(glob: str) -> pl.DataFrame:
    """The number_calls family written by hand in Polars (the baseline)."""
    c = pl.scan_parquet(glob, hive_partitioning=False)
    mo, mt = MO, MT
    base = c.group_by(pl.col("msisdn").alias("entity_id")).agg(
        callees=pl.col("other_party").filter(mo).n_unique(),
        callers=pl.col("other_party").filter(mt).n_unique(),
        active_days=pl.col("started_at").dt.date().n_unique(),
        active_hours=pl.col("started_at").dt.truncate("1h").n_unique(),
        **_row_aggregates(),
    )
    out = c.filter(mo)
    peak = (
        out.group_by("msisdn", pl.col("started_at").dt.truncate("1h"))
        .len()
        .group_by(pl.col("msisdn").alias("entity_id"))
        .agg(peak_hour_out=pl.col("len").max())
    )
    pairs_out = out.select(entity_id="msisdn", party="other_party").unique()
    pairs_in = c.filter(mt).select(entity_id="msisdn", party="other_party").unique()
    back = (
        pairs_out.join(pairs_in, on=["entity_id", "party"], how="semi")
        .group_by("entity_id")
        .agg(callees_called_back=pl.len())
    )
    return (
        base.join(peak, on="entity_id", how="left")
        .join(back, on="entity_id", how="left")
        .with_columns(pl.col("peak_hour_out", "callees_called_back").fill_null(0))
        .collect()
    )


def polars_number_calls_preagg(glob: str) -> pl.DataFrame:
    """The same features in Polars with fraudwall's plan: pre-aggregate by party and by hour."""
    c = pl.scan_parquet(glob, hive_partitioning=False)
    mo, mt = MO, MT
    base = c.group_by(pl.col("msisdn").alias("entity_id")).agg(**_row_aggregates())
    parties = (
        c.group_by(pl.col("msisdn").alias("entity_id"), "other_party")
        .agg(out=mo.sum(), inc=mt.sum())
        .group_by("entity_id")
        .agg(
            callees=(pl.col("out") > 0).sum(),
            callers=(pl.col("inc") > 0).sum(),
            callees_called_back=((pl.col("out") > 0) & (pl.col("inc") > 0)).sum(),
        )
    )
    hours = (
        c.group_by(pl.col("msisdn").alias("entity_id"), pl.col("started_at").dt.truncate("1h"))
        .agg(out=mo.sum())
        .group_by("entity_id")
        .agg(
            active_days=pl.col("started_at").dt.date().n_unique(),
            active_hours=pl.len(),
            peak_hour_out=pl.col("out").max(),
        )
    )
    return base.join(parties, on="entity_id").join(hours, on="entity_id").collect()


def fraudwall_number_calls(ws: Workspace) -> int:
    """fraudwall's feature step as the pipeline runs it: materialise the family on the engine."""
    con = connect("duckdb")
    load_families()
    table = FeatureCache(Tables(ws, con), con)["number_calls"]
    return int(table.count().execute())


def check_same(polars_df: pl.DataFrame, ws: Workspace) -> None:
    """Both sides computed the same thing: every column of every number equal."""
    from polars.testing import assert_frame_equal

    con = connect("duckdb")
    fw = FeatureCache(Tables(ws, con), con)["number_calls"].to_polars()
    assert_frame_equal(
        fw.sort("entity_id"),
        polars_df.select(fw.columns).sort("entity_id"),
        check_dtypes=False,
    )
    print(f"checked: both computed the same {fw.height:,} x {fw.width} values")


def measure(fn: Callable[[], object]) -> tuple[float, float, object]:
    """Wall seconds and peak RSS (GB, sampled every 20 ms) of one call."""
    proc, peak, stop = psutil.Process(), [0], threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], proc.memory_info().rss)
            time.sleep(0.02)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    t0 = time.perf_counter()
    out = fn()
    dt = time.perf_counter() - t0
    stop.set()
    t.join()
    return dt, peak[0] / 1e9, out


def prepare(work: Path, subscribers: int, days: int, seed: int) -> Workspace:
    from fraudwall.ingest import ingest
    from fraudwall.simulate import generate

    data, ws = work / "data", Workspace(work / "ws")
    if not (data / "manifest.json").exists():
        t0 = time.perf_counter()
        generate(data, subscribers=subscribers, days=days, seed=seed)
        print(f"simulated {subscribers} x {days} days in {time.perf_counter() - t0:.0f} s")
    if not ws.has("calls"):
        # The feature step reads calls only: ingest just the two required tables.
        view = work / "calls_only"
        view.mkdir(exist_ok=True)
        for name in ("subscribers.parquet", "calls", "manifest.json"):
            if not (view / name).exists():
                (view / name).symlink_to((data / name).resolve())
        dt, rss, report = measure(lambda: ingest(view, ws))
        rows = report.tables["calls"].accepted  # type: ignore[attr-defined]
        print(
            f"ingested {rows:,} calls in {dt:.0f} s ({rows / dt:,.0f} rows/s), "
            f"peak RSS {rss:.2f} GB"
        )
    return ws


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--subscribers", type=int, default=1_000_000)
    ap.add_argument("--days", type=int, default=7)
    ap.add_argument("--seed", type=int, default=20261123)
    ap.add_argument("--work", type=Path, default=Path("/tmp/fraudwall-bench"))
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()

    ws = prepare(args.work, args.subscribers, args.days, args.seed)
    glob = str(ws.table_dir("calls") / "**" / "*.parquet")
    rows = pl.scan_parquet(glob, hive_partitioning=False).select(pl.len()).collect().item()
    print(f"calls: {rows:,} rows; cores: {os.cpu_count()}")

    best: dict[str, tuple[float, float]] = {}
    result: dict[str, object] = {}
    for _ in range(args.repeat):
        for name, fn in (
            ("polars", lambda: polars_number_calls(glob)),
            ("polars_preagg", lambda: polars_number_calls_preagg(glob)),
            ("fraudwall", lambda: fraudwall_number_calls(ws)),
        ):
            dt, rss, out = measure(fn)
            result[name] = out
            if name not in best or dt < best[name][0]:
                best[name] = (dt, rss)
            print(f"  {name:9s} {dt:7.2f} s  peak RSS {rss:5.2f} GB")

    for name in ("polars", "polars_preagg"):
        out = result[name]
        assert isinstance(out, pl.DataFrame)
        check_same(out, ws)
    # The baseline is the faster of the two hand-written Polars queries.
    base = min(("polars", "polars_preagg"), key=lambda k: best[k][0])
    for name, (dt, rss) in best.items():
        print(f"{name:13s} best {dt:7.2f} s  {rows / dt:12,.0f} rows/s  peak RSS {rss:.2f} GB")
    ratio = best["fraudwall"][0] / best[base][0]
    verdict = "PASS" if ratio <= 1.2 else "FAIL"
    print(f"ratio fraudwall/{base} = {ratio:.2f} (target <= 1.20): {verdict}")


if __name__ == "__main__":
    main()
