"""The number-behaviour, victim and roaming detectors on a simulated world nobody tuned on.

Generates a small world with a seed used by no other test or tuning run, ingests it, runs this
group's detectors and checks per-scenario precision and recall against the simulator's labels
(leads at medium risk or above, as an analyst would see them).
"""

from __future__ import annotations

import pandas as pd
import pytest

from fraudwall.evaluate import evaluate
from fraudwall.pipeline import detect, display_ids
from fraudwall.policy import load_policy
from fraudwall.store import Workspace

pytestmark = pytest.mark.slow

SEED = 90_417  # used nowhere else: not for tuning, not by another test
DETECTORS = (
    "fraud_caller",
    "callee_fanout",
    "short_call_share",
    "callee_region_spread",
    "sequential_scanning",
    "outbound_burst",
    "night_activity",
    "wangiri",
    "harassment_repeat",
    "complaint_hotspot",
    "fraud_complaints",
    "sim_swap",
    "device_swap",
    "high_risk_roaming",
    "bulk_sms",
    "new_card_burst",
    "silent_awakened",
    "iot_misuse",
    "victim_engaged",
    "victim_multi_contact",
    "fraud_domain",
)
SCENARIOS = (
    "fraud_caller",
    "high_frequency",
    "harassment",
    "wangiri",
    "sim_swap",
    "device_swap",
    "bulk_sms",
    "iot_misuse",
    "victim",
    "fraud_domain",
    "high_risk_roaming",
    "silent_awakened",
)


@pytest.fixture(scope="module")
def measured(tmp_path_factory) -> tuple[pd.DataFrame, pd.DataFrame]:
    from fraudwall.ingest import ingest
    from fraudwall.simulate.generator import generate

    root = tmp_path_factory.mktemp("world")
    generate(root / "data", subscribers=8_000, days=3, seed=SEED)
    ws = Workspace(root / "ws")
    ingest(root / "data", ws)
    # Labels name numbers as written in the data; the store keeps them normalised.
    leads = display_ids(detect(ws, load_policy(), only=DETECTORS).leads, ws)
    labels = pd.read_parquet(root / "data" / "truth" / "labels.parquet")
    return evaluate(leads, labels).by_scenario.set_index("scenario"), labels


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_precision_and_recall_per_scenario(measured, scenario):
    by_scenario, labels = measured
    truth = int((labels["label"] == scenario).sum())
    assert truth >= 10, f"the world holds only {truth} {scenario} instances"
    row = by_scenario.loc[scenario]
    assert row["precision"] >= 0.9, row.to_dict()
    assert row["recall"] >= 0.9, row.to_dict()
