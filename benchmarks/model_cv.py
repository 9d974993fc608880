"""Cross-validated figures of every model variant on a labelled feature table (docs/evaluation.md).

Runs the full training procedure of ``fraudwall.models`` (graph label features, calibration and
threshold fitted inside each fold) under stratified k-fold cross-validation on the labelled rows
only, for each variant, and the Isolation-Forest anomaly score's ROC-AUC on the same rows (it
never sees a label). Prints Markdown tables, and each variant's paired difference from the
tuned LightGBM with exact splits. ``--screen`` instead runs a quick ranking-only screen of
further candidate inputs and ensembles (none of them is in fraudwall).

    nice -n 10 .venv/bin/python benchmarks/model_cv.py --data ../shared/data/sichuan
    nice -n 10 .venv/bin/python benchmarks/model_cv.py --data ../shared/data/sichuan --screen
    nice -n 10 .venv/bin/python benchmarks/model_cv.py --data ../shared/data/sichuan --misses
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.linalg import svds
from scipy.stats import rankdata
from sichuan_cv import Sichuan, cv_parser
from sklearn.ensemble import ExtraTreesClassifier, HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import QuantileTransformer

from fraudwall.models import (
    DEFAULT_PARAMS,
    TUNED_PARAMS,
    ModelConfig,
    anomaly_scores,
    cross_validate,
)
from fraudwall.models.graph_features import CallGraph, neighbour_label_features
from fraudwall.models.metrics import METRICS, summarise
from fraudwall.models.train import _booster, _fit

#: The tuned parameters with LightGBM's exact split search: the default before extra trees, and
#: the reference of the ``--screen`` table.
EXACT_PARAMS = {**TUNED_PARAMS, "extra_trees": False}
#: name -> (LightGBM parameters, graph blocks)
VARIANTS: dict[str, tuple[dict, tuple[str, ...]]] = {
    "baseline: default LightGBM, 55 features": (DEFAULT_PARAMS, ()),
    "default LightGBM + structure + neighbour labels": (
        DEFAULT_PARAMS,
        ("structure", "neighbour_labels"),
    ),
    "tuned LightGBM, exact splits (previous default)": (EXACT_PARAMS, ()),
    "tuned LightGBM": (TUNED_PARAMS, ()),
    "tuned + graph structure": (TUNED_PARAMS, ("structure",)),
    "tuned + structure + neighbour feature means": (
        TUNED_PARAMS,
        ("structure", "neighbour_mean"),
    ),
    "tuned + structure + OOF neighbour labels": (
        TUNED_PARAMS,
        ("structure", "neighbour_labels"),
    ),
    "tuned + all graph blocks": (
        TUNED_PARAMS,
        ("structure", "neighbour_mean", "neighbour_labels"),
    ),
}


def graph_summary(graph: CallGraph, labels: pd.Series, *, seed: int) -> None:
    """How much the call graph says about labels on its own (homophily, neighbour-label AUC)."""
    pos = graph.ids.get_indexer(labels.index)
    coo = sp.triu(graph.undirected, k=1).tocoo()
    cls = np.full(len(graph.ids), -1)
    cls[pos] = labels.to_numpy()
    a, b = cls[coo.row], cls[coo.col]
    both = (a >= 0) & (b >= 0)
    fraud_pairs = int(((a == 1) & (b == 1) & both).sum())
    mixed = int(((a != b) & both).sum())
    print(
        f"graph: {coo.nnz} undirected contact pairs, {int((graph.degree == 0).sum())} numbers "
        f"without contacts; of the {int(both.sum())} pairs between two labelled numbers "
        f"{fraud_pairs} join two fraud numbers, {mixed} join fraud and normal"
    )
    shares = neighbour_label_features(graph, labels, oof_folds=5, seed=seed).iloc[pos]
    y = labels.to_numpy()
    print(
        "neighbour labels alone (out of fold, 5 folds), ROC-AUC of the fraud share of known "
        f"contacts {roc_auc_score(y, shares['g_fraud_share']):.4f}, two hops "
        f"{roc_auc_score(y, shares['g_fraud_share_2hop']):.4f}\n"
    )


def missed_summary(
    features: pd.DataFrame, labels: pd.Series, graph: CallGraph, *, folds: int, seed: int
) -> None:
    """What the fraud numbers the kept model misses look like, next to those it finds.

    The kept procedure (tuned LightGBM, calibration, F1 threshold) decides each held-out fold;
    then, per group, the median number of contacts and the mean fraud share among a number's
    labelled contacts (its own label is never among them: the graph has no self-loops).
    """
    y = labels.to_numpy()
    decided = np.zeros(len(y), dtype=bool)
    config = ModelConfig(cv_folds=folds)
    outer = StratifiedKFold(folds, shuffle=True, random_state=seed)
    for fit_rows, held_rows in outer.split(np.zeros(len(y)), y):
        fitted = _fit(features, labels.iloc[fit_rows], config, seed)
        held = features.loc[labels.index[held_rows]].to_numpy()
        p = fitted.platt.apply(np.asarray(fitted.booster.predict(held, raw_score=True)))
        decided[held_rows] = p >= fitted.threshold
    pos = graph.ids.get_indexer(labels.index)
    known, fraud = np.zeros(len(graph.ids)), np.zeros(len(graph.ids))
    known[pos], fraud[pos] = 1.0, y
    n_known, n_fraud = graph.undirected @ known, graph.undirected @ fraud
    share = np.divide(n_fraud, n_known, out=np.full(len(known), np.nan), where=n_known > 0)[pos]
    contacts = graph.degree[pos]
    groups = {
        "fraud, found": (y == 1) & decided,
        "fraud, missed": (y == 1) & ~decided,
        "normal, flagged": (y == 0) & decided,
        "normal, passed": (y == 0) & ~decided,
    }
    print("| numbers | count | median contacts | fraud share of labelled contacts |")
    print("|---|---|---|---|")
    for name, rows in groups.items():
        print(
            f"| {name} | {int(rows.sum())} | {np.median(contacts[rows]):.0f} | "
            f"{np.nanmean(share[rows]):.3f} |"
        )


# --- quick screen of candidate inputs and ensembles (``--screen``) -------------------------------
# One tuned booster per outer fold, no calibration or threshold: ranking figures only, paired
# with the tuned LightGBM on the same folds. Candidates that do not move ROC-AUC / PR-AUC here by
# more than a standard error are not worth the full procedure; none of them is in fraudwall.


def _signed_log(x: np.ndarray) -> np.ndarray:
    return np.sign(x) * np.log1p(np.abs(x))


def _mean_over(m: sp.csr_matrix, x: np.ndarray) -> np.ndarray:
    """Mean of ``x`` over each row's neighbours in ``m`` (missing values skipped)."""
    present = ~np.isnan(x)
    total = m @ np.where(present, x, 0.0)
    count = m @ present.astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / count, np.nan)


