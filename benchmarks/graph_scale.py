"""Relations at scale: graph build, trace, rings + dens, look-alikes for 50 seeds.

    flock /tmp/fraudwall-heavy.lock .venv/bin/python benchmarks/graph_scale.py \\
        --subscribers 200000 --days 7 --seed 4242 --work /tmp/fraudwall-graph-200k

Simulates a world (reused if present), ingests it into a workspace (no detection run: the
graph and its queries need only the stored tables), then times each part in this process and
prints the figures next to the targets of 1M subscribers x 7 days (build < 5 min within 8 GB,
trace < 2 s, rings + dens < 10 min, 50-seed look-alike < 10 s). The baseline, measured first in
the same process, is one DuckDB scan of the calls table (count and distinct callers): every
figure is also given as a multiple of it, so runs on a busy machine stay comparable. Peak
memory is the process's maximum resident set (DuckDB, Arrow and igraph run inside it), also
given per step: a thread samples the resident set every 20 ms and charges it to the step that
is running (the build's own steps are named by its log lines); ``--tracemalloc`` adds the peak
of Python-side allocations (numpy arrays, Python objects; not DuckDB or Arrow) per step.
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import threading
import time
import tracemalloc
from pathlib import Path

import numpy as np
import psutil

TARGETS = {"build_s": 300, "trace_s": 2, "rings_dens_s": 600, "lookalike_50_s": 10, "peak_gb": 8}


class StepMemory(logging.Handler):
    """Peak resident set per step, sampled by a thread; build sub-steps come from log lines."""

    def __init__(self, trace_python: bool) -> None:
        super().__init__(logging.INFO)
        self.proc = psutil.Process()
        self.step = "start"
        self.peaks: dict[str, float] = {}
        self.python: dict[str, float] = {}
        self.trace_python = trace_python
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.note()
            time.sleep(0.02)

    def note(self) -> None:
        gb = self.proc.memory_info().rss / 1e9
        with self._lock:
            self.peaks[self.step] = max(self.peaks.get(self.step, 0.0), gb)

    def enter(self, step: str) -> None:
        self.note()
        if self.trace_python:
            _, top = tracemalloc.get_traced_memory()
            self.python[self.step] = max(self.python.get(self.step, 0.0), top / 1e9)
            tracemalloc.reset_peak()
        with self._lock:
            self.step = step
        self.note()

    def emit(self, record: logging.LogRecord) -> None:
        step = getattr(record, "step", None)
        if step:
            self.enter(f"build:{step}")

    def close(self) -> None:
        self.enter("end")
        self._stop.set()
        self._thread.join()
        super().close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--subscribers", type=int, default=200_000)
    ap.add_argument("--days", type=int, default=7)
    ap.add_argument("--seed", type=int, default=4242)
    ap.add_argument("--work", type=Path, default=Path("/tmp/fraudwall-graph-scale"))
    ap.add_argument("--json", type=Path, default=None, help="also write the figures here")
    ap.add_argument(
        "--tracemalloc", action="store_true", help="also trace Python allocations (slower)"
    )
    args = ap.parse_args()

    from fraudwall.graph.dens import find_dens
    from fraudwall.graph.lookalike import lookalikes
    from fraudwall.graph.rings import find_rings
    from fraudwall.graph.store import build_graph, open_graph
    from fraudwall.graph.trace import trace
    from fraudwall.ingest import ingest
    from fraudwall.simulate import generate
    from fraudwall.store import Tables, Workspace, connect

    data, ws = args.work / "data", Workspace(args.work / "ws")
    t = time.perf_counter()
    if not (data / "manifest.json").exists():
        generate(data, subscribers=args.subscribers, days=args.days, seed=args.seed)
    if not ws.has("calls"):
        ingest(data, ws)
    prep = time.perf_counter() - t

    if args.tracemalloc:
        tracemalloc.start()
    mem = StepMemory(args.tracemalloc)
    logging.getLogger("fraudwall.graph").addHandler(mem)
    logging.getLogger("fraudwall.graph").setLevel(logging.INFO)

    mem.enter("baseline")
    con = connect("duckdb")
    t = time.perf_counter()
    calls = Tables(ws, con)["calls"]
    n_calls = int(calls.count().execute())
    calls.msisdn.nunique().execute()
    baseline = time.perf_counter() - t
    del calls, con

    mem.enter("build")
    t = time.perf_counter()
    build_graph(ws)  # a query process opens the kept build (next step), as the CLI does
    build = time.perf_counter() - t
    mem.enter("open")
    t = time.perf_counter()
    g = open_graph(ws)
    load = time.perf_counter() - t

    import pyarrow.parquet as pq

    truth = pq.read_table(data / "truth" / "labels.parquet").to_pandas()
    rng = np.random.default_rng(args.seed)
    fraud = truth[truth["label"].isin(["fraud_caller", "simbox_sim"])]["entity_id"].unique()
    ordinary = rng.choice(g.displays(np.flatnonzero(g.node_type_mask("msisdn"))[:50_000]), 10)
    picks = [str(x) for x in rng.choice(fraud, 10, replace=False)] + [str(x) for x in ordinary]
    times = []
    mem.enter("trace")
    for p in picks:
        t = time.perf_counter()
        trace(g, p, hops=2)
        times.append(time.perf_counter() - t)

    mem.enter("rings")
    t = time.perf_counter()
    rings = find_rings(g)
    rings_s = time.perf_counter() - t
    mem.enter("dens")
    t = time.perf_counter()
    dens = find_dens(ws)
    dens_s = time.perf_counter() - t

    seeds = [str(x) for x in rng.choice(fraud, 50, replace=False)]
    mem.enter("lookalike")
    t = time.perf_counter()
    lookalikes(g, seeds, top=100)
    look = time.perf_counter() - t
    mem.close()

    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e9  # KiB -> GB
    fig = {
        "world": f"{args.subscribers} subscribers x {args.days} days, seed {args.seed}",
        "calls_rows": n_calls,
        "nodes": g.n_nodes,
        "edges": g.n_edges,
        "prepare_s": round(prep, 1),
        "baseline_scan_s": round(baseline, 2),
        "build_s": round(build, 1),
        "load_s": round(load, 2),
        "build_seconds_by_kind": g.meta.get("seconds", {}),
        "trace_median_s": round(float(np.median(times)), 3),
        "trace_s": round(float(np.max(times)), 3),
        "rings": len(rings),
        "dens": len(dens),
        "rings_dens_s": round(rings_s + dens_s, 1),
        "lookalike_50_s": round(look, 2),
        "peak_gb": round(peak_gb, 2),
        "peak_gb_by_step": {k: round(v, 2) for k, v in mem.peaks.items()},
    }
    if args.tracemalloc:
        fig["python_peak_gb_by_step"] = {k: round(v, 2) for k, v in mem.python.items()}
    for k in ("build_s", "trace_s", "rings_dens_s", "lookalike_50_s"):
        fig[k.replace("_s", "_x_baseline")] = round(fig[k] / max(baseline, 1e-9), 1)
    print(json.dumps(fig, indent=2))
    print("targets (1M x 7):", json.dumps(TARGETS))
    if args.json:
        args.json.write_text(json.dumps(fig, indent=2), "utf-8")


if __name__ == "__main__":
    main()
