"""The device, den, identity, outlet and relation detectors on a world nobody tuned on.

Generates a small world with a seed used by no other test or tuning run. The relation
detectors read the ``labels`` table as police feedback, so the input keeps only a 30% sample of
the fraud-number labels; everything is measured against the full truth, leaving out the
entities that were given as input. Leads count at medium risk or above, as an analyst sees
them.
"""

from __future__ import annotations

import pandas as pd
import pytest

from fraudwall.evaluate import evaluate
from fraudwall.pipeline import detect, display_ids
from fraudwall.policy import load_policy
from fraudwall.store import Workspace

pytestmark = pytest.mark.slow

SEED = 70_913  # used nowhere else: not for tuning, not by another test
POLICE_SHARE = 0.3
DETECTORS = (
    "simbox_device",
    "simbox_sim",
    "static_outbound_sim",
    "power_cycling",
    "den_cell",
    "co_moving_devices",
    "id_over_card_limit",
    "outlet_registration_burst",
    "outlet_low_face_match",
    "card_resale",
    "relation_shared_device",
    "relation_shared_holder",
    "relation_outlet_batch",
)
SCENARIOS = (
    "simbox",
    "simbox_sim",
    "id_many_cards",
    "abnormal_registration",
    "card_resale",
)
RELATIONS = ("relation_shared_device", "relation_outlet_batch")


@pytest.fixture(scope="module")
def measured(tmp_path_factory):
    from fraudwall.ingest import ingest
    from fraudwall.simulate.generator import generate

    root = tmp_path_factory.mktemp("world")
    # The input labels table is police feedback: a sample of the numbers confirmed as fraud.
    generate(root / "data", subscribers=8_000, days=3, seed=SEED, police_share=POLICE_SHARE)
    truth = pd.read_parquet(root / "data" / "truth" / "labels.parquet")
    given_ids = pd.read_parquet(root / "data" / "labels.parquet")["entity_id"]

    ws = Workspace(root / "ws")
    ingest(root / "data", ws)
    # Labels name numbers as written in the data; the store keeps them normalised.
    leads = display_ids(detect(ws, load_policy(), only=DETECTORS).leads, ws)
    given = set(given_ids)
    leads = leads[~leads["entity_id"].isin(given)]
    truth = truth[~truth["entity_id"].isin(given)]
    return evaluate(leads, truth), truth, leads


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_precision_and_recall_per_scenario(measured, scenario):
    ev, truth, _ = measured
    n = int((truth["label"] == scenario).sum())
    assert n >= 10, f"the world holds only {n} {scenario} instances"
    row = ev.by_scenario.set_index("scenario").loc[scenario]
    assert row["precision"] >= 0.9, row.to_dict()
    assert row["recall"] >= 0.9, row.to_dict()


def test_dens(measured):
    # Dens are few (a simbox den, and the two cells of each planted ring): the goal is the same
    # 90% precision and recall as elsewhere, with at least one miss and one error allowed.
    ev, truth, _ = measured
    n = int((truth["label"] == "den").sum())
    assert n > 0
    allowed = max(1, n // 10)
    row = ev.by_scenario.set_index("scenario").loc["den"]
    assert row["fn"] <= allowed, row.to_dict()
    assert row["fp"] <= allowed, row.to_dict()


@pytest.mark.parametrize("detector", RELATIONS)
def test_relations_find_unreported_fraud_numbers_precisely(measured, detector):
    ev, _, _ = measured
    row = ev.by_detector.set_index("detector").loc[detector]
    assert row["tp"] >= 10, row.to_dict()
    assert row["precision"] >= 0.9, row.to_dict()


@pytest.mark.parametrize("detector", ["co_moving_devices", "relation_shared_holder"])
def test_silent_where_the_world_plants_nothing(measured, detector):
    # The simulator plants no travelling gangs and no fraud numbers sharing an ID holder:
    # these detectors have nothing to find, and must not invent it.
    _, _, leads = measured
    acted_on = leads[(leads["detector"] == detector) & (leads["risk_level"] != "low")]
    assert acted_on.empty, acted_on[["entity_id", "reasons"]].to_dict("records")
