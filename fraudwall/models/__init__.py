"""Supervised and unsupervised learners for fraud numbers (train, score, save, load).

The Python API works on any per-number feature table, in memory:

* ``features`` — a :class:`pandas.DataFrame` of numeric columns indexed by number id
  (:func:`check_features` turns a raw frame with an id column into one; :func:`read_features`
  reads a CSV or Parquet file);
* ``labels`` — a :class:`pandas.Series` of 0/1 indexed by id (:func:`check_labels`,
  :func:`read_labels`);
* ``edges`` — an optional call graph, a frame with ``src, dst`` ids (:func:`check_edges`,
  :func:`read_edges`).

Then::

    model = train_model(features, labels, edges, seed=0)  # cross-validates, then fits
    scores = model.score(features, edges)  # DataFrame: id, score, label, reasons
    model.save("MODEL_DIR")
    model = load_model("MODEL_DIR")
    anomaly = anomaly_scores(features)  # Series in [0, 1], no labels needed

``score`` is the calibrated probability of fraud, ``label`` the decision at the threshold chosen
by cross-validation, ``reasons`` the features that pushed the score up. ``model.card`` holds the
cross-validated figures, threshold, training-data fingerprint and library versions.
"""

from fraudwall.models.anomaly import anomaly_scores
from fraudwall.models.tabular import (
    check_edges,
    check_features,
    check_labels,
    read_edges,
    read_features,
    read_labels,
)
from fraudwall.models.train import (
    DEFAULT_PARAMS,
    TUNED_PARAMS,
    ModelConfig,
    cross_validate,
    train_model,
    with_params,
)
from fraudwall.models.trained import TrainedModel, load_model

__all__ = [
    "DEFAULT_PARAMS",
    "TUNED_PARAMS",
    "ModelConfig",
    "TrainedModel",
    "anomaly_scores",
    "check_edges",
    "check_features",
    "check_labels",
    "cross_validate",
    "load_model",
    "read_edges",
    "read_features",
    "read_labels",
    "train_model",
    "with_params",
]
