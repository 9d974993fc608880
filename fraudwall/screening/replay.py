"""Replay a data directory's calls through the engine, in time order, with no look-ahead.

Each MO call is decided at its set-up from what was known then; its outcome (answered or not,
talk time) reaches the state only when the call ends (set-up + talk time, or a ring time for an
unanswered call). A blocked call never happens, so it has no end. Judged against a simulated
world's truth (``truth/labels.parquet``), the report says per scenario how many calls a number
made before its first block or label, the share of its calls stopped, and the false blocks and
labels per million legitimate calls.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from fraudwall.errors import InputError
from fraudwall.screening.decision import Action
from fraudwall.screening.engine import Engine

RING_S = 30  # an unanswered call ends this long after set-up
#: Scenarios whose calls screening should stop; everything else a caller may be is legitimate
#: (benign look-alikes, victims, swaps, travellers), except the suspicious ones reported apart.
FRAUD = ("fraud_caller", "simbox_sim")
NUISANCE = ("harassment", "wangiri", "high_frequency")
SUSPICIOUS = ("silent_awakened", "iot_misuse")
DECISION_SCHEMA = pa.schema(
    [
        ("record_id", pa.string()),
        ("caller", pa.string()),
        ("callee", pa.string()),
        ("at", pa.timestamp("us")),
        ("action", pa.string()),
        ("label", pa.string()),
        ("rule", pa.string()),
    ]
)


@dataclass
class ReplayResult:
    calls: int
    decisions: pa.Table
    report: dict[str, Any] = field(default_factory=dict)


def load_calls(data_dir: str | Path) -> pa.Table:
    """The MO calls of a data directory (``calls.parquet`` or ``calls/``), in set-up order."""
    d = Path(data_dir)
    src = d / "calls" if (d / "calls").is_dir() else d / "calls.parquet"
    if not src.exists():
        raise InputError("no calls table (calls/ or calls.parquet)", file=str(d))
    cols = ["record_id", "msisdn", "other_party", "direction", "started_at", "duration_s"]
    try:
        t = ds.dataset(src, format="parquet").to_table(columns=cols)
    except (pa.ArrowInvalid, KeyError) as e:
        raise InputError(f"cannot read calls: {e}", file=str(src)) from e
    t = t.filter(pc.equal(t["direction"], "MO")).drop_columns(["direction"])
    for name in ("record_id", "msisdn", "other_party", "started_at", "duration_s"):
        if t[name].null_count:
            raise InputError("null values in a required column", file=str(src), field=name)
    return t.sort_by([("started_at", "ascending"), ("record_id", "ascending")])


def replay(
    engine: Engine, calls: pa.Table, *, on_progress: Callable[[int], None] | None = None
) -> ReplayResult:
    """Feed ``calls`` (from :func:`load_calls`) through ``engine``; one decision per call."""
    n = calls.num_rows
    start = calls["started_at"].cast(pa.timestamp("s")).cast(pa.int64()).to_numpy()
    dur = calls["duration_s"].cast(pa.int64()).to_numpy()
    end = start + np.where(dur > 0, dur, RING_S)
    # one event stream: set-ups (kind 1) and ends (kind 0); an end sorts before a set-up at the
    # same second, so a finished call is known to the next set-up
    times = np.concatenate([start, end])
    kinds = np.concatenate([np.ones(n, np.int8), np.zeros(n, np.int8)])
    order = np.lexsort((kinds, times))
    callers = calls["msisdn"].to_pylist()
    callees = calls["other_party"].to_pylist()
    actions = np.zeros(n, np.int8)  # 0 allow, 1 label, 2 block
    labels: list[str | None] = [None] * n
    rules: list[str] = ["none"] * n
    code = {Action.ALLOW: 0, Action.LABEL: 1, Action.BLOCK: 2}
    screen, ended = engine.screen, engine.call_ended
    done = 0
    for ev in order.tolist():
        if ev < n:
            d = screen(callers[ev], callees[ev], int(start[ev]))
            actions[ev] = code[d.action]
            if d.action is not Action.ALLOW:
                labels[ev], rules[ev] = d.label, d.rule
            done += 1
            if on_progress is not None and done % 50_000 == 0:
                on_progress(50_000)
        else:
            i = ev - n
            if actions[i] != 2:
                ended(callers[i], callees[i], int(end[i]), int(dur[i]))
    if on_progress is not None:
        on_progress(done % 50_000)
    names = np.array(["allow", "label", "block"])
    decisions = pa.table(
        {
            "record_id": calls["record_id"],
            "caller": calls["msisdn"],
            "callee": calls["other_party"],
            "at": calls["started_at"].cast(pa.timestamp("us")),
            "action": pa.array(names[actions]),
            "label": pa.array(labels, pa.string()),
            "rule": pa.array(rules, pa.string()),
        },
        schema=DECISION_SCHEMA,
    )
    return ReplayResult(n, decisions)


def write_decisions(decisions: pa.Table, path: str | Path) -> None:
    """Write decisions to Parquet atomically (temp file + rename)."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(p.name + ".tmp")
    pq.write_table(decisions, tmp)
    tmp.replace(p)


