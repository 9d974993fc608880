"""The unsupervised companion: outliers rank high, same seed same scores, missing values handled."""

from __future__ import annotations

import numpy as np
import pandas as pd

from fraudwall.models import anomaly_scores


def test_planted_outliers_rank_above_the_crowd(world) -> None:
    features = world[0].copy()
    outliers = features.index[:5]
    features.loc[outliers, "calls"] = features["calls"].max() * 20
    features.loc[outliers, "sms"] = features["sms"].min() - 50
    s = anomaly_scores(features, seed=1)
    assert s.between(0, 1).all() and s.index.equals(features.index)
    assert s.loc[outliers].min() > s.drop(outliers).quantile(0.95)


def test_deterministic_and_copes_with_an_all_missing_column(world) -> None:
    features = world[0].assign(empty=np.nan)
    a = anomaly_scores(features, seed=2)
    b = anomaly_scores(features, seed=2)
    pd.testing.assert_series_equal(a, b)
    assert a.notna().all()
