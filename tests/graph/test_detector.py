"""The ``fraud_ring`` detector turns rings into leads inside a run (off by default)."""

from __future__ import annotations

from pathlib import Path

from fraudwall.pipeline import detect
from fraudwall.policy import load_policy
from fraudwall.store import Workspace

from .conftest import GANG

ONLY = ["fraud_ring", "fraud_caller", "simbox_sim", "static_outbound_sim"]


def test_off_by_default(ws: Workspace):
    result = detect(ws, load_policy(), only=ONLY)
    assert "fraud_ring" in result.skipped
    assert not (ws.path / "graph").exists()


def test_enabled_it_leads_every_gang_number_and_keeps_the_graph(ws: Workspace, tmp_path: Path):
    policy = tmp_path / "p.toml"
    policy.write_text('version = "rings"\n[detectors.fraud_ring]\nenabled = true\n', "utf-8")
    leads = detect(ws, load_policy(policy), only=ONLY).leads
    ring = leads[leads["scenario"] == "fraud_ring"]
    assert sorted(ring["entity_id"]) == sorted(GANG)
    assert ring["reasons"].str.contains("member of ring R0001 of 3 numbers").all()
    assert (ws.path / "graph" / "current.json").exists()