def _frame(values: np.ndarray, ids: pd.Index, prefix: str) -> pd.DataFrame:
    return pd.DataFrame(values, index=ids, columns=[f"{prefix}{i}" for i in range(values.shape[1])])


def _sym_normalised(u: sp.csr_matrix) -> sp.csr_matrix:
    d = np.asarray(u.sum(axis=1)).ravel()
    d[d == 0] = 1.0
    return (sp.diags(d**-0.5) @ u @ sp.diags(d**-0.5)).tocsr()


def _ratios(f: pd.DataFrame) -> pd.DataFrame:
    """Hand-made ratios of the Sichuan features (per active day / month, shares, concentration)."""
    one = 1.0
    return pd.DataFrame(
        {
            "calls_per_day": f.opposite_count / (f.voc_day_nunique + one),
            "distinct_share": f.opposite_unique / (f.opposite_count + one),
            "outgoing_share": f.voccalltype1 / (f.opposite_count + one),
            "distinct_per_outgoing": f.opposite_unique / (f.voccalltype1 + one),
            "talk_total": f.call_dur_mean * f.opposite_count,
            "sms_per_call": f.sms_count / (f.opposite_count + one),
            "sms_distinct_share": f.sms_nunique / (f.sms_count + one),
            "imeis_per_month": f.imeis / (f.month_ids + one),
            "flow_per_month": f.flow_sum / (f.month_ids + one),
            "arpu_per_month": f.arpu_sum / (f.month_ids + one),
            "calls_per_month": f.opposite_count / (f.month_ids + one),
            "peak_hour_share": f.voc_hour_mode_count / (f.opposite_count + one),
            "peak_day_share": f.voc_day_mode_count / (f.opposite_count + one),
            "counties_per_contact": f.county_name_nunique / (f.opposite_unique + one),
            "duration_median_over_mean": f.call_dur_median / (f.call_dur_mean + one),
            "top_contact_share": f.phone2opposite_max / (f.opposite_count + one),
            "business_per_month": f.busi_count / (f.month_ids + one),
            "night_peak": ((f.voc_hour_mode < 7) | (f.voc_hour_mode > 21)).astype(float),
        },
        index=f.index,
    )


