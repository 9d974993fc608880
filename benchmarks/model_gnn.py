"""Transductive graph neural networks against the tuned LightGBM, on the same CV folds.

Per outer fold of a stratified k-fold CV over the labelled rows, each network is trained on the
whole call graph at once (transductive: every number and every call is visible, only the
training fold's labels are): an MLP without the graph as a control, GraphSAGE with separate mean
aggregation over the numbers called and the numbers calling in, GraphSAGE with the "label trick"
(known training labels as two extra input channels), and, opt-in because it takes about a
quarter of an hour, GAT with the label trick. ``--cs ALPHA`` adds Correct & Smooth on top of the
label-trick GraphSAGE. The tuned LightGBM (``TUNED_PARAMS``) is fitted in the same run on the
same folds; each network is reported with its paired difference from it, and as a 50/50 blend
of the two models' ranks within the held-out fold. Ranking figures only (no calibration or
threshold); none of these models is in fraudwall.

PyTorch is not a fraudwall dependency: install it into the environment that runs this script,
``pip install torch==2.15.0`` (the version it was run with).

    nice -n 10 .venv/bin/python benchmarks/model_gnn.py --data ../shared/data/sichuan
    nice -n 10 .venv/bin/python benchmarks/model_gnn.py --data ../shared/data/sichuan \\
        --models sage_lt,gat_lt --cs 0.5
"""

from __future__ import annotations

import sys
import time
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.stats import rankdata
from sichuan_cv import Sichuan, cv_parser
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold, train_test_split

from fraudwall.models import TUNED_PARAMS
from fraudwall.models.graph_features import CallGraph
from fraudwall.models.train import _booster

try:
    import torch
    import torch.nn.functional as F
    from torch import nn
except ImportError:
    sys.exit(
        "benchmarks/model_gnn.py needs PyTorch, which is not a fraudwall dependency; "
        "install it into this environment: pip install torch==2.15.0"
    )

# torch warns on every use of sparse CSR tensors that their support is in beta
warnings.filterwarnings("ignore", message="Sparse CSR tensor support is in beta")

WEIGHT_DECAY = 5e-4
DROPOUT = 0.3
#: Share of the labelled training rows kept aside for early stopping.
INNER_VALIDATION = 0.15
#: Share of the inner-training labels hidden from the input each epoch (label trick).
HIDE_RATE = 0.5


@dataclass(frozen=True)
class Spec:
    """Architecture and training schedule of one network."""

    arch: str
    label_trick: bool = False
    hidden: int = 128
    lr: float = 3e-3
    epochs: int = 400
    patience: int = 60


MODELS = {
    "mlp": Spec("mlp"),
    "sage": Spec("sage"),
    "sage_lt": Spec("sage", label_trick=True),
    "gat_lt": Spec("gat", label_trick=True, hidden=32, lr=5e-3, epochs=200, patience=30),
}


@dataclass(frozen=True)
class GraphTensors:
    """The call graph as the networks use it."""

    n: int
    out_mean: torch.Tensor  # row-normalised adjacency: mean over the numbers called
    in_mean: torch.Tensor  # mean over the numbers calling in
    edges: torch.Tensor  # 2 x E undirected edges (row 0 receives from row 1), for attention

    @classmethod
    def from_graph(cls, graph: CallGraph) -> GraphTensors:
        """Build from a fraudwall call graph."""
        u = graph.undirected.tocoo()
        return cls(
            n=len(graph.ids),
            out_mean=_mean_operator(graph.directed),
            in_mean=_mean_operator(graph.directed.T.tocsr()),
            edges=torch.tensor(np.vstack([u.row, u.col]), dtype=torch.long),
        )


