"""``fraudwall docs``: documents generated from the code (detector catalogue, default policy)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from fraudwall.cli.progress import console

app = typer.Typer(help="Generate documentation from the code.", no_args_is_help=True)


@app.command("detectors")
def detectors(
    evaluation: Annotated[
        Path | None,
        typer.Option(
            "--evaluation",
            help="evaluation.json from `fraudwall evaluate`, to add measured precision and recall",
        ),
    ] = None,
    world: Annotated[
        Path | None,
        typer.Option(
            "--world",
            help="data directory the evaluation was measured on (its "
            "manifest.json names subscribers, days and seed)",
        ),
    ] = None,
    heldout_evaluation: Annotated[
        Path | None,
        typer.Option(
            "--heldout-evaluation",
            help="evaluation.json measured on a held-out world (another profile and seed), "
            "shown beside the tuning world's",
        ),
    ] = None,
    heldout_world: Annotated[
        Path | None,
        typer.Option("--heldout-world", help="data directory of the held-out world"),
    ] = None,
    out: Annotated[
        Path, typer.Option("--out", help="Markdown file to write; '-' prints it")
    ] = Path("docs/detectors.md"),
) -> None:
    """Write the detector catalogue: every detector, its scenario, inputs, logic and policy."""
    from fraudwall.report.catalogue import describe_world, load_evaluation, render_catalogue

    try:
        ev = load_evaluation(evaluation) if evaluation else None
        w = describe_world(world) if world else None
        held = load_evaluation(heldout_evaluation) if heldout_evaluation else None
        held_w = describe_world(heldout_world) if heldout_world else None
    except (OSError, ValueError) as e:
        console.print(f"[bold red]error:[/] {e}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    text = render_catalogue(evaluation=ev, world=w, heldout=held, heldout_world=held_w)
    if str(out) == "-":
        typer.echo(text, nl=False)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, "utf-8")
    console.print(f"wrote {out}")


@app.command("policy")
def policy(
    out: Annotated[
        Path | None,
        typer.Option("--out", help="file to write (default: the package's default.toml)"),
    ] = None,
) -> None:
    """Write the default policy TOML, generated from every detector's parameters."""
    from fraudwall.policy import DEFAULT_POLICY, load_policy, render_policy

    target = out or DEFAULT_POLICY
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_policy(load_policy()), "utf-8")
    console.print(f"wrote {target}")
