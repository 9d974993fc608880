"""The ``fraudwall`` command line: one module per command group."""

from __future__ import annotations

import typer

from fraudwall.cli import docs, ingest, model, pipeline, policy, simulate

app = typer.Typer(
    name="fraudwall",
    help="Anti-fraud platform for mobile operators.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.command("ingest")(ingest.ingest)
app.command("simulate")(simulate.simulate)
app.command("run")(pipeline.run)
app.command("evaluate")(pipeline.evaluate)
app.command("demo")(pipeline.demo)
app.add_typer(policy.app, name="policy")
app.add_typer(model.app, name="model")
app.add_typer(docs.app, name="docs")


def main() -> None:
    """Entry point of the ``fraudwall`` script."""
    app()