def _mean_operator(a: sp.csr_matrix) -> torch.Tensor:
    """Sparse CSR tensor of ``a`` with rows divided by their sums (zero rows stay zero)."""
    deg = np.asarray(a.sum(axis=1)).ravel()
    deg[deg == 0] = 1.0
    m = (sp.diags(1.0 / deg) @ a).tocoo()
    indices = np.vstack([m.row, m.col])
    # checking the indices once is cheap, and torch warns when it is not told either way
    t = torch.sparse_coo_tensor(indices, m.data.astype(np.float32), m.shape, check_invariants=True)
    return t.coalesce().to_sparse_csr()


def node_inputs(features: pd.DataFrame, graph: CallGraph, *, degrees: bool) -> torch.Tensor:
    """Standardised inputs of every number: signed-log features, missing as 0 plus a flag per
    column with gaps, and (``degrees``) log out-, in- and total contact counts."""
    x = features.to_numpy(dtype=np.float64)
    missing = np.isnan(x)
    x = np.sign(x) * np.log1p(np.abs(x))
    x[missing] = 0.0
    blocks = [x, missing[:, missing.any(axis=0)].astype(np.float64)]
    if degrees:
        d_out = np.asarray(graph.directed.sum(axis=1)).ravel()
        d_in = np.asarray(graph.directed.sum(axis=0)).ravel()
        blocks.append(np.log1p(np.column_stack([d_out, d_in, d_out + d_in])))
    x = np.hstack(blocks)
    # over all numbers, labelled or not: uses no label
    x = (x - x.mean(axis=0)) / (x.std(axis=0) + 1e-8)
    return torch.tensor(x, dtype=torch.float32)


