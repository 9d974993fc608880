"""What the Sichuan model benchmarks share: their common options, the data, the header lines.

Imported by ``model_cv.py`` and ``model_gnn.py`` (run as scripts from the repository root, so
this directory is on ``sys.path``).
"""

from __future__ import annotations

import argparse
import os
import platform
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import psutil

from fraudwall.models import read_edges, read_features, read_labels
from fraudwall.models.graph_features import CallGraph


def cv_parser(description: str) -> argparse.ArgumentParser:
    """Options every Sichuan benchmark takes: data directory, folds, split seed, repeats."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--data", type=Path, default=Path("../shared/data/sichuan"))
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--repeats", type=int, default=1, help="repeat the CV with seeds seed, seed+1, ... and pool"
    )
    return ap


@dataclass(frozen=True)
class Sichuan:
    """The Sichuan files, read and checked by fraudwall's own readers."""

    features: pd.DataFrame
    labels: pd.Series
    edges: pd.DataFrame
    graph: CallGraph

    @classmethod
    def read(cls, data: Path) -> Sichuan:
        """Read ``features.csv``, ``labels_train.csv`` and ``edges.csv`` from ``data``."""
        features = read_features(data / "features.csv")
        labels = read_labels(data / "labels_train.csv", feature_ids=features.index)
        edges = read_edges(data / "edges.csv", feature_ids=features.index)
        return cls(features, labels, edges, CallGraph.from_edges(edges, features.index))

    def print_header(self, args: argparse.Namespace, *, threads: str, notes: str = "") -> None:
        """The machine and data lines every table is printed under."""
        print(
            f"machine: {platform.processor() or platform.machine()}, "
            f"{os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.1f} GiB; {threads}"
        )
        f, labels = self.features, self.labels
        print(
            f"data: {len(f)} numbers x {f.shape[1]} features, {len(self.edges)} edges, "
            f"{len(labels)} labelled ({int(labels.sum())} fraud); {args.folds}-fold stratified CV "
            f"x {args.repeats} (seeds {args.seed}..{args.seed + args.repeats - 1}); "
            f"mean ± sd over the {args.folds * args.repeats} folds{notes}\n"
        )
