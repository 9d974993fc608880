"""Profile of a daily detect: where its time goes, query by query and operator by operator.

    python benchmarks/detect_profile.py --workspace WS [--window 7d] [--top 30] [--operators]

Runs ``fraudwall.pipeline.detect_run`` over the workspace in this process (no report) and
times every query the engine runs for it: each materialised family, shared table or
detector's hits under its name, and each small result collected, under the function that
asked. It prints the whole run's seconds, the queries' total, and the slowest queries.
With ``--operators`` DuckDB also writes its JSON profile of each of those queries, and the
script sums the operators' time (over all threads) by kind: hash aggregation, scans, joins.
The figures say where the time goes, not whether a target is met: compare two codes by
running the script from each tree in turn (``PYTHONPATH``).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

from fraudwall.pipeline import detect_run
from fraudwall.store import engine as engine_mod


def _caller() -> str:
    for frame in reversed(traceback.extract_stack()[:-3]):
        if "/fraudwall/" in frame.filename and "store/engine" not in frame.filename:
            return f"{Path(frame.filename).stem}.{frame.name}"
    return "?"


def _operator_seconds(node: dict[str, Any], into: Counter[str]) -> None:
    into[node.get("type", "?")] += node.get("timing", 0.0)
    for child in node.get("children", []):
        _operator_seconds(child, into)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--workspace", type=Path, required=True)
    ap.add_argument("--window", default="7d")
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--operators", action="store_true", help="sum DuckDB's operator times")
    args = ap.parse_args()

    queries: list[tuple[str, float]] = []
    profiles = Path(tempfile.mkdtemp(prefix="fw-detect-profile-"))
    Engine = engine_mod.Engine
    materialise, collect, collect_arrow = Engine.materialise, Engine.collect, Engine.collect_arrow

    def profile_to(self: Any, name: str) -> None:
        # DuckDB writes each query's profile to one file: point it at this query's, then away,
        # so that queries run outside the engine do not overwrite it.
        if args.operators and self.name == "duckdb":
            self.con.raw_sql("PRAGMA enable_profiling='json'")
            self.con.raw_sql(f"SET profiling_output='{profiles}/{name}.json'")

    def timed_materialise(self: Any, name: str, expr: Any) -> Any:
        profile_to(self, f"{len(queries):03d}")
        t0 = time.perf_counter()
        out = materialise(self, name, expr)
        queries.append((name, time.perf_counter() - t0))
        profile_to(self, "untracked")
        return out

    def timed(method: Any) -> Any:
        def run(self: Any, expr: Any) -> Any:
            profile_to(self, f"{len(queries):03d}")
            t0 = time.perf_counter()
            out = method(self, expr)
            queries.append((f"collect by {_caller()}", time.perf_counter() - t0))
            profile_to(self, "untracked")
            return out

        return run

    Engine.materialise = timed_materialise  # type: ignore[method-assign]
    Engine.collect = timed(collect)  # type: ignore[method-assign]
    Engine.collect_arrow = timed(collect_arrow)  # type: ignore[method-assign]

    out = Path(tempfile.mkdtemp(prefix="fw-detect-run-")) / "run"
    t0 = time.perf_counter()
    result = detect_run(args.workspace, out, window=args.window, report=False)
    total = time.perf_counter() - t0
    in_queries = sum(s for _, s in queries)
    print(
        f"detect --window {args.window}: {total:.1f} s, {len(result.leads):,} leads; "
        f"{len(queries)} queries {in_queries:.1f} s, the rest (Python, models) "
        f"{total - in_queries:.1f} s"
    )
    for name, secs in sorted(queries, key=lambda q: -q[1])[: args.top]:
        print(f"  {secs:7.2f} s  {name}")
    if args.operators:
        ops: Counter[str] = Counter()
        for path in sorted(profiles.glob("[0-9]*.json")):
            for node in json.loads(path.read_text()).get("operator", []):
                _operator_seconds(node, ops)
        summed = sum(ops.values()) or 1.0
        print(f"DuckDB operator time over all threads: {summed:.1f} s")
        for kind, secs in ops.most_common(8):
            print(f"  {secs:7.2f} s {secs / summed:6.1%}  {kind}")


if __name__ == "__main__":
    main()
