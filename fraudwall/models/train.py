"""Training and honest cross-validation of the fraud-number model.

One fit (:func:`_fit`) is: build the design matrix (features, plus graph blocks when a graph is
given), train LightGBM on the labelled rows, then fit Platt calibration and the decision
threshold on inner out-of-fold predictions of those same rows. :func:`cross_validate` runs that
whole fit inside each outer fold, with the held-out fold's labels hidden from everything —
neighbour label features included — and scores the held-out fold.

:func:`train_model` cross-validates (for the model card and, with ``graph="auto"``, to decide
whether the call graph earns its place), then fits on every labelled row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold

from fraudwall.errors import InputError
from fraudwall.models.calibrate import Platt, choose_threshold
from fraudwall.models.card import fingerprint, library_versions
from fraudwall.models.graph_features import BLOCKS, CallGraph, graph_features
from fraudwall.models.metrics import fold_metrics, summarise
from fraudwall.models.tabular import check_edges
from fraudwall.models.trained import TrainedModel, pseudonyms

#: LightGBM's own defaults: the baseline every variant is compared with.
DEFAULT_PARAMS: dict[str, Any] = {"num_boost_round": 100}
#: Slower learning, smaller trees, feature and row subsampling, randomised split thresholds
#: (extra trees: +0.0014 ROC-AUC, +0.0007 PR-AUC over 3 x 5 folds, F1 unchanged within noise,
#: and faster): chosen by cross-validation on the Sichuan labelled rows (docs/evaluation.md).
TUNED_PARAMS: dict[str, Any] = {
    "num_boost_round": 600,
    "learning_rate": 0.02,
    "num_leaves": 15,
    "min_data_in_leaf": 10,
    "feature_fraction": 0.5,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "extra_trees": True,
}
#: Graph blocks tried when a graph is given (see graph_features).
DEFAULT_GRAPH_BLOCKS = ("structure", "neighbour_labels")

Progress = Callable[[str], None]


@dataclass(frozen=True)
class ModelConfig:
    """How to train: LightGBM parameters, graph use, folds, threshold rule, explanations.

    ``graph`` is ``"auto"`` (use the graph blocks only if they beat the plain model under
    cross-validation by more than the fold-to-fold noise), ``"always"`` or ``"never"``; it only
    matters when edges are given.
    """

    params: dict[str, Any] = field(default_factory=lambda: dict(TUNED_PARAMS))
    graph_blocks: tuple[str, ...] = DEFAULT_GRAPH_BLOCKS
    graph: Literal["auto", "always", "never"] = "auto"
    cv_folds: int = 5
    inner_folds: int = 5
    precision_target: float | None = None
    #: resamples for a bootstrap-median best-F1 threshold (0: the arg-max of one sample)
    threshold_bootstrap: int = 0
    top_reasons: int = 3

    def __post_init__(self) -> None:
        unknown = set(self.graph_blocks) - set(BLOCKS)
        if unknown:
            raise ValueError(f"unknown graph blocks {sorted(unknown)}; known: {BLOCKS}")

    def steps(self, *, with_graph: bool) -> int:
        """Number of progress steps :func:`train_model` reports."""
        variants = 2 if with_graph and self.graph == "auto" and self.graph_blocks else 1
        return variants * self.cv_folds + 1


def lightgbm_params(params: dict[str, Any], seed: int) -> tuple[dict[str, Any], int]:
    """Full, deterministic LightGBM parameters and the number of rounds."""
    p = dict(params)
    rounds = int(p.pop("num_boost_round", 100))
    p.update(
        objective="binary",
        seed=seed,
        deterministic=True,
        force_col_wise=True,
        num_threads=1,  # fixed: results must not depend on the machine's core count
        verbosity=-1,
    )
    return p, rounds


@dataclass(frozen=True)
class _Fitted:
    booster: lgb.Booster
    platt: Platt
    threshold: float


def _design(
    features: pd.DataFrame,
    graph: CallGraph | None,
    blocks: tuple[str, ...],
    labels: pd.Series,
    *,
    oof_folds: int,
    seed: int,
) -> pd.DataFrame:
    """Model inputs for every row: features plus the graph blocks (labels known = ``labels``)."""
    if graph is None or not blocks:
        return features
    extra = graph_features(graph, features, blocks, labels=labels, oof_folds=oof_folds, seed=seed)
    return pd.concat([features, extra], axis=1)


def _booster(x: pd.DataFrame, y: np.ndarray, params: dict[str, Any], seed: int) -> lgb.Booster:
    p, rounds = lightgbm_params(params, seed)
    # positional names: any column name is allowed in the table, LightGBM's names are not free
    data = lgb.Dataset(
        x.to_numpy(dtype=np.float64),
        label=y,
        feature_name=[f"c{i}" for i in range(x.shape[1])],
        params=p,
        free_raw_data=True,
    )
    return lgb.train(p, data, num_boost_round=rounds)


def _fit(design: pd.DataFrame, labels: pd.Series, config: ModelConfig, seed: int) -> _Fitted:
    """Booster on all labelled rows; calibration and threshold from inner out-of-fold margins."""
    x = design.loc[labels.index]
    y = labels.to_numpy()
    margin = np.zeros(len(y))
    inner = StratifiedKFold(config.inner_folds, shuffle=True, random_state=seed)
    for fit_rows, held_rows in inner.split(np.zeros(len(y)), y):
        b = _booster(x.iloc[fit_rows], y[fit_rows], config.params, seed)
        margin[held_rows] = np.asarray(b.predict(x.iloc[held_rows].to_numpy(), raw_score=True))
    platt = Platt.fit(margin, y)
    threshold = choose_threshold(
        y,
        platt.apply(margin),
        precision_target=config.precision_target,
        bootstrap=config.threshold_bootstrap,
        seed=seed,
    )
    return _Fitted(_booster(x, y, config.params, seed), platt, threshold)


def cross_validate(
    features: pd.DataFrame,
    labels: pd.Series,
    graph: CallGraph | None,
    config: ModelConfig,
    *,
    blocks: tuple[str, ...],
    seed: int = 0,
    on_step: Progress | None = None,
) -> dict[str, Any]:
    """Stratified k-fold figures of the whole training procedure, per fold and mean ± sd.

    Everything label-dependent (neighbour labels, calibration, threshold) is fitted on the
    training folds only; the held-out fold's labels are used only to compute its figures.
    """
    y = labels.to_numpy()
    folds = []
    outer = StratifiedKFold(config.cv_folds, shuffle=True, random_state=seed)
    for k, (fit_rows, held_rows) in enumerate(outer.split(np.zeros(len(y)), y)):
        known = labels.iloc[fit_rows]
        design = _design(features, graph, blocks, known, oof_folds=config.inner_folds, seed=seed)
        fitted = _fit(design, known, config, seed)
        held = labels.index[held_rows]
        margin = np.asarray(fitted.booster.predict(design.loc[held].to_numpy(), raw_score=True))
        folds.append(fold_metrics(y[held_rows], fitted.platt.apply(margin), fitted.threshold))
        if on_step:
            on_step(f"cross-validation fold {k + 1}/{config.cv_folds}")
    return {"folds": folds, "summary": summarise(folds)}


def train_model(
    features: pd.DataFrame,
    labels: pd.Series,
    edges: pd.DataFrame | None = None,
    *,
    seed: int = 0,
    config: ModelConfig | None = None,
    on_step: Progress | None = None,
) -> TrainedModel:
    """Cross-validate, then train on every labelled row; return the model with its card.

    ``features``: float columns indexed by id (see :func:`fraudwall.models.check_features`);
    ``labels``: 0/1 by id, every id in ``features``; ``edges``: ``src, dst`` ids or ``None``.
    """
    config = config or ModelConfig()
    if not labels.index.isin(features.index).all():
        raise InputError("labelled ids missing from the feature table", field="id")
    if not labels.isin([0, 1]).all():
        raise InputError("labels must be 0 or 1", field="label")
    counts = np.bincount(labels.to_numpy().astype(int), minlength=2)
    if counts.min() < config.cv_folds:
        raise InputError(
            f"need at least {config.cv_folds} labelled numbers of each class, got "
            f"{counts[1]} fraud and {counts[0]} normal"
        )
    if edges is not None:
        edges = check_edges(edges, feature_ids=features.index, source="edges")
    graph = CallGraph.from_edges(edges, features.index) if edges is not None else None
    use_graph = graph is not None and config.graph != "never" and bool(config.graph_blocks)
    cv: dict[str, Any] = {}
    if not use_graph or config.graph == "auto":
        cv["features only"] = cross_validate(
            features, labels, None, config, blocks=(), seed=seed, on_step=on_step
        )
    if use_graph:
        cv["features + graph"] = cross_validate(
            features,
            labels,
            graph,
            config,
            blocks=config.graph_blocks,
            seed=seed,
            on_step=on_step,
        )
    blocks, choice = _choose(cv, config, use_graph, graph is not None)
    design = _design(
        features,
        graph if blocks else None,
        blocks,
        labels,
        oof_folds=config.inner_folds,
        seed=seed,
    )
    fitted = _fit(design, labels, config, seed)
    if on_step:
        on_step("final model")
    normal = labels.index[labels.to_numpy() == 0]
    card = {
        "format": 1,
        "model": "lightgbm",
        "features": list(features.columns),
        "design_columns": list(design.columns),
        "graph_blocks": list(blocks),
        "graph_choice": choice,
        "params": config.params,
        "seed": seed,
        "platt": {"a": fitted.platt.a, "b": fitted.platt.b},
        "threshold": fitted.threshold,
        "threshold_rule": (
            f"lowest with precision ≥ {config.precision_target}"
            if config.precision_target is not None
            else (
                f"median over {config.threshold_bootstrap} resamples of the threshold that "
                "maximises fraud-class F1 on out-of-fold training predictions"
            )
            if config.threshold_bootstrap
            else "maximises fraud-class F1 on out-of-fold training predictions"
        ),
        "top_reasons": config.top_reasons,
        # explanations compare a number with the typical normal number
        "typical": {c: _median(design.loc[normal, c]) for c in design.columns},
        "cv_folds": config.cv_folds,
        "cv": cv,
        "training": {
            "rows": len(labels),
            "fraud": int(labels.sum()),
            "fingerprint": fingerprint(
                features.loc[labels.index], labels, edges if blocks else None
            ),
        },
        "versions": library_versions(),
    }
    known = None
    if "neighbour_labels" in blocks:
        known = pd.Series(labels.to_numpy(), index=pseudonyms(labels.index), name="label")
    return TrainedModel(
        booster=fitted.booster,
        platt=fitted.platt,
        threshold=fitted.threshold,
        card=card,
        known_labels=known,
    )


def _median(values: pd.Series) -> float | None:
    m = values.median()
    return None if pd.isna(m) else float(m)


def _choose(
    cv: dict[str, Any], config: ModelConfig, use_graph: bool, has_graph: bool
) -> tuple[tuple[str, ...], str]:
    """Which variant to keep, and why (for the card)."""
    if not has_graph:
        return (), "no graph given"
    if not use_graph:
        return (), "graph not used (configuration)"
    if config.graph == "always":
        return config.graph_blocks, "graph always used (configuration)"
    # paired over the same folds: keep the graph only if its PR-AUC gain exceeds one standard
    # error of the fold-to-fold differences (a gain inside the noise is not worth the graph)
    plain = np.array([f["pr_auc"] for f in cv["features only"]["folds"]])
    graph = np.array([f["pr_auc"] for f in cv["features + graph"]["folds"]])
    gain = graph - plain
    se = float(gain.std(ddof=1) / np.sqrt(len(gain)))
    verdict = f"CV PR-AUC gain {gain.mean():+.4f} (standard error {se:.4f})"
    if gain.mean() > se:
        return config.graph_blocks, f"graph kept: {verdict}"
    return (), f"graph dropped: {verdict}"


def with_params(config: ModelConfig, **params: Any) -> ModelConfig:
    """A copy of ``config`` with LightGBM parameters overridden (e.g. fewer rounds in tests)."""
    return replace(config, params={**config.params, **params})
