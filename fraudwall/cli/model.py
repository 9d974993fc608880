"""``fraudwall model``: train the supervised fraud-number model and score numbers with it."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from fraudwall.cli.dbopts import errors
from fraudwall.cli.engineopts import EngineOpt, SparkConfOpt, SparkMasterOpt, start_engine
from fraudwall.cli.progress import console, progress

if TYPE_CHECKING:
    from fraudwall.models import ModelConfig

app = typer.Typer(
    help="Train the supervised fraud-number model on labels and score numbers with it.",
    no_args_is_help=True,
)

IdColumn = Annotated[
    str | None,
    typer.Option("--id-column", help="id column of the tables (default: the first column)"),
]
Graph = Annotated[
    Path | None,
    typer.Option("--graph", help="call-graph edges, CSV or Parquet: caller id, callee id"),
]


def training_config() -> ModelConfig:
    """The configuration ``model train`` uses (tests swap in a faster one)."""
    from fraudwall.models import ModelConfig

    return ModelConfig()


@app.command("train")
def train(
    out: Annotated[Path, typer.Option("--out", help="model directory to write")],
    features: Annotated[
        Path | None, typer.Option("--features", help="per-number features, CSV or Parquet")
    ] = None,
    labels: Annotated[
        Path | None, typer.Option("--labels", help="id and label (0/1), CSV or Parquet")
    ] = None,
    graph: Graph = None,
    workspace: Annotated[
        Path | None,
        typer.Option(
            "--workspace",
            help="learn from a fraudwall workspace instead: its per-number features, call "
            "graph and police feedback (labels table)",
        ),
    ] = None,
    id_column: IdColumn = None,
    seed: Annotated[int, typer.Option("--seed", help="random seed (same seed, same model)")] = 0,
    threshold_bootstrap: Annotated[
        int,
        typer.Option(
            "--threshold-bootstrap",
            min=0,
            help="choose the decision threshold as the median best-F1 threshold of this many "
            "resamples of the out-of-fold predictions (0: best F1 of one sample)",
        ),
    ] = 0,
    precision_target: Annotated[
        float | None,
        typer.Option(
            "--precision-target",
            min=0.0,
            max=1.0,
            help="choose the lowest threshold reaching this precision instead of best F1",
        ),
    ] = None,
    engine: EngineOpt = "duckdb",
    spark_master: SparkMasterOpt = None,
    spark_conf: SparkConfOpt = None,
) -> None:
    """Cross-validate and train a model on the labelled numbers; write MODEL_DIR.

    With ``--workspace``, the features are computed on ``--engine`` (the model trains on the
    driver).
    """
    from fraudwall.models import read_edges, read_features, read_labels, train_model

    if (workspace is None) == (features is None or labels is None):
        console.print("[bold red]error:[/] give --features and --labels, or --workspace")
        raise typer.Exit(2)
    config = dataclasses.replace(
        training_config(),
        threshold_bootstrap=threshold_bootstrap,
        precision_target=precision_target,
    )
    with errors():
        start_engine(engine, spark_master, spark_conf)
    with errors(), progress() as bar:
        task = bar.add_task("reading inputs", total=None)
        if workspace is not None:
            from fraudwall.models.workspace import workspace_inputs
            from fraudwall.store import Workspace

            table, known, edges = workspace_inputs(Workspace(workspace), engine=engine)
        else:
            assert features is not None and labels is not None
            table = read_features(features, id_column=id_column)
            known = read_labels(labels, feature_ids=table.index, id_column=id_column)
            edges = read_edges(graph, feature_ids=table.index) if graph is not None else None
        bar.update(task, total=1, completed=1)
        steps = config.steps(with_graph=edges is not None)
        task = bar.add_task("training", total=steps)

        def step(what: str) -> None:
            bar.update(task, advance=1, description=what)

        model = train_model(table, known, edges, seed=seed, config=config, on_step=step)
        model.save(out)
    card = model.card
    console.print(
        f"model written to {out}: {card['training']['rows']} labelled numbers, "
        f"{card['graph_choice']}, threshold {card['threshold']:.3f}"
    )
    cv_name = "with graph" if card["graph_blocks"] else "features only"
    summary = card["cv"]["features + graph" if card["graph_blocks"] else "features only"]["summary"]
    console.print(
        f"{card['cv_folds']}-fold CV ({cv_name}): "
        + ", ".join(
            f"{m} {summary[m]['mean']:.4f} ± {summary[m]['sd']:.4f}"
            for m in ("f1", "macro_f1", "weighted_f1", "roc_auc", "pr_auc", "precision", "recall")
        )
    )


@app.command("score")
def score(
    model: Annotated[Path, typer.Option("--model", help="model directory from `model train`")],
    features: Annotated[
        Path, typer.Option("--features", help="per-number features, CSV or Parquet")
    ],
    out: Annotated[Path, typer.Option("--out", help="scores CSV: id,score,label,reasons")],
    graph: Graph = None,
    id_column: IdColumn = None,
) -> None:
    """Score every number of FEATURES: calibrated probability, 0/1 decision and reasons."""
    from fraudwall.models import load_model, read_edges, read_features

    with errors(), progress() as bar:
        task = bar.add_task("loading model and inputs", total=3)
        trained = load_model(model)
        bar.advance(task)
        table = read_features(features, id_column=id_column)
        bar.advance(task)
        edges = read_edges(graph, feature_ids=table.index) if graph is not None else None
        bar.advance(task)
        task = bar.add_task("scoring", total=1)
        scores = trained.score(table, edges, source=str(features))
        out.parent.mkdir(parents=True, exist_ok=True)
        scores.to_csv(out, index=False)
        bar.advance(task)
    console.print(
        f"{len(scores)} numbers scored, {int(scores['label'].sum())} flagged as fraud "
        f"(threshold {trained.threshold:.3f}); written to {out}"
    )
