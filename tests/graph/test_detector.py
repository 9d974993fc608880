"""The ``fraud_ring`` detector turns rings into leads inside a run."""

from __future__ import annotations

from pathlib import Path

from fraudwall.pipeline import detect
from fraudwall.policy import load_policy
from fraudwall.store import Workspace

from .test_rings import CARDS, gang, holders_own_card, workspace

ONLY = ["fraud_ring", "fraud_caller", "simbox_sim", "static_outbound_sim"]


def test_on_by_default_without_building_the_whole_graph(tmp_path: Path):
    ws = workspace(tmp_path / "ring", [*gang(), holders_own_card()])
    result = detect(ws, load_policy(), only=ONLY)
    assert "fraud_ring" in result.ran
    ring = result.leads[result.leads["scenario"] == "fraud_ring"]
    assert sorted(ring["entity_id"]) == CARDS  # not the holder's own card
    assert ring["reasons"].str.contains("member of ring R0001 of 6 numbers").all()
    assert ring["reasons"].str.contains("sharing 2 device").all()
    # it reads the ring relations in memory; the whole graph is built when a query needs it
    assert not (ws.path / "graph").exists()


def test_off_in_a_policy_it_is_skipped(ws: Workspace, tmp_path: Path):
    policy = tmp_path / "p.toml"
    policy.write_text('version = "off"\n[detectors.fraud_ring]\nenabled = false\n', "utf-8")
    assert "fraud_ring" in detect(ws, load_policy(policy), only=ONLY).skipped


def test_the_detector_and_rings_leads_agree(tmp_path: Path):
    """One definition: ``fraudwall rings --leads`` gives the run's ``fraud_ring`` leads."""
    from fraudwall.graph.service import ring_leads

    ws = workspace(tmp_path / "ring", [*gang(), holders_own_card()])
    run = detect(ws, load_policy(), only=ONLY).leads
    run = run[run["detector"] == "fraud_ring"].set_index("entity_id").sort_index()
    cli = ring_leads(workspace=ws.path).set_index("entity_id").sort_index()
    assert list(cli.index) == list(run.index)
    for col in ("score", "risk_level", "reasons"):
        assert list(cli[col]) == list(run[col]), col
