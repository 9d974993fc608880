"""The unsupervised companion: how unusual a number's behaviour is, when no labels exist.

An Isolation Forest over the numeric features. Features are put on a signed log scale (call
counts and traffic are heavy-tailed), missing values are filled with the column median and
flagged in extra indicator columns. The score is in [0, 1], higher = more anomalous; it never
sees a label, so it can run on day one and flag behaviour no analyst has labelled yet.

>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(0)
>>> f = pd.DataFrame({"calls": rng.normal(10, 1, 200), "sms": rng.normal(5, 1, 200)})
>>> f.loc[0] = [500.0, 400.0]  # one number far from the rest
>>> s = anomaly_scores(f)
>>> bool(s.idxmax() == 0)
True
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.ensemble import IsolationForest


def _prepare(features: pd.DataFrame) -> np.ndarray:
    x = features.to_numpy(dtype=np.float64)
    x = np.sign(x) * np.log1p(np.abs(x))
    missing = np.isnan(x)
    medians = np.nanmedian(np.where(missing.all(axis=0), 0.0, x), axis=0)
    filled = np.where(missing, medians, x)
    flags = missing[:, missing.any(axis=0)].astype(np.float64)
    return np.hstack([filled, flags])


def anomaly_scores(features: pd.DataFrame, *, seed: int = 0, n_estimators: int = 300) -> pd.Series:
    """Isolation-Forest anomaly score of every row of ``features`` (float columns by id)."""
    x = _prepare(features)
    forest = IsolationForest(n_estimators=n_estimators, random_state=seed, n_jobs=1).fit(x)
    raw = -forest.score_samples(x)  # about 0.5 for typical rows, towards 1 for isolated ones
    return pd.Series(np.clip(raw, 0.0, 1.0), index=features.index, name="anomaly_score")
