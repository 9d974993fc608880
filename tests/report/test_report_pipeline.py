"""A report rendered by a real (tiny) run: ingest with bad rows, detectors, fusion, report."""

from __future__ import annotations

import re
from html import escape
from pathlib import Path

import pandas as pd
import pytest

from fraudwall import pipeline

BURSTER = "138 0000 0001"  # written with spaces, as operators' exports sometimes do
PEOPLE = [f"1390000{i:04d}" for i in range(1, 9)] + ["+8613700000009", "8613600000010"]
IMEI = "356938035643809"


def _write_inputs(d: Path) -> list[str]:
    """A data directory with a machine-paced caller and a few broken rows; returns every
    phone number and device id written into it."""
    d.mkdir()
    numbers = [BURSTER, *PEOPLE]
    subs = pd.DataFrame(
        {
            "msisdn": [*numbers, "13x00000099"],
            "holder_id_hash": [f"{i:064x}" for i in range(len(numbers) + 1)],
            "holder_type": "personal",
            "activated_at": "2026-01-05 10:00:00",
        }
    )
    subs.to_csv(d / "subscribers.csv", index=False)
    t0 = pd.Timestamp("2026-03-02 10:00:00")
    burst = pd.DataFrame(
        {
            "record_id": [f"b{i}" for i in range(160)],
            "msisdn": BURSTER,
            "other_party": [PEOPLE[i % len(PEOPLE)] for i in range(160)],
            "direction": "MO",
            "started_at": [str(t0 + pd.Timedelta(seconds=20 * i)) for i in range(160)],
            "duration_s": [str(i % 7) for i in range(160)],
            "imei": IMEI,
        }
    )
    social = pd.DataFrame(
        {
            "record_id": [f"s{i}" for i in range(40)],
            "msisdn": [PEOPLE[i % 5] for i in range(40)],
            "other_party": [PEOPLE[(i + 1) % 5] for i in range(40)],
            "direction": "MO",
            "started_at": [str(t0 + pd.Timedelta(minutes=37 * i)) for i in range(40)],
            "duration_s": "75",
            "imei": None,
        }
    )
    broken = pd.DataFrame(
        {
            "record_id": ["x1", "x2", "x3", "b0"],
            "msisdn": [PEOPLE[0], "1390000abcd", PEOPLE[1], BURSTER],
            "other_party": [PEOPLE[2], PEOPLE[3], PEOPLE[4], PEOPLE[5]],
            "direction": ["MO", "MO", "SIDEWAYS", "MO"],
            "started_at": str(t0),
            "duration_s": ["-4", "10", "10", "1"],
            "imei": None,
        }
    )
    pd.concat([burst, social, broken]).to_csv(d / "calls.csv", index=False)
    return [*numbers, "13x00000099", "1390000abcd", IMEI, *subs["holder_id_hash"]]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[pipeline.RunResult, list[str], str]:
    root = tmp_path_factory.mktemp("tinyrun")
    written = _write_inputs(root / "data")
    result = pipeline.run(root / "data", root / "out")
    return result, written, (root / "out" / "report.html").read_text("utf-8")


def test_a_real_run_writes_a_complete_report(run):
    result, _, html = run
    assert "could not be built" not in html
    assert result.timings_s.get("report", 0) > 0
    reasons = {r for by in result.ingest["rejected_by_reason"].values() for r in by}
    assert len(reasons) >= 3  # bad number, negative duration, unknown direction, duplicate
    for reason in reasons:
        assert escape(reason) in html
    for scenario in result.leads["scenario"].unique():
        assert f"<td>{scenario}</td>" in html


def test_no_number_or_id_written_into_the_input_appears_in_the_report(run):
    _, written, html = run
    forms = set()
    for w in written:
        digits = re.sub(r"\D", "", w)
        forms |= {w, digits}
        if re.fullmatch(r"1[3-9]\d{9}", digits):
            forms |= {"+86" + digits}
        if re.fullmatch(r"861[3-9]\d{9}", digits):
            forms |= {"+" + digits, digits[2:]}
    assert sorted(f for f in forms if f in html) == []
