"""Models on fraudwall's own data: features, call graph and police feedback from a workspace.

Police feedback (the ``labels`` table) confirms some numbers as fraud; every other number of
the workspace counts as not (yet) confirmed. That is the usual positive-unlabelled situation of
an operator: the model learns what confirmed fraud numbers look like, and its cross-validated
figures measure agreement with the feedback, not with a full truth.

>>> from fraudwall.models.workspace import FRAUD_LABELS
>>> FRAUD_LABELS
('fraud_caller', 'simbox_sim')
"""

from __future__ import annotations

import ibis
import pandas as pd

from fraudwall.errors import InputError
from fraudwall.features.base import FeatureCache, TableMap
from fraudwall.models.train import ModelConfig, train_model
from fraudwall.models.trained import TrainedModel
from fraudwall.store import Tables, Workspace, connect

#: Labels that mark a number as fraud for training.
FRAUD_LABELS = ("fraud_caller", "simbox_sim")
#: The feature family the model reads (numeric columns only; its timestamps are dropped).
FAMILY = "number_calls"


def number_features(features: FeatureCache) -> pd.DataFrame:
    """Numeric per-number features indexed by the stored number, as floats."""
    t = features[FAMILY]
    numeric = [c for c, dt in t.schema().items() if dt.is_numeric()]
    df = t.select("entity_id", *numeric).to_pandas().set_index("entity_id")
    df.index = df.index.astype(str)
    # Engines return rows in any order; models (forests, CV folds) must see a fixed one.
    return df.sort_index().astype("float64")


def call_edges(tables: TableMap, ids: pd.Index) -> pd.DataFrame:
    """Distinct caller -> callee pairs between numbers of the feature table (``src, dst``)."""
    c = tables["calls"]
    pairs = c.filter(c.direction == "MO").select(src=c.msisdn, dst=c.other_party).distinct()
    known = ibis.memtable(pd.DataFrame({"src": ids.to_numpy()}))
    both_known = pairs.semi_join(known, "src").semi_join(known.rename(dst="src"), "dst")
    return both_known.to_pandas().astype(str).sort_values(["src", "dst"], ignore_index=True)


def feedback_labels(tables: TableMap, ids: pd.Index) -> pd.Series:
    """1 for numbers the labels table confirms as fraud, 0 for every other number in ``ids``."""
    if "labels" not in tables:
        raise InputError("the workspace has no labels table (police feedback) to learn from")
    lab = tables["labels"]
    confirmed = (
        lab.filter((lab.entity_type == "msisdn") & lab.label.isin(FRAUD_LABELS))
        .select("entity_id")
        .distinct()
        .to_pandas()["entity_id"]
    )
    return pd.Series(ids.isin(set(confirmed)).astype(int), index=ids, name="label")


def workspace_inputs(
    workspace: Workspace, *, engine: str = "duckdb", graph: bool = True
) -> tuple[pd.DataFrame, pd.Series, pd.DataFrame | None]:
    """Features, police-feedback labels and (optionally) the call graph of a workspace."""
    con = connect(engine)
    tables = Tables(workspace, con)
    if "calls" not in tables:
        raise InputError(f"workspace {workspace.path} has no calls; ingest data first")
    features = number_features(FeatureCache(tables, con))
    labels = feedback_labels(tables, features.index)
    edges = call_edges(tables, features.index) if graph else None
    return features, labels, edges


def train_from_workspace(
    workspace: Workspace,
    *,
    seed: int = 0,
    engine: str = "duckdb",
    graph: bool = True,
    config: ModelConfig | None = None,
) -> TrainedModel:
    """Train the fraud-number model on a workspace's features and police feedback."""
    features, labels, edges = workspace_inputs(workspace, engine=engine, graph=graph)
    return train_model(features, labels, edges, seed=seed, config=config)
