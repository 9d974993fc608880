"""How well the unsupervised anomaly score ranks fraud numbers on a synthetic world.

    python benchmarks/anomaly_synthetic.py --subscribers 20000 --days 3 --seed 5151

Simulates a world (reused if present), ingests it, scores every number with the Isolation
Forest over the ``number_calls`` features (no labels used), and prints ROC-AUC and PR-AUC
against the truth (numbers labelled fraud_caller or simbox_sim), the base rate, and the
precision of the top 0.5% (what the ``number_anomaly`` detector flags).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
from sklearn.metrics import average_precision_score, roc_auc_score


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--subscribers", type=int, default=20_000)
    ap.add_argument("--days", type=int, default=3)
    ap.add_argument("--seed", type=int, default=5151)
    ap.add_argument("--work", type=Path, default=Path("/tmp/fraudwall-anomaly"))
    args = ap.parse_args()

    from fraudwall.features.base import FeatureCache
    from fraudwall.ingest import ingest
    from fraudwall.models import anomaly_scores
    from fraudwall.models.workspace import number_features
    from fraudwall.simulate import generate
    from fraudwall.store import Tables, Workspace, connect

    data, ws = args.work / "data", Workspace(args.work / "ws")
    if not (data / "manifest.json").exists():
        generate(data, subscribers=args.subscribers, days=args.days, seed=args.seed)
    if not ws.has("calls"):
        ingest(data, ws)
    con = connect("duckdb")
    tables = Tables(ws, con)
    features = number_features(FeatureCache(tables, con))
    scores = anomaly_scores(features)

    truth = pd.read_parquet(data / "truth" / "labels.parquet")
    subs = tables["subscribers"].select("msisdn", "msisdn_raw").to_pandas()
    raw = scores.index.map(dict(zip(subs.msisdn, subs.msisdn_raw, strict=True)))
    fraud = set(truth.loc[truth["label"].isin(["fraud_caller", "simbox_sim"]), "entity_id"])
    y = pd.Series(raw, index=scores.index).isin(fraud).astype(int)
    top = scores >= scores.quantile(0.995)
    print(
        f"numbers scored {len(scores):,}; fraud numbers {int(y.sum()):,} (base rate {y.mean():.4f})"
    )
    print(
        f"ROC-AUC {roc_auc_score(y, scores):.4f}  PR-AUC {average_precision_score(y, scores):.4f}"
    )
    print(f"top 0.5%: {int(top.sum())} numbers, precision {y[top].mean():.4f}")


if __name__ == "__main__":
    main()
