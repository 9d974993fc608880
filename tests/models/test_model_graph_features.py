"""Graph features: structure on a hand-checked graph; no number ever sees its own label."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fraudwall.models.graph_features import (
    CallGraph,
    neighbour_label_features,
    neighbour_mean_features,
    structure_features,
)

IDS = pd.Index(["a", "b", "c", "d", "e"])
# a triangle a-b-c, a tail c->d, e isolated; a->b twice (repeated calls count once)
EDGES = pd.DataFrame({"src": ["a", "a", "b", "c", "c"], "dst": ["b", "b", "c", "a", "d"]})


def test_structure_of_a_small_graph() -> None:
    s = structure_features(CallGraph.from_edges(EDGES, IDS))
    assert s["g_out_contacts"].tolist() == [1, 1, 2, 0, 0]
    assert s["g_in_contacts"].tolist() == [1, 1, 1, 1, 0]
    assert s["g_contacts"].tolist() == [2, 2, 3, 1, 0]
    # c has 3 contacts, one link among them (a-b): 1 of 3 possible pairs
    assert s["g_clustering"].tolist() == pytest.approx([1, 1, 1 / 3, 0, 0])
    assert s["g_core"].tolist() == [2, 2, 2, 1, 0]


def test_neighbour_mean_skips_missing_values() -> None:
    f = pd.DataFrame({"x": [0.0, np.e - 1, np.nan, 1.0, 5.0]}, index=IDS)
    m = neighbour_mean_features(CallGraph.from_edges(EDGES, IDS), f)["g_mean_x"]
    assert m["a"] == pytest.approx(1.0)  # contacts b (log1p = 1) and c (missing)
    assert m["c"] == pytest.approx((0 + 1 + np.log(2)) / 3)  # its own value missing: irrelevant
    assert np.isnan(m["d"]) and np.isnan(m["e"])  # only a missing contact; no contacts


def _random_graph(n: int, seed: int) -> tuple[CallGraph, pd.Series]:
    rng = np.random.default_rng(seed)
    ids = pd.Index([f"n{i}" for i in range(n)])
    src, dst = rng.integers(0, n, 6 * n), rng.integers(0, n, 6 * n)
    graph = CallGraph.from_edges(pd.DataFrame({"src": ids[src], "dst": ids[dst]}), ids)
    return graph, pd.Series(rng.integers(0, 2, n), index=ids)


def test_own_label_never_reaches_own_features() -> None:
    graph, labels = _random_graph(60, seed=1)
    before = neighbour_label_features(graph, labels, oof_folds=None)
    flipped = labels.copy()
    flipped.iloc[7] = 1 - flipped.iloc[7]
    after = neighbour_label_features(graph, flipped, oof_folds=None)
    # the prior (fraud share) moves with any label; counts of the number itself must not
    assert (
        before.iloc[7][["g_known_fraud", "g_known_normal"]].tolist()
        == after.iloc[7][["g_known_fraud", "g_known_normal"]].tolist()
    )
    # its contacts do see the change
    contacts = graph.undirected[7].indices
    assert (
        len(contacts)
        and (before.iloc[contacts]["g_known_fraud"] != after.iloc[contacts]["g_known_fraud"]).all()
    )


def test_two_hop_share_ignores_walks_back_to_self() -> None:
    # a star: centre c with leaves; a leaf's 2-hop walks all go back through c to itself or
    # to the other leaves, so its own label must not count
    ids = pd.Index(["c", "l1", "l2", "l3"])
    graph = CallGraph.from_edges(pd.DataFrame({"src": ["c"] * 3, "dst": ["l1", "l2", "l3"]}), ids)
    labels = pd.Series([0, 1, 0, 0], index=ids)
    f = neighbour_label_features(graph, labels, oof_folds=None)
    prior = labels.mean()
    assert f.loc["l1", "g_fraud_share_2hop"] == pytest.approx((0 + 2 * prior) / (2 + 2))
    assert f.loc["l2", "g_fraud_share_2hop"] == pytest.approx((1 + 2 * prior) / (2 + 2))


def test_out_of_fold_hides_the_own_fold() -> None:
    graph, labels = _random_graph(80, seed=2)
    full = neighbour_label_features(graph, labels, oof_folds=None)
    oof = neighbour_label_features(graph, labels, oof_folds=4, seed=0)
    known = full["g_known_fraud"] + full["g_known_normal"]
    known_oof = oof["g_known_fraud"] + oof["g_known_normal"]
    # with a fold of labels hidden each labelled number knows fewer contacts, never more
    assert (known_oof <= known).all() and (known_oof < known).any()
