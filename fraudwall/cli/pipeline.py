"""``fraudwall run``, ``fraudwall detect``, ``fraudwall evaluate`` and ``fraudwall demo``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import RenderableType
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from fraudwall.cli.engineopts import EngineOpt, SparkConfOpt, SparkMasterOpt, start_engine
from fraudwall.cli.progress import console
from fraudwall.errors import FraudwallError
from fraudwall.pipeline import RunResult

PolicyOpt = Annotated[
    Path | None, typer.Option("--policy", help="policy TOML file (default: built-in defaults)")
]


def _fail(e: Exception) -> typer.Exit:
    console.print(Text(f"error: {e}", style="bold red"), soft_wrap=True)
    return typer.Exit(2)


class _CountColumn(ProgressColumn):
    """``done/total`` with a unit: bytes (as kB/MB/GB) for ingestion, items otherwise."""

    def __init__(self) -> None:
        super().__init__()
        self._bytes = DownloadColumn()
        self._items = MofNCompleteColumn()

    def render(self, task: Task) -> RenderableType:
        if task.fields.get("unit") == "bytes":
            return self._bytes.render(task)
        return Text.assemble(self._items.render(task), f" {task.fields.get('unit', '')}")


def progress(*, disable: bool = False) -> Progress:
    """Bars per stage: spinner, stage, bar, count with its unit, elapsed time."""
    return Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        _CountColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
        disable=disable,
    )


_UNITS = {"ingest": "bytes", "detectors": "detectors"}


def _reporter(bar: Progress) -> Callable[[str, int, int], None]:
    """Progress callback drawing one bar per stage (ingestion counted in bytes)."""
    tasks: dict[str, TaskID] = {}

    def report(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = bar.add_task(stage, total=total, unit=_UNITS.get(stage, ""))
        bar.update(tasks[stage], completed=done, total=total)

    return report


def _run(data: Path, out: Path, policy: Path | None, engine: str) -> RunResult:
    from fraudwall import pipeline
    from fraudwall.policy import load_policy
    from fraudwall.store.engine import check_engine

    check_engine(engine)
    pol = load_policy(policy)  # validated before any work starts
    with progress() as bar:
        return pipeline.run(data, out, policy=pol, engine=engine, progress=_reporter(bar))


def _print_result(result: RunResult, out: Path) -> None:
    t = Table(title=f"run {result.run_id}")
    for col in ("detector", "leads"):
        t.add_column(col)
    for name, n in result.lead_counts.items():
        t.add_row(name, str(n))
    console.print(t)
    for name, why in result.detectors_skipped.items():
        console.print(f"[yellow]skipped[/] {name}: {why}")
    for name, err in result.detectors_failed.items():
        console.print(Text(f"FAILED {name}: {err}", style="bold red"), soft_wrap=True)
    timings = Table(title="timings")
    timings.add_column("stage")
    timings.add_column("seconds", justify="right")
    for stage, secs in result.timings_s.items():
        timings.add_row(stage, f"{secs:.1f}")
    console.print(timings)
    w = result.window
    if w:
        console.print(f"window {w.get('span')}: {w.get('start')} to {w.get('end')}")
    console.print(
        f"{len(result.leads)} leads on {len(result.risk)} entities; report: {out / 'report.html'}"
    )


def run(
    data: Annotated[Path, typer.Option("--data", help="contract data directory")],
    out: Annotated[Path, typer.Option("--out", help="run directory to write")],
    policy: PolicyOpt = None,
    engine: EngineOpt = "duckdb",
    spark_master: SparkMasterOpt = None,
    spark_conf: SparkConfOpt = None,
) -> None:
    """Ingest DATA, compute features, run every applicable detector, write leads and a report.

    Exit status 2 for unusable input, 3 when a detector failed (the others' leads are written).
    """
    try:
        start_engine(engine, spark_master, spark_conf)
        result = _run(data, out, policy, engine)
    except FraudwallError as e:
        raise _fail(e) from None
    _print_result(result, out)
    if result.exit_code:
        raise typer.Exit(result.exit_code)


def detect(
    workspace: Annotated[
        Path, typer.Option("--workspace", help="standing workspace (filled by `fraudwall ingest`)")
    ],
    out: Annotated[Path, typer.Option("--out", help="run directory to write")],
    window: Annotated[
        str, typer.Option("--window", help="how far back to look: 7d, 36h, 2w")
    ] = "7d",
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="end of the window, local time (default: midnight after the last stored day)",
        ),
    ] = None,
    policy: PolicyOpt = None,
    engine: EngineOpt = "duckdb",
    spark_master: SparkMasterOpt = None,
    spark_conf: SparkConfOpt = None,
    report: Annotated[bool, typer.Option("--report/--no-report", help="write report.html")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="print run.json only")] = False,
) -> None:
    """Detect over a rolling window of a workspace without re-ingesting; write leads and run.json.

    Exit status 2 for unusable input, 3 when a detector failed (the others' leads are written).
    """
    from fraudwall import pipeline
    from fraudwall.policy import load_policy
    from fraudwall.store import Workspace
    from fraudwall.store.engine import check_engine
    from fraudwall.store.window import parse_as_of, parse_span

    try:
        check_engine(engine)
        parse_span(window)
        pol = load_policy(policy)
        at = parse_as_of(as_of, Workspace(workspace).timezone) if as_of else None
        start_engine(engine, spark_master, spark_conf)
        with progress(disable=as_json) as bar:
            result = pipeline.detect_run(
                workspace,
                out,
                window=window,
                as_of=at,
                policy=pol,
                engine=engine,
                progress=_reporter(bar),
                report=report,
            )
    except FraudwallError as e:
        raise _fail(e) from None
    if as_json:
        typer.echo(json.dumps(result.summary(), indent=2, default=str))
    else:
        _print_result(result, out)
    if result.exit_code:
        raise typer.Exit(result.exit_code)


def evaluate(
    run: Annotated[Path, typer.Option("--run", help="run directory (holds leads.parquet)")],
    labels: Annotated[Path, typer.Option("--labels", help="labels table, Parquet or CSV")],
    min_level: Annotated[
        str, typer.Option("--min-level", help="count leads at this risk level or above")
    ] = "medium",
) -> None:
    """Print precision, recall and F1 per scenario and detector against a labels table, and
    hard negatives flagged per kind; record the evaluation in the run and rewrite its report."""
    from fraudwall.evaluate import evaluate_run

    try:
        ev = evaluate_run(run_dir=run, labels=labels, min_level=min_level)
    except FraudwallError as e:
        raise _fail(e) from None
    _print_frame(ev.by_scenario, "by scenario")
    _print_frame(ev.by_detector, "by detector")
    _print_frame(ev.false_positives, "false positives by kind")
    if ev.hard_negatives is not None:
        _print_frame(ev.hard_negatives, "hard negatives flagged (any level)")
    console.print(f"evaluation of run {ev.run_id} written to {run / 'evaluation.json'}")


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
    db: Annotated[
        str | None,
        typer.Option(
            "--db", help="case database to load the leads into (default OUT/fraudwall.db)"
        ),
    ] = None,
) -> None:
    """Simulate a small operator world, run the pipeline on it, evaluate against the truth,
    and load the leads into a case database."""
    from fraudwall.simulate import generate

    try:
        if data is None:
            data = out / "data"
            manifest = data / "manifest.json"
            had = json.loads(manifest.read_text("utf-8")) if manifest.exists() else {}
            # A world of other dimensions left by an earlier demo is regenerated, not reused.
            if (had.get("subscribers"), had.get("days"), had.get("seed")) != (
                subscribers,
                days,
                seed,
            ):
                console.print(f"simulating {subscribers} subscribers x {days} days into {data}")
                generate(data, subscribers=subscribers, days=days, seed=seed)
        run_dir = out / "run"
        result = _run(data, run_dir, None, "duckdb")
        truth = data / "truth" / "labels.parquet"
        if truth.exists():
            evaluate(run_dir, truth)
        from fraudwall.cases.demo import demo_database_url, load_demo_cases

        where, loaded = load_demo_cases(run_dir, demo_database_url(out, db))
    except FraudwallError as e:
        raise _fail(e) from None
    console.print(f"[bold green]done[/]: {len(result.leads)} leads; open {run_dir / 'report.html'}")
    console.print(
        f"case database: {where} ({loaded.new} new, {loaded.updated} updated cases); "
        f"try: fraudwall cases list --level high --db {where}"
    )
