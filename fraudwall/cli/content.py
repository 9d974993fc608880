"""``fraudwall sms`` and ``fraudwall domains``: the SMS classifier, reports and blocklists."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from fraudwall.cli.dbopts import errors
from fraudwall.cli.progress import console, progress

sms_app = typer.Typer(
    help="Classify SMS content (train, classify) and write the violating-SMS report.",
    no_args_is_help=True,
)
domains_app = typer.Typer(
    help="Score domain names and export the fraud domains as resolver blocklists.",
    no_args_is_help=True,
)

Json = Annotated[bool, typer.Option("--json", help="print JSON only")]


def _emit(result: object, as_json: bool, line: str) -> None:
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    else:
        console.print(line, highlight=False)


@sms_app.command("train")
def train(
    texts: Annotated[Path, typer.Option("--texts", help="CSV with content,label (UTF-8 or GBK)")],
    out: Annotated[Path, typer.Option("--out", help="model directory to write")],
    seed: Annotated[int, typer.Option("--seed", help="random seed")] = 0,
    normal_label: Annotated[
        str,
        typer.Option(
            "--normal-label",
            help="the label that means not fraud (default normal; without it in the labels, "
            "the most frequent label)",
        ),
    ] = "normal",
    as_json: Json = False,
) -> None:
    """Train the SMS classifier on labelled messages (any label set) and write MODEL."""
    from fraudwall.content.sms_service import train_sms

    with errors(), progress() as bar:
        bar.add_task("training (cross-validated calibration)", total=None)
        card = train_sms(texts=texts, out=out, seed=seed, normal_label=normal_label)
    _emit(
        card,
        as_json,
        f"wrote {out}: {card['training']['rows']} messages, classes {', '.join(card['classes'])};"
        f" out-of-fold macro-F1 {card['cv']['macro_f1']:.4f}",
    )


@sms_app.command("classify")
def classify(
    model: Annotated[Path, typer.Option("--model", help="directory from `fraudwall sms train`")],
    texts: Annotated[Path, typer.Option("--texts", help="CSV with a content column")],
    out: Annotated[Path, typer.Option("--out", help="CSV to write: content,label,score,reasons")],
    as_json: Json = False,
) -> None:
    """Classify messages: label, calibrated score and the n-grams that decided it."""
    from fraudwall.content.sms_service import classify_sms

    with errors():
        result = classify_sms(model=model, texts=texts, out=out)
    _emit(result, as_json, f"wrote {out}: {result['messages']} messages {result['per_label']}")


@sms_app.command("report")
def report(
    run: Annotated[Path, typer.Option("--run", help="run directory (`fraudwall run --out`)")],
    out: Annotated[Path, typer.Option("--out", help="directory for the per-day report CSVs")],
    as_json: Json = False,
) -> None:
    """Write the violating-SMS report, one CSV per day, from the run's fraud_sms leads."""
    from fraudwall.content.report import write_sms_report

    with errors():
        result = write_sms_report(run=run, out=out)
    _emit(result, as_json, f"wrote {len(result['files'])} file(s), {result['rows']} rows to {out}")


@domains_app.command("export")
def export(
    run: Annotated[Path, typer.Option("--run", help="run directory (`fraudwall run --out`)")],
    fmt: Annotated[str, typer.Option("--format", help="rpz, unbound, hosts or adblock")],
    out: Annotated[Path, typer.Option("--out", help="file to write")],
    min_level: Annotated[
        str, typer.Option("--min-level", help="lowest risk level exported: low, medium, high")
    ] = "medium",
    zone: Annotated[str, typer.Option("--zone", help="RPZ zone name")] = "rpz.fraudwall",
    db: Annotated[
        str | None,
        typer.Option("--db", help="also keep this case database's `domains` blacklist in step"),
    ] = None,
    actor: Annotated[str | None, typer.Option("--as", help="the user acting (with --db)")] = None,
    as_json: Json = False,
) -> None:
    """Export the run's fraud domains as a blocklist for a resolver (and, with --db, as the
    case database's `domains` blacklist)."""
    from fraudwall.content.domains_service import export_domains

    with errors():
        result = export_domains(
            run=run, fmt=fmt, out=out, min_level=min_level, zone=zone, db=db, actor=actor
        )
    _emit(result, as_json, f"wrote {out}: {result['names']} names ({fmt})")


@domains_app.command("score")
def score(
    names: Annotated[list[str], typer.Argument(help="domain names to score")],
    brands: Annotated[
        Path | None, typer.Option("--brands", help="brands TOML (default: the packaged list)")
    ] = None,
    as_json: Json = False,
) -> None:
    """Lexical risk of domain names: brand look-alikes, homoglyphs, risky TLDs, random labels."""
    from fraudwall.content.domains_service import score_names

    with errors():
        result = score_names(names=names, brands=brands)
    if as_json:
        _emit(result, True, "")
        return
    for r in result:
        console.print(
            f"{r['domain']}\t{r['score']:.2f}\t{'; '.join(r['reasons'])}", highlight=False
        )
