"""Features a number takes from the call graph: its structure, its contacts' behaviour and labels.

Three blocks, each a frame indexed like the feature table:

* ``structure`` — calls out and in (distinct numbers), contacts, clustering coefficient, k-core.
* ``neighbour_mean`` — the mean of each feature over a number's contacts (log scale), the
  "features of the numbers called" of graph models such as GraphSAGE, without the network.
* ``neighbour_labels`` — how many contacts are known fraud / known normal, the smoothed share of
  fraud among known contacts, and the same share two hops away. Known means "labelled in the
  training data". A labelled number never sees its own label: with ``oof_folds`` the training
  rows get these features out of fold (labels of their own fold hidden), so training rows look
  like the unlabelled rows they will be applied to.

All work is sparse matrix products over the whole graph (no loops over numbers).
"""

from __future__ import annotations

from dataclasses import dataclass

import igraph as ig
import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.model_selection import StratifiedKFold

BLOCKS = ("structure", "neighbour_mean", "neighbour_labels")
#: Readable names of the derived columns, used in explanations.
DESCRIPTIONS = {
    "g_out_contacts": "distinct numbers called",
    "g_in_contacts": "distinct numbers calling in",
    "g_contacts": "distinct contacts in the call graph",
    "g_clustering": "share of contacts that call each other",
    "g_core": "k-core of the number in the call graph",
    "g_known_fraud": "contacts known as fraud",
    "g_known_normal": "contacts known as normal",
    "g_fraud_share": "share of known contacts that are fraud",
    "g_fraud_share_2hop": "share of fraud among contacts' contacts",
}
NEIGHBOUR_MEAN_PREFIX = "g_mean_"


@dataclass(frozen=True)
class CallGraph:
    """Directed call graph over the rows of a feature table (binary adjacency, no self-loops)."""

    ids: pd.Index
    directed: sp.csr_matrix
    undirected: sp.csr_matrix

    @classmethod
    def from_edges(cls, edges: pd.DataFrame, ids: pd.Index) -> CallGraph:
        """Build from checked edges (``src, dst`` ids, all in ``ids``)."""
        n = len(ids)
        src = ids.get_indexer(edges["src"].to_numpy())
        dst = ids.get_indexer(edges["dst"].to_numpy())
        keep = (src >= 0) & (dst >= 0) & (src != dst)
        a = sp.csr_matrix(
            (np.ones(int(keep.sum())), (src[keep], dst[keep])), shape=(n, n), dtype=np.float64
        )
        a.data[:] = 1.0  # repeated calls count once: contacts, not call volume
        u = ((a + a.T) > 0).astype(np.float64).tocsr()
        return cls(ids=ids, directed=a, undirected=u)

    @property
    def degree(self) -> np.ndarray:
        """Distinct contacts of each number (calls in either direction)."""
        return np.asarray(self.undirected.sum(axis=1)).ravel()


def structure_features(graph: CallGraph) -> pd.DataFrame:
    """Degree, clustering coefficient and core number of every number."""
    a, u = graph.directed, graph.undirected
    coo = sp.triu(u, k=1).tocoo()
    g = ig.Graph(n=len(graph.ids), edges=np.column_stack([coo.row, coo.col]).tolist())
    return pd.DataFrame(
        {
            "g_out_contacts": np.asarray(a.sum(axis=1)).ravel(),
            "g_in_contacts": np.asarray(a.sum(axis=0)).ravel(),
            "g_contacts": graph.degree,
            "g_clustering": np.asarray(g.transitivity_local_undirected(mode="zero")),
            "g_core": np.asarray(g.coreness(), dtype=np.float64),
        },
        index=graph.ids,
    )


def neighbour_mean_features(graph: CallGraph, features: pd.DataFrame) -> pd.DataFrame:
    """Mean over contacts of each feature, on a signed log scale (robust to heavy tails)."""
    x = features.reindex(graph.ids).to_numpy(dtype=np.float64)
    x = np.sign(x) * np.log1p(np.abs(x))
    present = ~np.isnan(x)
    total = graph.undirected @ np.where(present, x, 0.0)
    count = graph.undirected @ present.astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, total / count, np.nan)
    return pd.DataFrame(
        mean, index=graph.ids, columns=[NEIGHBOUR_MEAN_PREFIX + c for c in features.columns]
    )


def _label_block(graph: CallGraph, known: np.ndarray, fraud: np.ndarray, prior: float) -> dict:
    """Counts and shares from indicator vectors ``known`` and ``fraud`` (fraud ⊆ known)."""
    u, deg = graph.undirected, graph.degree
    k1, f1 = u @ known, u @ fraud
    # two-hop walks, minus the walks that come straight back to the number itself
    k2, f2 = u @ k1 - deg * known, u @ f1 - deg * fraud
    return {
        "g_known_fraud": f1,
        "g_known_normal": k1 - f1,
        "g_fraud_share": (f1 + 2.0 * prior) / (k1 + 2.0),
        "g_fraud_share_2hop": (f2 + 2.0 * prior) / (k2 + 2.0),
    }


def neighbour_label_features(
    graph: CallGraph, labels: pd.Series, *, oof_folds: int | None = 5, seed: int = 0
) -> pd.DataFrame:
    """Known-fraud and known-normal contacts of every number, from ``labels`` (0/1 by id).

    With ``oof_folds`` the labelled rows get values computed with their own fold's labels hidden;
    the other rows use every label. Without it every row uses every label (scoring time).
    """
    pos = graph.ids.get_indexer(labels.index)
    keep = pos >= 0
    pos, y = pos[keep], labels.to_numpy()[keep].astype(np.float64)
    prior = float(y.mean()) if len(y) else 0.0

    def vectors(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        known = np.zeros(len(graph.ids))
        fraud = np.zeros(len(graph.ids))
        known[pos[rows]] = 1.0
        fraud[pos[rows]] = y[rows]
        return known, fraud

    out = pd.DataFrame(_label_block(graph, *vectors(np.arange(len(y))), prior), index=graph.ids)
    if oof_folds and len(y) >= oof_folds:
        folds = StratifiedKFold(oof_folds, shuffle=True, random_state=seed)
        for train_rows, held_rows in folds.split(np.zeros(len(y)), y):
            block = _label_block(graph, *vectors(train_rows), prior)
            for name, values in block.items():
                out.iloc[pos[held_rows], out.columns.get_loc(name)] = values[pos[held_rows]]
    return out


def graph_features(
    graph: CallGraph,
    features: pd.DataFrame,
    blocks: tuple[str, ...],
    *,
    labels: pd.Series | None = None,
    oof_folds: int | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """The requested graph blocks for every row of ``features``, side by side."""
    parts = []
    if "structure" in blocks:
        parts.append(structure_features(graph))
    if "neighbour_mean" in blocks:
        parts.append(neighbour_mean_features(graph, features))
    if "neighbour_labels" in blocks:
        if labels is None:
            raise ValueError("neighbour_labels needs the known labels")
        parts.append(neighbour_label_features(graph, labels, oof_folds=oof_folds, seed=seed))
    return pd.concat(parts, axis=1).reindex(features.index)
