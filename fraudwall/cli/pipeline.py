"""``fraudwall run``, ``fraudwall evaluate`` and ``fraudwall demo``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.progress import TaskID
from rich.table import Table

from fraudwall.cli.progress import console, progress
from fraudwall.errors import FraudwallError
from fraudwall.pipeline import RunResult

PolicyOpt = Annotated[
    Path | None, typer.Option("--policy", help="policy TOML file (default: built-in defaults)")
]
EngineOpt = Annotated[str, typer.Option("--engine", help="query engine: duckdb or spark")]


def _fail(e: Exception) -> typer.Exit:
    console.print(f"[bold red]error:[/] {e}")
    return typer.Exit(2)


def _run(data: Path, out: Path, policy: Path | None, engine: str) -> RunResult:
    from fraudwall import pipeline
    from fraudwall.policy import load_policy

    pol = load_policy(policy)  # validated before any work starts
    with progress() as bar:
        tasks: dict[str, TaskID] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        return pipeline.run(data, out, policy=pol, engine=engine, progress=report)


def run(
    data: Annotated[Path, typer.Option("--data", help="contract data directory")],
    out: Annotated[Path, typer.Option("--out", help="run directory to write")],
    policy: PolicyOpt = None,
    engine: EngineOpt = "duckdb",
) -> None:
    """Ingest DATA, compute features, run every applicable detector, write leads and a report."""
    try:
        result = _run(data, out, policy, engine)
    except FraudwallError as e:
        raise _fail(e) from None
    t = Table(title=f"run {result.run_id}")
    for col in ("detector", "leads"):
        t.add_column(col)
    for name, n in result.lead_counts.items():
        t.add_row(name, str(n))
    console.print(t)
    for name, why in result.detectors_skipped.items():
        console.print(f"[yellow]skipped[/] {name}: {why}")
    console.print(
        f"{len(result.leads)} leads on {len(result.risk)} entities; "
        f"timings {result.timings_s}; report: {out / 'report.html'}"
    )


def evaluate(
    run: Annotated[Path, typer.Option("--run", help="run directory (holds leads.parquet)")],
    labels: Annotated[Path, typer.Option("--labels", help="labels table, Parquet or CSV")],
    min_level: Annotated[
        str, typer.Option("--min-level", help="count leads at this risk level or above")
    ] = "medium",
) -> None:
    """Print precision, recall and F1 per scenario and detector against a labels table."""
    from fraudwall.evaluate import evaluate as score
    from fraudwall.evaluate import read_labels

    try:
        if not (run / "leads.parquet").exists():
            raise FraudwallError(f"{run}: no leads.parquet; run `fraudwall run` first")
        ev = score(pd.read_parquet(run / "leads.parquet"), read_labels(labels), min_level=min_level)
    except FraudwallError as e:
        raise _fail(e) from None
    _print_frame(ev.by_scenario, "by scenario")
    _print_frame(ev.by_detector, "by detector")
    _print_frame(ev.false_positives, "false positives by kind")
    (run / "evaluation.json").write_text(json.dumps(ev.to_dict(), indent=2, default=str))


def _print_frame(df: pd.DataFrame, title: str) -> None:
    t = Table(title=title)
    for c in df.columns:
        t.add_column(str(c))
    for row in df.itertuples(index=False):
        t.add_row(*("" if pd.isna(v) else str(v) for v in row))
    console.print(t)


def demo(
    out: Annotated[Path, typer.Option("--out", help="where the demo writes")] = Path("demo"),
    data: Annotated[
        Path | None, typer.Option("--data", help="use this data directory instead of simulating")
    ] = None,
    subscribers: Annotated[int, typer.Option(help="size of the simulated world")] = 20_000,
    days: Annotated[int, typer.Option(help="days simulated")] = 3,
    seed: Annotated[int, typer.Option(help="simulation seed")] = 7,
) -> None:
    """Simulate a small operator world, run the pipeline on it, evaluate against the truth."""
    from fraudwall.simulate import generate

    try:
        if data is None:
            data = out / "data"
            if not (data / "manifest.json").exists():
                console.print(f"simulating {subscribers} subscribers x {days} days into {data}")
                generate(data, subscribers=subscribers, days=days, seed=seed)
        run_dir = out / "run"
        result = _run(data, run_dir, None, "duckdb")
        truth = data / "truth" / "labels.parquet"
        if truth.exists():
            evaluate(run_dir, truth)
    except FraudwallError as e:
        raise _fail(e) from None
    console.print(f"[bold green]done[/]: {len(result.leads)} leads; open {run_dir / 'report.html'}")
