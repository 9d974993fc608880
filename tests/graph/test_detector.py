"""The ``fraud_ring`` detector turns rings into leads inside a run (off by default)."""

from __future__ import annotations

from pathlib import Path

from fraudwall.pipeline import detect
from fraudwall.policy import load_policy
from fraudwall.store import Workspace

from .test_rings import CARDS, gang, holders_own_card, workspace

ONLY = ["fraud_ring", "fraud_caller", "simbox_sim", "static_outbound_sim"]


def test_off_by_default(ws: Workspace):
    result = detect(ws, load_policy(), only=ONLY)
    assert "fraud_ring" in result.skipped
    assert not (ws.path / "graph").exists()


def test_enabled_it_leads_every_ring_number_and_keeps_the_graph(tmp_path: Path):
    ws = workspace(tmp_path / "ring", [*gang(), holders_own_card()])
    policy = tmp_path / "p.toml"
    policy.write_text('version = "rings"\n[detectors.fraud_ring]\nenabled = true\n', "utf-8")
    leads = detect(ws, load_policy(policy), only=ONLY).leads
    ring = leads[leads["scenario"] == "fraud_ring"]
    assert sorted(ring["entity_id"]) == CARDS  # not the holder's own card
    assert ring["reasons"].str.contains("member of ring R0001 of 6 numbers").all()
    assert ring["reasons"].str.contains("sharing 2 device").all()
    assert (ws.path / "graph" / "current.json").exists()


def test_the_detector_and_rings_leads_agree(tmp_path: Path):
    """One definition: ``fraudwall rings --leads`` gives the run's ``fraud_ring`` leads."""
    from fraudwall.graph.service import ring_leads

    ws = workspace(tmp_path / "ring", [*gang(), holders_own_card()])
    policy = tmp_path / "p.toml"
    policy.write_text('version = "rings"\n[detectors.fraud_ring]\nenabled = true\n', "utf-8")
    run = detect(ws, load_policy(policy), only=ONLY).leads
    run = run[run["detector"] == "fraud_ring"].set_index("entity_id").sort_index()
    cli = ring_leads(workspace=ws.path).set_index("entity_id").sort_index()
    assert list(cli.index) == list(run.index)
    for col in ("score", "risk_level", "reasons"):
        assert list(cli[col]) == list(run[col]), col
