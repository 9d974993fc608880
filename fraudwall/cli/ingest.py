"""``fraudwall ingest``: load a contract data directory into a workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from fraudwall.cli.pipeline import progress
from fraudwall.cli.progress import console
from fraudwall.errors import FraudwallError
from fraudwall.ingest import IngestProgress, IngestReport
from fraudwall.ingest import ingest as ingest_data
from fraudwall.ingest.idkey import read_key_file
from fraudwall.store import Workspace


def ingest(
    data: Annotated[
        Path,
        typer.Option("--data", help="Data directory: NAME.csv, NAME.parquet or NAME/ per table."),
    ],
    workspace: Annotated[
        Path, typer.Option("--workspace", help="Workspace to ingest into (created if missing).")
    ],
    id_key_file: Annotated[
        Path | None,
        typer.Option(
            "--id-key-file",
            help="Key (64+ hex digits) that turns raw ID numbers into a keyed hash as they are "
            "read; without it a raw ID number is rejected.",
        ),
    ] = None,
) -> None:
    """Validate, normalise and store a data directory; rejected rows go to the quarantine.

    Re-running on the same files adds nothing.
    Unusable input (missing table or column, unreadable file) exits with status 2.
    """
    bar = progress()
    task = bar.add_task("ingest", total=None, start=False, unit="bytes")

    def on_progress(event: IngestProgress) -> None:
        if not bar.live.is_started:  # shown from the first file on, not for early errors
            bar.start()
            bar.start_task(task)
        label = f"{event.file} · {event.rows_read:,} rows · {event.stage}"
        bar.update(
            task, total=max(event.bytes_total, 1), completed=event.bytes_done, description=label
        )

    try:
        id_key = read_key_file(id_key_file) if id_key_file is not None else None
        report = ingest_data(data, Workspace(workspace), events=on_progress, id_key=id_key)
    except FraudwallError as e:
        bar.stop()
        console.print(Text(f"error: {e}", style="bold red"), soft_wrap=True)
        raise typer.Exit(2) from None
    bar.stop()
    for notice in report.notices:
        console.print(Text(f"notice: {notice}", style="yellow"), soft_wrap=True)
    out = Console()
    out.print(summary_table(report))
    reasons = reasons_table(report)
    if reasons.row_count:
        out.print(reasons)
    qdir = Workspace(workspace).quarantine_dir
    where = str(qdir) if qdir.is_dir() else "nothing quarantined"
    out.print(f"quarantine: {where}  ({report.seconds:.1f} s)")


def summary_table(report: IngestReport) -> Table:
    """Rows read / accepted / rejected / duplicates per table."""
    table = Table(title=f"ingested {report.data_dir} → {report.workspace} ({report.timezone})")
    for name in ("table", "files", "skipped", "rows read", "accepted", "rejected", "duplicates"):
        table.add_column(name, justify="left" if name == "table" else "right")
    for t in report.tables.values():
        table.add_row(
            t.name,
            str(len(t.files)),
            str(t.skipped),
            f"{t.rows_read:,}",
            f"{t.accepted:,}",
            f"{t.rejected:,}",
            f"{t.duplicates:,}",
        )
    table.add_section()
    table.add_row(
        "total",
        str(len(report.files)),
        str(sum(f.skipped for f in report.files)),
        f"{report.rows_read:,}",
        f"{report.accepted:,}",
        f"{report.rejected:,}",
        f"{report.duplicates:,}",
    )
    return table


def reasons_table(report: IngestReport, top: int = 5) -> Table:
    """The most frequent rejection reasons per table."""
    table = Table(title="rejected rows by reason")
    table.add_column("table")
    table.add_column("reason")
    table.add_column("rows", justify="right")
    for name, reasons in report.rejected_by_reason().items():
        for reason, count in list(reasons.items())[:top]:
            table.add_row(name, reason, f"{count:,}")
    return table
