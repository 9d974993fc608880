"""``fraudwall policy``: show and check the effective policy."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from fraudwall.cli.progress import console
from fraudwall.errors import PolicyError

app = typer.Typer(help="Show and validate the detection policy.", no_args_is_help=True)


@app.command("show")
def show(
    policy: Annotated[Path | None, typer.Option("--policy", help="policy file to apply")] = None,
) -> None:
    """Print the effective policy as TOML (defaults when no file is given)."""
    from fraudwall.policy import load_policy, render_policy

    try:
        typer.echo(render_policy(load_policy(policy)), nl=False)
    except PolicyError as e:
        console.print(f"[bold red]invalid policy:[/] {e}")
        raise typer.Exit(2) from None


@app.command("check")
def check(policy: Annotated[Path, typer.Argument(help="policy file to validate")]) -> None:
    """Validate a policy file; exit 2 with the reasons when it is invalid."""
    from fraudwall.policy import load_policy

    try:
        p = load_policy(policy)
    except PolicyError as e:
        console.print(f"[bold red]invalid policy:[/] {e}")
        raise typer.Exit(2) from None
    console.print(f"policy {p.version}: valid ({len(p.detectors)} detectors)")
