"""The ``fraudwall`` command line: one module per command group."""

from __future__ import annotations

import typer

from fraudwall.cli import (
    action,
    appeal,
    batch,
    cases,
    content,
    db,
    docs,
    feedback,
    ingest,
    model,
    pipeline,
    policy,
    simulate,
    stats,
    users,
)
from fraudwall.cli import audit as audit_cmd
from fraudwall.cli import check as check_cmd
from fraudwall.cli import daily as daily_cmd
from fraudwall.cli import graph as graph_cmd
from fraudwall.cli import lists as lists_cmd
from fraudwall.cli import screen as screen_cmd
from fraudwall.cli import serve as serve_cmd
from fraudwall.cli import share as share_cmd
from fraudwall.cli import subscribers as subscribers_cmd
from fraudwall.cli import token as token_cmd

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
for _name in ("trace", "rings", "dens", "lookalike"):
    app.command(_name)(getattr(graph_cmd, _name))
app.command("detect")(pipeline.detect)
app.command("prune")(daily_cmd.prune)
app.command("daily")(daily_cmd.daily)
app.add_typer(policy.app, name="policy")
app.add_typer(model.app, name="model")
app.add_typer(docs.app, name="docs")
app.add_typer(content.sms_app, name="sms")
app.add_typer(content.domains_app, name="domains")
app.add_typer(db.app, name="db")
app.add_typer(users.app, name="users")
app.add_typer(cases.app, name="cases")
app.add_typer(batch.app, name="batch")
app.add_typer(feedback.app, name="feedback")
app.add_typer(action.app, name="action")
app.add_typer(appeal.app, name="appeal")
app.add_typer(stats.app, name="stats")
app.command("audit")(audit_cmd.audit)
app.command("serve")(serve_cmd.serve)
app.add_typer(token_cmd.app, name="token")
app.add_typer(lists_cmd.app, name="lists")
app.add_typer(check_cmd.app, name="check")
app.add_typer(share_cmd.app, name="share")
app.add_typer(screen_cmd.app, name="screen")
app.add_typer(subscribers_cmd.app, name="subscribers")


def main() -> None:
    """Entry point of the ``fraudwall`` script."""
    app()