def _directional(graph: CallGraph, x: np.ndarray) -> pd.DataFrame:
    """Feature means over numbers called and over numbers calling in, separately; reciprocity."""
    a = graph.directed
    extra = pd.DataFrame(
        {
            "out_contacts": np.asarray(a.sum(axis=1)).ravel(),
            "in_contacts": np.asarray(a.sum(axis=0)).ravel(),
            "mutual_contacts": np.asarray(a.multiply(a.T).sum(axis=1)).ravel(),
        },
        index=graph.ids,
    )
    out_mean = _frame(_mean_over(a, x), graph.ids, "out_mean_")
    in_mean = _frame(_mean_over(a.T.tocsr(), x), graph.ids, "in_mean_")
    return pd.concat([out_mean, in_mean, extra], axis=1)


def _two_hop(graph: CallGraph, x: np.ndarray) -> pd.DataFrame:
    """SIGN-style propagation: mean over contacts (A·X) and over contacts' contacts (A²·X)."""
    one = _mean_over(graph.undirected, x)
    filled = np.where(np.isnan(one), np.nanmean(one, axis=0), one)
    two = _mean_over(graph.undirected, filled)
    return pd.concat([_frame(one, graph.ids, "hop1_"), _frame(two, graph.ids, "hop2_")], axis=1)


def _spectral(graph: CallGraph, k: int = 16) -> pd.DataFrame:
    """Top-k singular vectors (scaled) of the degree-normalised undirected adjacency."""
    u, s, _ = svds(_sym_normalised(graph.undirected), k=k, random_state=0)
    order = np.argsort(-s)
    return _frame(u[:, order] * s[order], graph.ids, "spectral_")


def _directed_svd(graph: CallGraph, k: int = 16) -> pd.DataFrame:
    """Top-k left and right singular vectors of the directed adjacency (caller / callee roles)."""
    u, s, vt = svds(graph.directed, k=k, random_state=0)
    order = np.argsort(-s)
    return pd.concat(
        [
            _frame(u[:, order] * s[order], graph.ids, "svd_out_"),
            _frame(vt[order].T * s[order], graph.ids, "svd_in_"),
        ],
        axis=1,
    )


def _ppr_shares(graph: CallGraph, pos: np.ndarray, y: np.ndarray, seed: int) -> pd.DataFrame:
    """Personalised PageRank from known fraud and known normal numbers over the whole graph.

    Transductive (walks pass through unlabelled numbers); the labelled rows get it out of fold,
    so no number's own label seeds its value.
    """
    s = _sym_normalised(graph.undirected)
    n = len(graph.ids)

    def walk(p_rows: np.ndarray, p_y: np.ndarray) -> np.ndarray:
        seeds = np.zeros((n, 2))
        seeds[p_rows[p_y == 1], 0] = 1.0
        seeds[p_rows[p_y == 0], 1] = 1.0
        seeds /= seeds.sum(axis=0, keepdims=True)
        p = seeds.copy()
        for _ in range(30):  # power iterations, restart probability 0.15
            p = 0.85 * (s @ p) + 0.15 * seeds
        prior = p_y.mean()
        fraud, normal = p[:, 0] * prior, p[:, 1] * (1 - prior)
        return np.column_stack([fraud / np.maximum(fraud + normal, 1e-300), np.log(p + 1e-12)])

    out = walk(pos, y)
    for fit_rows, held_rows in StratifiedKFold(5, shuffle=True, random_state=seed).split(pos, y):
        out[pos[held_rows]] = walk(pos[fit_rows], y[fit_rows])[pos[held_rows]]
    return pd.DataFrame(out, index=graph.ids, columns=["ppr_share", "ppr_fraud", "ppr_normal"])


def _smoothed(
    graph: CallGraph, scores: np.ndarray, pos: np.ndarray, y: np.ndarray, alpha: float = 0.2
) -> np.ndarray:
    """The "smooth" step of Correct & Smooth (Huang et al., 2021): every number's score
    diffused over D^-½AD^-½ with the training numbers clamped to their labels."""
    s = _sym_normalised(graph.undirected)
    start = scores.copy()
    start[pos] = y
    g = start.copy()
    for _ in range(30):
        g = (1 - alpha) * start + alpha * (s @ g)
        g[pos] = y
    return g


