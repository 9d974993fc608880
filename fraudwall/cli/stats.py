"""``fraudwall stats``: how good the leads sent were, by police outcome."""

from __future__ import annotations

import typer

from fraudwall.cli.dbopts import DbOpt, JsonOpt, emit, unit_of_work

app = typer.Typer(help="Figures from the case database.", no_args_is_help=True)


@app.command("precision")
def precision_cmd(as_json: JsonOpt = False, db: DbOpt = None) -> None:
    """Confirmed precision per detector, scenario and batch."""
    from fraudwall.cases.stats import precision

    with unit_of_work(db, readonly=True) as s:
        rows = precision(s)
    emit(rows, as_json=as_json, title="confirmed precision")