class MLP(nn.Module):
    """Two hidden layers, no graph (``graph`` is ignored): the control for what the graph adds."""

    def __init__(self, fin: int, hidden: int, graph: GraphTensors) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(fin, hidden),
            nn.LayerNorm(hidden),
            nn.ReLU(),
            nn.Dropout(DROPOUT),
            nn.Linear(hidden, hidden),
            nn.LayerNorm(hidden),
            nn.ReLU(),
            nn.Dropout(DROPOUT),
            nn.Linear(hidden, 1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logit of every number."""
        return self.net(F.dropout(x, DROPOUT / 2, self.training)).squeeze(-1)


class SAGELayer(nn.Module):
    """ReLU(LayerNorm(W0·x ‖ Wout·mean over called ‖ Win·mean over callers)).

    Calling and being called are kept apart: fraud numbers call out far more than they are
    called.
    """

    def __init__(self, fin: int, hidden: int, graph: GraphTensors) -> None:
        super().__init__()
        self.root = nn.Linear(fin, hidden)
        self.out_nbrs = nn.Linear(fin, hidden, bias=False)
        self.in_nbrs = nn.Linear(fin, hidden, bias=False)
        self.norm = nn.LayerNorm(3 * hidden)
        self.graph = graph

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Hidden state of every number (3 x hidden wide)."""
        parts = [
            self.root(x),
            self.out_nbrs(self.graph.out_mean @ x),
            self.in_nbrs(self.graph.in_mean @ x),
        ]
        return F.relu(self.norm(torch.cat(parts, dim=-1)))


class SAGE(nn.Module):
    """Two directed GraphSAGE layers; the output sees the input and every layer (skip concat)."""

    def __init__(self, fin: int, hidden: int, graph: GraphTensors, layers: int = 2) -> None:
        super().__init__()
        self.layers = nn.ModuleList(
            [SAGELayer(fin if i == 0 else 3 * hidden, hidden, graph) for i in range(layers)]
        )
        self.out = nn.Linear(3 * hidden * layers + fin, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logit of every number."""
        h = F.dropout(x, DROPOUT / 2, self.training)
        states = [h]
        for layer in self.layers:
            h = F.dropout(layer(h), DROPOUT, self.training)
            states.append(h)
        return self.out(torch.cat(states, dim=-1)).squeeze(-1)


class GATLayer(nn.Module):
    """Multi-head graph attention over undirected contacts, plus a self term, LayerNorm, ELU."""

    def __init__(self, fin: int, width: int, heads: int, graph: GraphTensors) -> None:
        super().__init__()
        self.proj = nn.Linear(fin, width * heads, bias=False)
        self.root = nn.Linear(fin, width * heads)
        self.att_src = nn.Parameter(torch.randn(heads, width) * 0.1)
        self.att_dst = nn.Parameter(torch.randn(heads, width) * 0.1)
        self.heads, self.width = heads, width
        self.norm = nn.LayerNorm(width * heads)
        self.graph = graph

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Hidden state of every number (heads x width wide)."""
        n, dst, src = self.graph.n, self.graph.edges[0], self.graph.edges[1]
        z = self.proj(x).view(-1, self.heads, self.width)
        score = (z * self.att_src).sum(-1)[src] + (z * self.att_dst).sum(-1)[dst]
        score = F.leaky_relu(score, 0.2)
        # softmax over each number's contacts; one global shift keeps exp() finite
        w = torch.exp(score - score.max())
        den = torch.zeros(n, self.heads).index_add_(0, dst, w) + 1e-16
        msg = torch.zeros(n, self.heads, self.width).index_add_(0, dst, w.unsqueeze(-1) * z[src])
        agg = (msg / den.unsqueeze(-1)).reshape(n, -1)
        return F.elu(self.norm(agg + self.root(x)))


class GAT(nn.Module):
    """Two 4-head attention layers; the output sees the input and both layers (skip concat)."""

    def __init__(self, fin: int, hidden: int, graph: GraphTensors, heads: int = 4) -> None:
        super().__init__()
        self.first = GATLayer(fin, hidden // heads, heads, graph)
        self.second = GATLayer(hidden, hidden // heads, heads, graph)
        self.out = nn.Linear(fin + 2 * hidden, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logit of every number."""
        x = F.dropout(x, DROPOUT / 2, self.training)
        h1 = F.dropout(self.first(x), DROPOUT, self.training)
        h2 = F.dropout(self.second(h1), DROPOUT, self.training)
        return self.out(torch.cat([x, h1, h2], dim=-1)).squeeze(-1)


ARCHITECTURES: dict[str, type[nn.Module]] = {"mlp": MLP, "sage": SAGE, "gat": GAT}


def label_channels(n: int, rows: np.ndarray, labels: np.ndarray) -> torch.Tensor:
    """Two input channels, known fraud and known normal; zero where the label is not given.

    Mean aggregation of them gives each number the fraud and normal shares of its contacts.
    """
    channels = torch.zeros(n, 2)
    fraud = torch.tensor(labels, dtype=torch.float32)
    channels[rows, 0] = fraud
    channels[rows, 1] = 1 - fraud
    return channels


def fit_predict(
    spec: Spec,
    x: torch.Tensor,
    graph: GraphTensors,
    pos: np.ndarray,
    y: np.ndarray,
    fit: np.ndarray,
    seed: int,
) -> np.ndarray:
    """Train on the labelled rows ``fit``; return the logit of every number.

    ``pos`` maps labelled rows to graph nodes. Early stopping on the ROC-AUC of an inner
    stratified validation split, restoring the best epoch's weights.
    """
    torch.manual_seed(seed)
    rng = np.random.RandomState(seed)
    inner, val = train_test_split(
        fit, test_size=INNER_VALIDATION, stratify=y[fit], random_state=seed
    )
    nodes, y_inner = pos[inner], torch.tensor(y[inner], dtype=torch.float32)
    fin = x.shape[1] + (2 if spec.label_trick else 0)
    model = ARCHITECTURES[spec.arch](fin, spec.hidden, graph)
    opt = torch.optim.Adam(model.parameters(), lr=spec.lr, weight_decay=WEIGHT_DECAY)
    prior = y[inner].mean()
    pos_weight = torch.tensor((1 - prior) / prior, dtype=torch.float32)
    # validation sees every inner-training label, as the held-out fold later sees all of ``fit``
    x_val = torch.cat([x, label_channels(graph.n, nodes, y[inner])], 1) if spec.label_trick else x
    best, best_state, stale = -1.0, None, 0
    for _ in range(spec.epochs):
        model.train()
        opt.zero_grad()
        if spec.label_trick:
            # the loss is on the hidden labels only, so a number never sees its own label
            hidden = rng.rand(len(nodes)) < HIDE_RATE
            shown = label_channels(graph.n, nodes[~hidden], y[inner][~hidden])
            logits = model(torch.cat([x, shown], 1))
            target_nodes, target = nodes[hidden], y_inner[torch.from_numpy(hidden)]
        else:
            logits = model(x)
            target_nodes, target = nodes, y_inner
        loss = F.binary_cross_entropy_with_logits(
            logits[target_nodes], target, pos_weight=pos_weight
        )
        loss.backward()
        opt.step()
        model.eval()
        with torch.no_grad():
            auc = roc_auc_score(y[val], model(x_val)[pos[val]].numpy())
        if auc > best + 1e-5:
            best, stale = auc, 0
            best_state = {k: v.clone() for k, v in model.state_dict().items()}
        else:
            stale += 1
            if stale >= spec.patience:
                break
    assert best_state is not None  # the first epoch always improves on -1
    model.load_state_dict(best_state)
    model.eval()
    with torch.no_grad():
        x_all = x
        if spec.label_trick:
            x_all = torch.cat([x, label_channels(graph.n, pos[fit], y[fit])], 1)
        return model(x_all).numpy().astype(np.float64)


def correct_and_smooth(
    u: sp.csr_matrix, logits: np.ndarray, known: np.ndarray, y_known: np.ndarray, alpha: float
) -> np.ndarray:
    """Correct & Smooth (Huang et al., 2021) over the undirected graph, error scale fixed at 1.

    Propagates the residuals of the ``known`` (training) nodes, then the corrected
    probabilities with the known nodes clamped to their labels; 50 iterations each.
    """
    deg = np.asarray(u.sum(axis=1)).ravel()
    deg[deg == 0] = 1.0
    s = sp.diags(deg**-0.5) @ u @ sp.diags(deg**-0.5)
    p = 1 / (1 + np.exp(-logits))
    e0 = np.zeros(len(p))
    e0[known] = y_known - p[known]
    e = e0.copy()
    for _ in range(50):
        e = alpha * (s @ e) + (1 - alpha) * e0
        e[known] = e0[known]
    g0 = np.clip(p + e, 0, 1)
    g0[known] = y_known
    g = g0.copy()
    for _ in range(50):
        g = alpha * (s @ g) + (1 - alpha) * g0
        g[known] = y_known
    return g


def fold_figures(y: np.ndarray, held: list[np.ndarray], scores: list[np.ndarray]) -> np.ndarray:
    """ROC-AUC and PR-AUC of each held-out fold (rows: folds)."""
    return np.array(
        [
            (roc_auc_score(y[h], s), average_precision_score(y[h], s))
            for h, s in zip(held, scores, strict=True)
        ]
    )


def blend(scores: list[np.ndarray], base: list[np.ndarray]) -> list[np.ndarray]:
    """50/50 average of the two models' rank fractions within each held-out fold."""
    return [0.5 * (rankdata(s) + rankdata(b)) / len(s) for s, b in zip(scores, base, strict=True)]


def print_row(name: str, figures: np.ndarray, base: np.ndarray | None, seconds: float) -> None:
    """One table row: mean ± sd over folds, paired difference ± se from ``base``."""
    cells = [f"{figures[:, i].mean():.4f} ± {figures[:, i].std(ddof=1):.4f}" for i in (0, 1)]
    if base is None:
        cells += ["—", "—"]
    else:
        d = figures - base
        se = d.std(axis=0, ddof=1) / np.sqrt(len(d))
        cells += [f"{d[:, i].mean():+.4f} ± {se[i]:.4f}" for i in (0, 1)]
    print(f"| {name} | " + " | ".join(cells) + f" | {seconds:.0f} |", flush=True)


def main() -> None:
    ap = cv_parser(__doc__.splitlines()[0])
    ap.add_argument(
        "--models",
        default="mlp,sage,sage_lt",
        help=f"comma-separated, of {', '.join(MODELS)} (gat_lt takes about 15 minutes)",
    )
    ap.add_argument(
        "--cs", type=float, metavar="ALPHA", help="also Correct & Smooth on sage_lt, this alpha"
    )
    args = ap.parse_args()
    names = args.models.split(",")
    unknown = sorted(set(names) - set(MODELS))
    if unknown:
        ap.error(f"unknown models {unknown}; choose from {', '.join(MODELS)}")
    if args.cs is not None and "sage_lt" not in names:
        ap.error("--cs works on sage_lt: add it to --models")
    torch.set_num_threads(1)

    data = Sichuan.read(args.data)
    features, labels, graph = data.features, data.labels, data.graph
    tensors = GraphTensors.from_graph(graph)
    pos = features.index.get_indexer(labels.index)
    y = labels.to_numpy()
    data.print_header(
        args,
        threads=f"torch {torch.__version__} and LightGBM, 1 thread each",
        notes=", differences paired by fold (± standard error); seconds of a blend are both "
        "models'",
    )

    # (seed of the network: CV seed + fold number, labelled rows to fit, held-out rows)
    splits = []
    for seed in range(args.seed, args.seed + args.repeats):
        outer = StratifiedKFold(args.folds, shuffle=True, random_state=seed)
        for k, (fit, held) in enumerate(outer.split(np.zeros(len(y)), y)):
            splits.append((seed, seed + k, fit, held))
    held = [h for *_, h in splits]

    print("| model | ROC-AUC | PR-AUC | ΔROC-AUC ± se | ΔPR-AUC ± se | seconds |")
    print("|---|---|---|---|---|---|")
    t0 = time.perf_counter()
    base = []
    for seed, _, fit, h in splits:
        booster = _booster(features.iloc[pos[fit]], y[fit], TUNED_PARAMS, seed)
        base.append(booster.predict(features.iloc[pos[h]].to_numpy(dtype=np.float64)))
    base_seconds = time.perf_counter() - t0
    base_figures = fold_figures(y, held, base)
    print_row("tuned LightGBM (baseline)", base_figures, None, base_seconds)

    def report(name: str, scores: list[np.ndarray], seconds: float) -> None:
        """Rows of a model and of its rank blend with the baseline."""
        print_row(name, fold_figures(y, held, scores), base_figures, seconds)
        blended = fold_figures(y, held, blend(scores, base))
        print_row(f"{name} + LightGBM rank blend", blended, base_figures, seconds + base_seconds)

    for name in names:
        spec = MODELS[name]
        t0 = time.perf_counter()
        x = node_inputs(features, graph, degrees=spec.arch != "mlp")
        every = [
            fit_predict(spec, x, tensors, pos, y, fit, net_seed) for _, net_seed, fit, _ in splits
        ]
        seconds = time.perf_counter() - t0
        report(name, [e[pos[h]] for e, h in zip(every, held, strict=True)], seconds)
        if name == "sage_lt" and args.cs is not None:
            t0 = time.perf_counter()
            smoothed = [
                correct_and_smooth(graph.undirected, e, pos[fit], y[fit], args.cs)[pos[h]]
                for e, (_, _, fit, h) in zip(every, splits, strict=True)
            ]
            report(f"sage_lt + C&S α={args.cs}", smoothed, seconds + time.perf_counter() - t0)


if __name__ == "__main__":
    main()