def _other_learner(kind: str, seed: int) -> Any:
    """The second model of a rank average (it sees signed-log features, see _screen_scores)."""
    if "ExtraTrees" in kind:
        return ExtraTreesClassifier(
            500, min_samples_leaf=2, max_features=0.3, n_jobs=1, random_state=seed
        )
    if "HistGradientBoosting" in kind:
        return HistGradientBoostingClassifier(
            learning_rate=0.03,
            max_iter=600,
            max_leaf_nodes=15,
            l2_regularization=1.0,
            random_state=seed,
        )
    scaled = QuantileTransformer(n_quantiles=200, output_distribution="normal")
    if "kNN" in kind:
        return make_pipeline(scaled, KNeighborsClassifier(15, weights="distance"))
    return make_pipeline(scaled, LogisticRegression(C=0.3, max_iter=2000))


def _screen_scores(
    kind: str,
    design: pd.DataFrame,
    pos: np.ndarray,
    y: np.ndarray,
    fit: np.ndarray,
    held: np.ndarray,
    seed: int,
    graph: CallGraph,
) -> np.ndarray:
    """Held-out ranking scores of one screened candidate on one outer fold."""
    x_fit, x_held = design.iloc[pos[fit]], design.iloc[pos[held]].to_numpy()
    if kind == "correct & smooth":
        everyone = _booster(x_fit, y[fit], EXACT_PARAMS, seed).predict(design.to_numpy())
        return _smoothed(graph, everyone, pos[fit], y[fit])[pos[held]]
    if kind == "self-training":
        # pseudo-label the unlabelled numbers the first model is sure of, refit with them
        unlabelled = np.setdiff1d(np.arange(len(design)), pos)
        first = _booster(x_fit, y[fit], EXACT_PARAMS, seed)
        p = first.predict(design.iloc[unlabelled].to_numpy())
        sure = (p > 0.95) | (p < 0.05)
        rows = np.concatenate([pos[fit], unlabelled[sure]])
        y_all = np.concatenate([y[fit], (p[sure] > 0.5).astype(float)])
        return _booster(design.iloc[rows], y_all, EXACT_PARAMS, seed).predict(x_held)
    params = TUNED_PARAMS if kind.startswith("extra-trees splits") else EXACT_PARAMS
    scores = [rankdata(_booster(x_fit, y[fit], params, seed).predict(x_held))]
    if "rank average" in kind:
        # other learners see signed-log features, missing as 0 plus a missingness flag
        xl = _signed_log(design.to_numpy(dtype=np.float64))
        xl = np.column_stack([np.nan_to_num(xl), np.isnan(xl)])
        other = _other_learner(kind, seed)
        other.fit(xl[pos[fit]], y[fit])
        scores.append(rankdata(other.predict_proba(xl[pos[held]])[:, 1]))
    return np.mean(scores, axis=0)


def screen(
    features: pd.DataFrame,
    labels: pd.Series,
    graph: CallGraph,
    *,
    folds: int,
    seeds: list[int],
    only: str | None = None,
) -> None:
    """Print the quick-screen table: each candidate's ROC-AUC / PR-AUC gain over tuned LightGBM."""
    x = _signed_log(features.to_numpy(dtype=np.float64))
    pos = features.index.get_indexer(labels.index)
    y = labels.to_numpy()
    static = {
        "feature ratios": lambda: _ratios(features),
        "directional neighbour means": lambda: _directional(graph, x),
        "two-hop means (A·X, A²·X)": lambda: _two_hop(graph, x),
        "spectral embedding, 16": lambda: _spectral(graph),
        "directed SVD, 16 + 16": lambda: _directed_svd(graph),
    }
    candidates = [*static, "PPR label shares", "self-training", "extra-trees splits"]
    candidates += ["rank average with logistic regression", "rank average with ExtraTrees"]
    candidates += [
        "rank average with HistGradientBoosting",
        "rank average with kNN",
        "correct & smooth",
        "extra-trees splits, rank average with ExtraTrees",
    ]
    if only:
        candidates = [c for c in candidates if only in c]
    print("| candidate | ROC-AUC | PR-AUC | ΔROC-AUC ± se | ΔPR-AUC ± se | seconds |")
    print("|---|---|---|---|---|---|")
    base: list[tuple[float, float]] = []
    for name in ["tuned LightGBM, exact splits", *candidates]:
        t0 = time.perf_counter()
        extra = static[name]() if name in static else None
        design = features if extra is None else pd.concat([features, extra], axis=1)
        rows = []
        for seed in seeds:
            outer = StratifiedKFold(folds, shuffle=True, random_state=seed)
            for fit, held in outer.split(np.zeros(len(y)), y):
                fold_design = design
                if name == "PPR label shares":
                    ppr = _ppr_shares(graph, pos[fit], y[fit], seed)
                    fold_design = pd.concat([features, ppr], axis=1)
                p = _screen_scores(name, fold_design, pos, y, fit, held, seed, graph)
                rows.append((roc_auc_score(y[held], p), average_precision_score(y[held], p)))
        r = np.array(rows)
        if not base:
            base = rows
        d = r - np.array(base)
        se = d.std(axis=0, ddof=1) / np.sqrt(len(d))
        print(
            f"| {name} | {r[:, 0].mean():.4f} ± {r[:, 0].std(ddof=1):.4f} | "
            f"{r[:, 1].mean():.4f} ± {r[:, 1].std(ddof=1):.4f} | "
            f"{d[:, 0].mean():+.4f} ± {se[0]:.4f} | {d[:, 1].mean():+.4f} ± {se[1]:.4f} | "
            f"{time.perf_counter() - t0:.0f} |",
            flush=True,
        )


