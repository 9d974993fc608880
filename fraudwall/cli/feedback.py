"""``fraudwall feedback``: police outcomes in, labels out."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from fraudwall.cli.dbopts import AsOpt, DbOpt, JsonOpt, emit, unit_of_work

app = typer.Typer(help="Police feedback and the labels it makes.", no_args_is_help=True)
WorkspaceOpt = Annotated[
    Path | None,
    typer.Option("--workspace", help="also write the labels into this workspace / run directory"),
]


@app.command("import")
def import_cmd(
    file: Annotated[Path, typer.Argument(help="feedback CSV or JSON")],
    actor: AsOpt,
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
) -> None:
    """Apply a police feedback file whole (any bad row rejects it all)."""
    from fraudwall.cases.feedback import import_feedback

    with unit_of_work(db) as s:
        r = import_feedback(s, file=file, actor=actor, workspace=workspace)
    emit(r, as_json=as_json)


@app.command("labels")
def labels(
    out: Annotated[Path | None, typer.Option("--out", help="labels file, .csv or .parquet")] = None,
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
) -> None:
    """Write the outcomes as a contract labels table (for `fraudwall model train`)."""
    from fraudwall.cases.labels import write_labels, write_workspace_labels
    from fraudwall.cli.dbopts import fail
    from fraudwall.errors import InputError

    if out is None and workspace is None:
        raise fail(InputError("give --out FILE and/or --workspace DIR"))
    result: dict[str, object] = {}
    with unit_of_work(db, readonly=True) as s:
        if out is not None:
            result["out"], result["labels"] = str(out), write_labels(s, out=out)
        if workspace is not None:
            result["workspace"] = str(workspace)
            result["labels"] = write_workspace_labels(s, workspace=workspace)
    emit(result, as_json=as_json)
