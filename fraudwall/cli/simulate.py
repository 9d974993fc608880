"""``fraudwall simulate``: write a synthetic operator's data directory with planted fraud."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from fraudwall.cli.progress import console, progress
from fraudwall.simulate import DEFAULT_START, Summary, generate


class OutputFormat(StrEnum):
    parquet = "parquet"
    csv = "csv"


class Profile(StrEnum):
    default = "default"
    heldout = "heldout"


class Encoding(StrEnum):
    utf8 = "utf-8"
    gbk = "gbk"


def _parse_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date like 2026-03-02") from None


def simulate(
    out: Annotated[
        Path, typer.Option("--out", help="Data directory to write (created; its tables replaced).")
    ],
    subscribers: Annotated[
        int, typer.Option("--subscribers", min=2_000, help="Own subscribers of the operator.")
    ] = 20_000,
    days: Annotated[int, typer.Option("--days", min=1, max=366, help="Days of traffic.")] = 3,
    seed: Annotated[
        int, typer.Option("--seed", min=0, help="Random seed; the same seed gives the same files.")
    ] = 1,
    start: Annotated[
        str, typer.Option("--start", help="First day (YYYY-MM-DD, local time Asia/Shanghai).")
    ] = DEFAULT_START.isoformat(),
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="File format of every table.")
    ] = OutputFormat.parquet,
    encoding: Annotated[
        Encoding, typer.Option("--encoding", help="Text encoding of CSV files.")
    ] = Encoding.utf8,
    profile: Annotated[
        Profile,
        typer.Option(
            "--profile",
            help="Generation profile: default (the world detectors were tuned on) or heldout "
            "(other rates, mixes and behaviours, for measuring on a world nobody tuned on).",
        ),
    ] = Profile.default,
    texts: Annotated[
        Path | None,
        typer.Option(
            "--texts",
            help="Also write the SMS texts the world holds, each with its class from the truth "
            "(content,label: the input of `fraudwall sms train`).",
        ),
    ] = None,
) -> None:
    """Generate a synthetic operator world: subscribers, cells, calls, SMS, data sessions,
    device events and complaints, with labelled instances of every fraud scenario
    (truth/labels.parquet holds the whole truth; labels.parquet a police-feedback sample)."""
    first = _parse_date(start)
    bar = progress()
    task = bar.add_task(f"simulating {subscribers:,} subscribers", total=days)

    def on_day(i: int, date: dt.date) -> None:
        bar.update(task, completed=i + 1, description=f"simulated {date.isoformat()}")

    with bar:
        try:
            summary = generate(
                out,
                subscribers,
                days,
                seed,
                start=first,
                fmt=fmt.value,
                encoding=encoding.value,
                on_day=on_day,
                profile=profile.value,
            )
        except ValueError as e:
            bar.stop()
            console.print(Text(f"error: {e}", style="bold red"), soft_wrap=True)
            raise typer.Exit(2) from None
    out_console = Console()
    out_console.print(rows_table(summary))
    out_console.print(planted_table(summary))
    out_console.print(f"wrote {summary.out_dir} in {summary.seconds:.1f} s")
    if texts is not None:
        from fraudwall.simulate.texts import export_texts

        out_console.print(f"wrote {export_texts(out, texts):,} distinct texts to {texts}")


def rows_table(summary: Summary) -> Table:
    """Rows written per table."""
    table = Table(
        title=f"{summary.subscribers:,} subscribers × {summary.days} days, seed {summary.seed}, "
        f"profile {summary.profile}"
    )
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, n in summary.rows.items():
        table.add_row(name, f"{n:,}")
    return table


def planted_table(summary: Summary) -> Table:
    """Labelled instances per scenario, then the benign hard cases."""
    table = Table(title="planted instances (labels)")
    table.add_column("scenario / benign kind")
    table.add_column("instances", justify="right")
    ordered = sorted(summary.planted.items(), key=lambda kv: (kv[0].startswith("benign:"), kv[0]))
    for name, n in ordered:
        table.add_row(name, f"{n:,}")
    return table
