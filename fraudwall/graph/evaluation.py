"""Relations measured against a simulated world's truth (``truth/labels.parquet``).

``python -m fraudwall.graph.evaluation --run RUN --truth WORLD/truth/labels.parquet`` prints
JSON with:

- rings: purity (share of an output ring's numbers from its main planted ring, over output
  rings holding planted members), recall (per planted ring, the largest share of it inside one
  output ring), and how many output rings hold no planted member but fraud numbers otherwise;
  as ``fraud_ring`` leads (one per member number): precision against the planted rings, the
  share that are fraud numbers of any kind, and recall of planted members;
- dens: recall (planted den cells inside some den) and precision (dens holding a planted cell);
- trace: recall of ring mates within 2 hops, from each planted member (up to 50);
- look-alikes: precision at 10 and 100 (results labelled as fraud numbers), from 3 random sets
  of 5 seeds drawn from the truth's fraud numbers.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from fraudwall.graph.dens import find_dens
from fraudwall.graph.lookalike import lookalikes
from fraudwall.graph.rings import find_rings
from fraudwall.graph.service import default_ring_params, ring_flagged
from fraudwall.graph.store import open_graph
from fraudwall.graph.trace import trace

FRAUD_NUMBERS = ("fraud_caller", "simbox_sim", "fraud_ring")


def evaluate_relations(run: str | Path, truth: str | Path, *, seed: int = 7) -> dict[str, Any]:
    """All figures of the module docstring for the run directory ``run``."""
    lab = pq.read_table(truth).to_pandas()
    ring_of = lab[lab["label"] == "fraud_ring"].set_index("entity_id")["detail"]
    fraud = set(
        lab[(lab["entity_type"] == "msisdn") & lab["label"].isin(FRAUD_NUMBERS)]["entity_id"]
    )
    out: dict[str, Any] = {}
    t0 = time.perf_counter()
    g = open_graph(run)
    out["graph_seconds"] = round(time.perf_counter() - t0, 2)
    out["graph"] = g.meta.get("counts", {})
    disp = np.asarray(g.nodes["display"].to_pylist(), dtype=object)

    t0 = time.perf_counter()
    rings = find_rings(g, flagged=ring_flagged(g, run), params=default_ring_params(), unmasked=True)
    out["rings_seconds"] = round(time.perf_counter() - t0, 2)
    purity: list[float] = []
    best: dict[str, int] = {}
    unplanted = unplanted_fraud = 0
    for r in rings:
        ids = pd.Series(disp[r.nodes])
        det = ring_of.reindex(ids.to_numpy()).dropna()
        if det.empty:
            unplanted += 1
            unplanted_fraud += int(ids.isin(list(fraud)).mean() >= 0.5)
            continue
        vc = det.value_counts()
        purity.append(float(vc.iloc[0]) / len(ids))
        top = str(vc.index[0])
        best[top] = max(best.get(top, 0), int(vc.iloc[0]))
    sizes = ring_of.value_counts()
    recall = [best.get(str(k), 0) / int(n) for k, n in sizes.items()]
    members = {str(x) for r in rings for x in disp[r.nodes]}
    planted = set(ring_of.index)
    out["ring_leads"] = {
        "numbers": len(members),
        "precision_vs_planted_rings": _r(len(members & planted) / max(len(members), 1)),
        "share_that_are_fraud_numbers": _r(len(members & fraud) / max(len(members), 1)),
        "recall_of_planted_members": _r(len(members & planted) / max(len(planted), 1)),
    }
    out["rings"] = {
        "planted": int(sizes.size),
        "found": len(rings),
        "purity": _r(np.mean(purity)) if purity else None,
        "recall": _r(np.mean(recall)) if recall else None,
        "rings_without_planted_members": unplanted,
        "of_which_mostly_fraud_numbers": unplanted_fraud,
    }

    t0 = time.perf_counter()
    dens = find_dens(str(run), unmasked=True)
    out["dens_seconds"] = round(time.perf_counter() - t0, 2)
    den_truth = set(lab[lab["label"] == "den"]["entity_id"])
    hit, good = set(), 0
    for d in dens:
        cells = {m.entity_id for m in d.members or [] if m.entity_type == "cell_id"}
        good += bool(cells & den_truth)
        hit |= cells & den_truth
    out["dens"] = {
        "planted": len(den_truth),
        "found": len(dens),
        "recall": _r(len(hit) / max(len(den_truth), 1)),
        "precision": _r(good / max(len(dens), 1)),
    }

    rng = np.random.default_rng(seed)
    members = ring_of.index.to_numpy()
    picks = rng.choice(members, size=min(50, members.size), replace=False)
    rec, times = [], []
    for m in picks:
        mates = set(ring_of.index[ring_of == ring_of[m]]) - {m}
        t0 = time.perf_counter()
        res = trace(g, str(m), hops=2, top=500, unmasked=True)
        times.append(time.perf_counter() - t0)
        found = {r.entity_id for r in res if r.entity_type == "msisdn"}
        rec.append(len(mates & found) / max(len(mates), 1))
    out["trace"] = {
        "seeds": int(picks.size),
        "recall_at_2_hops": _r(np.mean(rec)),
        "median_seconds": _r(float(np.median(times))),
    }

    pool = np.asarray(sorted(fraud), dtype=object)
    p10, p100, secs = [], [], []
    for _ in range(3):
        seeds = [str(s) for s in rng.choice(pool, size=5, replace=False)]
        t0 = time.perf_counter()
        res, _unknown = lookalikes(g, seeds, top=100, unmasked=True)
        secs.append(time.perf_counter() - t0)
        ids = [r.entity_id for r in res]
        p10.append(np.mean([i in fraud for i in ids[:10]]))
        p100.append(np.mean([i in fraud for i in ids[:100]]))
    out["lookalike"] = {
        "seed_sets": 3,
        "seeds_per_set": 5,
        "precision_at_10": _r(np.mean(p10)),
        "precision_at_100": _r(np.mean(p100)),
        "median_seconds": _r(float(np.median(secs))),
    }
    return out


def _r(v: Any) -> float:
    return round(float(v), 3)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--run", required=True)
    ap.add_argument("--truth", required=True)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    print(json.dumps(evaluate_relations(a.run, a.truth, seed=a.seed), indent=2))


if __name__ == "__main__":
    main()
