"""The whole pipeline on a held-out world: another generation profile and a seed nobody tuned on.

The detectors were tuned on ``default``-profile worlds. This test generates a ``heldout``-profile
world (other fraud calling intensity, on-net share, SMS volumes, swap counts, city mix, a holiday
peak) with a seed used nowhere else, runs ``fraudwall run`` on it and checks the goals of the
detection issue: precision and recall per scenario at medium-or-high risk, no hard negative at
high risk, and at most 1% of each kind of hard negative flagged at any level. Known shortfalls
are marked ``xfail`` with the reason, so the figures stay honest.
"""

from __future__ import annotations

import pandas as pd
import pytest

from fraudwall.evaluate import Evaluation, evaluate_run
from fraudwall.pipeline import run
from fraudwall.simulate import generate

pytestmark = pytest.mark.slow

SEED = 4_242_017  # used nowhere else: not for tuning, not by another test
SUBSCRIBERS, DAYS = 12_000, 3

#: Scenarios whose heldout goal is not met yet, and why (see docs/detectors.md).
#: fraud_domain, abnormal_registration and harassment meet it here and on the held-out worlds
#: 30,000 x 3 of seeds 2027 and 8120455 (docs/evaluation.md, "Generalisation").
SHORTFALLS: dict[str, str] = {}
#: Hard-negative kinds that are still flagged (at low risk) on more than 1%. None is here or
#: on the other held-out worlds since victim_multi_contact counts a bank call only after the
#: talks with several fraud callers in the hours before it (docs/evaluation.md).
NOISY_KINDS: dict[str, str] = {}


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> Evaluation:
    root = tmp_path_factory.mktemp("heldout")
    generate(root / "data", SUBSCRIBERS, DAYS, SEED, profile="heldout")
    run(root / "data", root / "out")
    return evaluate_run(run_dir=root / "out", labels=root / "data" / "truth" / "labels.parquet")


def _goal(scenario: str) -> tuple[float, float]:
    return (0.9, 0.8) if scenario == "victim" else (0.95, 0.9)


def _scenarios() -> list[object]:
    from fraudwall.contract import SCENARIOS

    return [
        pytest.param(s, marks=pytest.mark.xfail(reason=SHORTFALLS[s], strict=False))
        if s in SHORTFALLS
        else s
        for s in SCENARIOS
        if s != "fraud_sms"  # needs an SMS model: see tests/detectors/test_fraud_sms_world.py
    ]


@pytest.mark.parametrize("scenario", _scenarios())
def test_scenario_goal_at_medium_or_high(measured: Evaluation, scenario: str) -> None:
    rows = measured.by_scenario.set_index("scenario")
    assert scenario in rows.index, f"no {scenario} instance planted or found"
    row = rows.loc[scenario]
    recall, precision = _goal(scenario)
    assert row["recall"] >= recall, row.to_dict()
    assert row["precision"] >= precision, row.to_dict()


def test_no_hard_negative_at_high_risk(measured: Evaluation) -> None:
    hard = measured.hard_negatives
    assert hard is not None and len(hard) >= 15, "the world keeps its hard negatives"
    high = hard[hard["high"] > 0]
    assert high.empty, high.to_dict("records")


def test_hard_negatives_hardly_flagged_at_any_level(measured: Evaluation) -> None:
    hard = measured.hard_negatives
    assert hard is not None
    noisy = hard[(hard["share_flagged"] > 0.01) & ~hard["kind"].isin(list(NOISY_KINDS))]
    assert noisy.empty, noisy.to_dict("records")


@pytest.mark.parametrize("kind", sorted(NOISY_KINDS))
@pytest.mark.xfail(strict=False, reason="known low-risk noise: see NOISY_KINDS")
def test_known_noisy_kinds(measured: Evaluation, kind: str) -> None:
    hard = measured.hard_negatives
    assert hard is not None
    row = hard.set_index("kind").loc[kind]
    assert row["share_flagged"] <= 0.01, row.to_dict()


def test_given_entities_are_not_counted_as_found(measured: Evaluation) -> None:
    rows = measured.by_scenario.set_index("scenario")
    assert measured.given > 0
    fc = rows.loc["fraud_caller"]
    assert fc["given"] > 0
    assert fc["found"] == fc["tp"] - fc["given"] or fc["found"] < fc["tp"]
    assert pd.notna(fc["recall_found"])
