"""Risk fusion: one combined score, level, action and top reasons per flagged entity.

Each detector measures a ``signal``. Within a signal only the strongest weighted score counts
(two detectors measuring the same behaviour are one piece of evidence); across signals scores
combine as independent evidence, ``1 - prod(1 - s)``, so two weak independent signals add up.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fraudwall.policy import Policy

RISK_COLUMNS = [
    "entity_type",
    "entity_id",
    "risk_score",
    "risk_level",
    "action",
    "scenarios",
    "detectors",
    "n_signals",
    "top_reasons",
    "first_seen",
    "last_seen",
    "run_id",
    "policy_version",
]


def fuse(leads: pd.DataFrame, policy: Policy) -> pd.DataFrame:
    """Combine leads into one row per entity (see the module docstring)."""
    if leads.empty:
        return pd.DataFrame(columns=RISK_COLUMNS)
    weight = leads["detector"].map({k: p.weight for k, p in policy.detectors.items()})
    df = leads.assign(w_score=(leads["score"] * weight.fillna(1.0)).clip(0, 1))
    key = ["entity_type", "entity_id"]
    per_signal = df.groupby([*key, "signal"], as_index=False)["w_score"].max()
    per_signal["log_miss"] = np.log1p(-per_signal["w_score"].clip(upper=0.999999))
    combined = per_signal.groupby(key, as_index=False).agg(
        log_miss=("log_miss", "sum"), n_signals=("signal", "nunique")
    )
    combined["risk_score"] = (1.0 - np.exp(combined["log_miss"])).round(4)

    ranked = df.sort_values("score", ascending=False)
    top = ranked.groupby(key).head(policy.risk.top_reasons)
    agg = ranked.groupby(key, as_index=False).agg(
        scenarios=("scenario", lambda s: ",".join(sorted(set(s)))),
        detectors=("detector", lambda s: ",".join(sorted(set(s)))),
        first_seen=("first_seen", "min"),
        last_seen=("last_seen", "max"),
    )
    reasons = top.groupby(key, as_index=False).agg(top_reasons=("reasons", " | ".join))
    out = combined.merge(agg, on=key).merge(reasons, on=key)
    score = out["risk_score"].to_numpy()
    r = policy.risk
    out["risk_level"] = np.select([score >= r.high, score >= r.medium], ["high", "medium"], "low")
    victim_only = out["scenarios"] == "victim"
    out["action"] = np.select(
        [victim_only, score >= r.high, score >= r.medium],
        [r.action_victim, r.action_high, r.action_medium],
        r.action_low,
    )
    out["run_id"] = leads["run_id"].iloc[0]
    out["policy_version"] = policy.version
    return out[RISK_COLUMNS].sort_values(
        ["risk_score", "entity_id"], ascending=[False, True], ignore_index=True
    )
