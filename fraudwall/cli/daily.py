"""``fraudwall prune`` (data retention) and ``fraudwall daily`` (the scheduled job)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from fraudwall.cli.pipeline import EngineOpt, PolicyOpt, _fail, _reporter, progress
from fraudwall.cli.progress import console
from fraudwall.errors import FraudwallError, WorkspaceBusy

#: Exit status of ``daily`` when another run holds the workspace (EX_TEMPFAIL: try later).
EXIT_BUSY = 75

WorkspaceOpt = Annotated[Path, typer.Option("--workspace", help="standing workspace")]
AsOfOpt = Annotated[
    str | None, typer.Option("--as-of", help="reference time, local (default: now / last day)")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON only")]


def prune(
    workspace: WorkspaceOpt,
    keep: Annotated[str, typer.Option("--keep", help="retention period: 180d, 26w")],
    as_of: AsOfOpt = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="list, delete nothing")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Delete day partitions (and their quarantine) older than --keep before now (or --as-of).

    Exit status 0 done, 2 unusable input, 75 another process holds the workspace.
    """
    from fraudwall.store import Workspace
    from fraudwall.store.retention import prune as prune_store
    from fraudwall.store.window import parse_as_of, parse_span

    try:
        ws = Workspace(workspace)
        if not (ws.path / "manifest.json").exists():
            raise FraudwallError(f"{workspace} is not a workspace (no manifest.json)")
        span = parse_span(keep, option="--keep")
        at = parse_as_of(as_of, ws.timezone) if as_of else None
        rep = prune_store(ws, keep=span, as_of=at, dry_run=dry_run)
    except WorkspaceBusy as e:
        console.print(Text(f"busy: {e}", style="yellow"), soft_wrap=True)
        raise typer.Exit(EXIT_BUSY) from None
    except FraudwallError as e:
        raise _fail(e) from None
    body = rep.to_dict()
    if as_json:
        typer.echo(json.dumps(body, indent=2))
        return
    verb = "would delete" if dry_run else "deleted"
    console.print(
        f"{verb} {body['n_partitions']} day partition(s) and {body['n_quarantine_files']} "
        f"quarantine file(s) before {rep.cutoff}"
    )
    for table, days in rep.partitions.items():
        console.print(f"  {table}: {days[0]} .. {days[-1]} ({len(days)} days)")


def daily(
    workspace: WorkspaceOpt,
    inbox: Annotated[Path, typer.Option("--inbox", help="where batches arrive, one folder each")],
    window: Annotated[str, typer.Option("--window", help="detection window: 7d, 36h")] = "7d",
    as_of: AsOfOpt = None,
    db: Annotated[
        str | None, typer.Option("--db", help="case database URL (or FRAUDWALL_DATABASE_URL)")
    ] = None,
    actor: Annotated[
        str | None, typer.Option("--as", help="user the leads are imported as (cases)")
    ] = None,
    policy: PolicyOpt = None,
    engine: EngineOpt = "duckdb",
    report: Annotated[bool, typer.Option("--report/--no-report", help="write report.html")] = True,
    as_json: JsonOpt = False,
) -> None:
    """Ingest new batches from --inbox, detect over --window, import the leads as cases.

    Idempotent and locked: safe from cron or a systemd timer. Exit status 0 done, 2 unusable
    input, 3 a detector failed (the others' leads are written), 75 another run is active.
    """
    from fraudwall.daily import daily as run_daily
    from fraudwall.policy import load_policy
    from fraudwall.store import Workspace
    from fraudwall.store.engine import check_engine
    from fraudwall.store.window import parse_as_of, parse_span

    try:
        check_engine(engine)
        parse_span(window)
        pol = load_policy(policy)
        at = parse_as_of(as_of, Workspace(workspace).timezone) if as_of else None
        with progress(disable=as_json) as bar:
            res = run_daily(
                workspace,
                inbox,
                window=window,
                as_of=at,
                policy=pol,
                engine=engine,
                db_url=db,
                actor=actor,
                report=report,
                progress=_reporter(bar),
            )
    except WorkspaceBusy as e:
        console.print(Text(f"busy: {e}", style="yellow"), soft_wrap=True)
        raise typer.Exit(EXIT_BUSY) from None
    except FraudwallError as e:
        raise _fail(e) from None
    body = res.to_dict()
    if as_json:
        typer.echo(json.dumps(body, indent=2, default=str))
    else:
        console.print(
            f"ingested {len(res.ingested)} batch(es), {len(res.already_done)} already done, "
            f"{len(res.waiting)} still arriving"
        )
        if res.run:
            failed = res.run.get("detectors_failed") or {}
            console.print(
                f"run {res.run['run_id']}: {res.run['n_leads']} leads; window "
                f"{res.run['window']['start']} to {res.run['window']['end']} → {res.run_dir}"
            )
            for name, err in failed.items():
                console.print(Text(f"FAILED {name}: {err}", style="bold red"), soft_wrap=True)
        if res.cases:
            console.print(f"cases: {res.cases}")
        for n in res.notices:
            console.print(Text(f"notice: {n}", style="yellow"), soft_wrap=True)
    if res.exit_code:
        raise typer.Exit(res.exit_code)