def evaluate(
    decisions: pa.Table, truth_path: str | Path, *, risky: set[str] | None = None
) -> dict[str, Any]:
    """Judge decisions against a simulated world's truth (``truth/labels.parquet``).

    ``risky`` are the numbers that had a batch risk before the replay; fraud callers are also
    reported without them ("no prior batch risk").
    """
    import pandas as pd

    tp = Path(truth_path)
    if not tp.exists():
        raise InputError("no truth labels", file=str(tp))
    truth = pq.read_table(tp, columns=["entity_type", "entity_id", "label", "detail"]).to_pandas()
    truth = truth[truth["entity_type"] == "msisdn"]
    scen = truth[truth["label"] != "benign"].groupby("entity_id")["label"].agg(set)
    benign = truth[truth["label"] == "benign"].groupby("entity_id")["detail"].first()
    d = decisions.select(["caller", "action"]).to_pandas()
    d["seq"] = d.groupby("caller").cumcount()

    def group_of(labels: set[str] | float) -> str:
        if not isinstance(labels, set):
            return "legitimate"
        for s in (*FRAUD, *NUISANCE, *SUSPICIOUS):
            if s in labels:
                return "fraud_caller" if s in FRAUD else s
        return "legitimate"

    d["group"] = d["caller"].map(scen).map(group_of).fillna("legitimate")
    d["kind"] = d["caller"].map(benign)
    blocked = d["action"] == "block"
    stopped = d["action"] != "allow"
    report: dict[str, Any] = {"calls": len(d), "scenarios": {}}

    def first(mask: pd.Series, sub: pd.DataFrame) -> np.ndarray:
        # calls each number made before its first block (or label); inf if never
        firsts = sub[mask[sub.index]].groupby("caller")["seq"].min()
        return firsts.reindex(sub["caller"].unique()).fillna(np.inf).to_numpy()

    def quant(a: np.ndarray, q: float) -> float | None:
        if a.size == 0:
            return None
        v = float(np.quantile(a, q, method="inverted_cdf"))
        return None if np.isinf(v) else v

    groups = ["fraud_caller", *NUISANCE, *SUSPICIOUS]
    subsets = {g: d[d["group"] == g] for g in groups}
    if risky is not None:
        f = subsets["fraud_caller"]
        subsets["fraud_caller (no prior batch risk)"] = f[~f["caller"].isin(risky)]
    for g, sub in subsets.items():
        if sub.empty:
            continue
        fb, fs = first(blocked, sub), first(stopped, sub)
        report["scenarios"][g] = {
            "numbers": int(sub["caller"].nunique()),
            "calls": len(sub),
            "numbers_blocked": int(np.isfinite(fb).sum()),
            "calls_before_block_median": quant(fb, 0.5),
            "calls_before_block_p90": quant(fb, 0.9),
            "calls_before_block_or_label_median": quant(fs, 0.5),
            "calls_before_block_or_label_p90": quant(fs, 0.9),
            "share_calls_blocked": float(blocked[sub.index].mean()),
            "share_calls_blocked_or_labelled": float(stopped[sub.index].mean()),
        }
    legit = d[d["group"] == "legitimate"]
    per_m = 1e6 / max(len(legit), 1)
    report["legitimate"] = {
        "calls": len(legit),
        "numbers": int(legit["caller"].nunique()),
        "false_blocks_per_million": float((legit["action"] == "block").sum() * per_m),
        "false_labels_per_million": float((legit["action"] == "label").sum() * per_m),
        "false_blocks": int((legit["action"] == "block").sum()),
        "false_labels": int((legit["action"] == "label").sum()),
        "by_kind": {},
    }
    for kind, sub in legit.dropna(subset=["kind"]).groupby("kind"):
        report["legitimate"]["by_kind"][str(kind)] = {
            "calls": len(sub),
            "blocked": int((sub["action"] == "block").sum()),
            "labelled": int((sub["action"] == "label").sum()),
        }
    bad = legit[legit["action"] != "allow"]
    report["legitimate"]["rules"] = {
        str(k): int(v)
        for k, v in decisions.to_pandas().loc[bad.index, "rule"].value_counts().items()
    }
    return report
