"""Cross-validated figures of every model variant on a labelled feature table (docs/evaluation.md).

Runs the full training procedure of ``fraudwall.models`` (graph label features, calibration and
threshold fitted inside each fold) under stratified k-fold cross-validation on the labelled rows
only, for each variant, and the Isolation-Forest anomaly score's ROC-AUC on the same rows (it
never sees a label). Prints Markdown tables.

    nice -n 10 .venv/bin/python benchmarks/model_cv.py --data ../shared/data/sichuan
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

import numpy as np
import pandas as pd
import psutil
import scipy.sparse as sp
from sklearn.metrics import average_precision_score, roc_auc_score

from fraudwall.models import (
    DEFAULT_PARAMS,
    TUNED_PARAMS,
    ModelConfig,
    anomaly_scores,
    cross_validate,
    read_edges,
    read_features,
    read_labels,
)
from fraudwall.models.graph_features import CallGraph, neighbour_label_features
from fraudwall.models.metrics import METRICS, summarise

#: name -> (LightGBM parameters, graph blocks)
VARIANTS: dict[str, tuple[dict, tuple[str, ...]]] = {
    "baseline: default LightGBM, 55 features": (DEFAULT_PARAMS, ()),
    "default LightGBM + structure + neighbour labels": (
        DEFAULT_PARAMS,
        ("structure", "neighbour_labels"),
    ),
    "tuned LightGBM": (TUNED_PARAMS, ()),
    "tuned + graph structure": (TUNED_PARAMS, ("structure",)),
    "tuned + structure + neighbour feature means": (
        TUNED_PARAMS,
        ("structure", "neighbour_mean"),
    ),
    "tuned + structure + OOF neighbour labels": (
        TUNED_PARAMS,
        ("structure", "neighbour_labels"),
    ),
    "tuned + all graph blocks": (
        TUNED_PARAMS,
        ("structure", "neighbour_mean", "neighbour_labels"),
    ),
}


def graph_summary(graph: CallGraph, labels: pd.Series, *, seed: int) -> None:
    """How much the call graph says about labels on its own (homophily, neighbour-label AUC)."""
    pos = graph.ids.get_indexer(labels.index)
    coo = sp.triu(graph.undirected, k=1).tocoo()
    cls = np.full(len(graph.ids), -1)
    cls[pos] = labels.to_numpy()
    a, b = cls[coo.row], cls[coo.col]
    both = (a >= 0) & (b >= 0)
    fraud_pairs = int(((a == 1) & (b == 1) & both).sum())
    mixed = int(((a != b) & both).sum())
    print(
        f"graph: {coo.nnz} undirected contact pairs, {int((graph.degree == 0).sum())} numbers "
        f"without contacts; of the {int(both.sum())} pairs between two labelled numbers "
        f"{fraud_pairs} join two fraud numbers, {mixed} join fraud and normal"
    )
    shares = neighbour_label_features(graph, labels, oof_folds=5, seed=seed).iloc[pos]
    y = labels.to_numpy()
    print(
        "neighbour labels alone (out of fold, 5 folds), ROC-AUC of the fraud share of known "
        f"contacts {roc_auc_score(y, shares['g_fraud_share']):.4f}, two hops "
        f"{roc_auc_score(y, shares['g_fraud_share_2hop']):.4f}\n"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data/sichuan"))
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--repeats", type=int, default=1, help="repeat the CV with seeds seed, seed+1, ... and pool"
    )
    ap.add_argument("--only", help="run only variants whose name contains this text")
    args = ap.parse_args()

    features = read_features(args.data / "features.csv")
    labels = read_labels(args.data / "labels_train.csv", feature_ids=features.index)
    edges = read_edges(args.data / "edges.csv", feature_ids=features.index)
    graph = CallGraph.from_edges(edges, features.index)
    print(
        f"machine: {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.1f} GiB; "
        f"LightGBM num_threads=1"
    )
    print(
        f"data: {len(features)} numbers x {features.shape[1]} features, {len(edges)} edges, "
        f"{len(labels)} labelled ({int(labels.sum())} fraud); {args.folds}-fold stratified CV "
        f"x {args.repeats} (seeds {args.seed}..{args.seed + args.repeats - 1}); "
        f"mean ± sd over the {args.folds * args.repeats} folds\n"
    )
    graph_summary(graph, labels, seed=args.seed)
    header = "| variant | " + " | ".join(METRICS) + " | seconds |"
    print(header)
    print("|---" * (len(METRICS) + 2) + "|")
    for name, (params, blocks) in VARIANTS.items():
        if args.only and args.only not in name:
            continue
        config = ModelConfig(params=dict(params), graph_blocks=blocks, cv_folds=args.folds)
        t0 = time.perf_counter()
        folds = []
        for r in range(args.repeats):
            cv = cross_validate(
                features,
                labels,
                graph if blocks else None,
                config,
                blocks=blocks,
                seed=args.seed + r,
            )
            folds += cv["folds"]
        s = summarise(folds)
        cells = " | ".join(f"{s[m]['mean']:.4f} ± {s[m]['sd']:.4f}" for m in METRICS)
        print(f"| {name} | {cells} | {time.perf_counter() - t0:.0f} |", flush=True)

    t0 = time.perf_counter()
    anomaly = anomaly_scores(features, seed=args.seed).loc[labels.index].to_numpy()
    y = labels.to_numpy()
    print(
        f"\nIsolation Forest (no labels), all {len(features)} numbers, evaluated on the "
        f"{len(labels)} labelled: ROC-AUC {roc_auc_score(y, anomaly):.4f}, "
        f"PR-AUC {average_precision_score(y, anomaly):.4f} (fraud share {np.mean(y):.3f}), "
        f"{time.perf_counter() - t0:.0f} s"
    )


if __name__ == "__main__":
    main()
