"""Tiny synthetic feature tables, labels and call graphs for the model tests."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fraudwall.models import ModelConfig, with_params

#: Real data lives beside the repository; FRAUDWALL_SHARED_DATA overrides where.
SHARED_DATA = Path(
    os.environ.get("FRAUDWALL_SHARED_DATA", Path(__file__).parents[2].parent / "shared" / "data")
)


def make_world(
    n: int = 300, seed: int = 0, *, signal: float = 1.0, homophily: float = 0.8
) -> tuple[pd.DataFrame, pd.Series, pd.DataFrame]:
    """Features with signal in ``calls`` and ``sms``, labels, a graph where fraud calls fraud."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.35).astype(np.int8)
    ids = pd.Index([f"n{i:04d}" for i in range(n)], name="id")
    features = pd.DataFrame(
        {
            "calls": rng.normal(10 + 4 * signal * y, 2),
            "sms": rng.normal(5 - 2 * signal * y, 1.5),
            "noise": rng.normal(0, 1, n),
            "arpu": np.where(rng.random(n) < 0.1, np.nan, rng.gamma(2, 20, n)),
        },
        index=ids,
    )
    # each number calls 4 others, a share ``homophily`` of them of its own class
    src = np.repeat(np.arange(n), 4)
    same = rng.random(len(src)) < homophily
    pool = {c: np.flatnonzero(y == c) for c in (0, 1)}
    own = np.where(y[src] == 1, rng.choice(pool[1], len(src)), rng.choice(pool[0], len(src)))
    dst = np.where(same, own, rng.integers(0, n, len(src)))
    edges = pd.DataFrame({"src": ids[src], "dst": ids[dst]})
    edges = edges[edges.src != edges.dst].reset_index(drop=True)
    return features, pd.Series(y, index=ids, name="label"), edges


@pytest.fixture(scope="session")
def world() -> tuple[pd.DataFrame, pd.Series, pd.DataFrame]:
    return make_world()


@pytest.fixture(scope="session")
def world_factory():
    return make_world


@pytest.fixture(scope="session")
def fast_config() -> ModelConfig:
    """Few rounds and folds: tests check behaviour, not accuracy."""
    return with_params(ModelConfig(cv_folds=3, inner_folds=3), num_boost_round=25)


@pytest.fixture(scope="session")
def sichuan_dir() -> Path:
    """The Sichuan Mobile files, read in place; the test is skipped where they are absent."""
    path = SHARED_DATA / "sichuan"
    if not (path / "features.csv").exists():
        pytest.skip(f"Sichuan data not found at {path} (set FRAUDWALL_SHARED_DATA)")
    return path