def paired_differences(per_variant: dict[str, list[dict]], *, reference: str) -> None:
    """Each variant minus ``reference`` on the same folds: mean ± standard error of the mean."""
    if reference not in per_variant or len(per_variant) < 2:
        return
    shown = ("f1", "roc_auc", "pr_auc")
    print(f"\npaired differences against {reference} on the same folds (mean ± standard error)\n")
    print("| variant | " + " | ".join(f"Δ{m}" for m in shown) + " |")
    print("|---" * (len(shown) + 1) + "|")
    ref = per_variant[reference]
    for name, folds in per_variant.items():
        if name == reference:
            continue
        cells = []
        for m in shown:
            d = np.array([f[m] for f in folds]) - np.array([f[m] for f in ref])
            cells.append(f"{d.mean():+.4f} ± {d.std(ddof=1) / np.sqrt(len(d)):.4f}")
        print(f"| {name} | " + " | ".join(cells) + " |")


def main() -> None:
    ap = cv_parser(__doc__.splitlines()[0])
    ap.add_argument(
        "--only", help="run only variants (or screened candidates) whose name contains this text"
    )
    ap.add_argument(
        "--screen",
        action="store_true",
        help="instead: quick ranking screen of candidate inputs and ensembles (no calibration)",
    )
    ap.add_argument(
        "--misses",
        action="store_true",
        help="instead: how the fraud numbers the kept model misses differ from those it finds",
    )
    args = ap.parse_args()

    data = Sichuan.read(args.data)
    data.print_header(args, threads="LightGBM num_threads=1")
    features, labels, graph = data.features, data.labels, data.graph
    if args.misses:
        missed_summary(features, labels, graph, folds=args.folds, seed=args.seed)
        return
    if args.screen:
        seeds = list(range(args.seed, args.seed + args.repeats))
        screen(features, labels, graph, folds=args.folds, seeds=seeds, only=args.only)
        return
    graph_summary(graph, labels, seed=args.seed)
    header = "| variant | " + " | ".join(METRICS) + " | seconds |"
    print(header)
    print("|---" * (len(METRICS) + 2) + "|")
    per_variant: dict[str, list[dict]] = {}
    for name, (params, blocks) in VARIANTS.items():
        if args.only and args.only not in name:
            continue
        config = ModelConfig(params=dict(params), graph_blocks=blocks, cv_folds=args.folds)
        t0 = time.perf_counter()
        folds = []
        for r in range(args.repeats):
            cv = cross_validate(
                features,
                labels,
                graph if blocks else None,
                config,
                blocks=blocks,
                seed=args.seed + r,
            )
            folds += cv["folds"]
        s = summarise(folds)
        cells = " | ".join(f"{s[m]['mean']:.4f} ± {s[m]['sd']:.4f}" for m in METRICS)
        print(f"| {name} | {cells} | {time.perf_counter() - t0:.0f} |", flush=True)
        per_variant[name] = folds
    paired_differences(per_variant, reference="tuned LightGBM, exact splits (previous default)")

    t0 = time.perf_counter()
    anomaly = anomaly_scores(features, seed=args.seed).loc[labels.index].to_numpy()
    y = labels.to_numpy()
    print(
        f"\nIsolation Forest (no labels), all {len(features)} numbers, evaluated on the "
        f"{len(labels)} labelled: ROC-AUC {roc_auc_score(y, anomaly):.4f}, "
        f"PR-AUC {average_precision_score(y, anomaly):.4f} (fraud share {np.mean(y):.3f}), "
        f"{time.perf_counter() - t0:.0f} s"
    )


if __name__ == "__main__":
    main()
