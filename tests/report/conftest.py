"""A tiny run for the report: a workspace written by hand, its quarantine, leads and risk."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from fraudwall.evaluate import evaluate
from fraudwall.ingest import QUARANTINE_SCHEMA, FileReport, IngestReport, TableReport
from fraudwall.pipeline import RunResult
from fraudwall.policy import load_policy
from fraudwall.scoring.leads import LEAD_COLUMNS
from fraudwall.scoring.risk import fuse
from fraudwall.store import Workspace

FRAUDSTER = "13800000001"  # flagged caller, dials at night
PEOPLE = ["13911112222", "13722223333", "15033334444"]
OFFNET = ["+447700900123", "18655556666"]
IMEI = "356938035643809"
HOLDER = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
BAD_NUMBER = "1391234567x"
LONG_NUMBER = "+8613912345678999"


@dataclass
class TinyRun:
    result: RunResult
    calls: pd.DataFrame
    #: Every personal identifier that went into the run, in each form it was written.
    personal: list[str]


def _e164(n: str) -> str:
    return n if n.startswith("+") else "+86" + n


def _calls() -> pd.DataFrame:
    rows = []
    # The fraudster: 30 outbound calls between 01:00 and 03:00 to many people.
    for i in range(30):
        rows.append(
            (
                FRAUDSTER,
                PEOPLE[i % 3] if i % 2 else OFFNET[i % 2],
                "MO",
                f"2026-03-02 0{1 + i % 3}:{i:02d}:00",
                0,
                IMEI,
            )
        )
    # Ordinary people call each other in the day.
    for i in range(24):
        a, b = PEOPLE[i % 3], PEOPLE[(i + 1) % 3]
        rows.append((a, b, "MO", f"2026-03-02 {9 + i % 10}:{i:02d}:00", 60 + i, None))
        rows.append((b, a, "MT", f"2026-03-02 {9 + i % 10}:{i:02d}:00", 60 + i, None))
    df = pd.DataFrame(
        rows, columns=["msisdn", "other_party", "direction", "started_at", "duration_s", "imei"]
    )
    df.insert(0, "record_id", [f"r{i}" for i in range(len(df))])
    df["started_at"] = pd.to_datetime(df["started_at"])
    return df


def _leads(run_id: str) -> pd.DataFrame:
    base = {
        "first_seen": pd.Timestamp("2026-03-02 01:00"),
        "last_seen": pd.Timestamp("2026-03-02 03:29"),
        "run_id": run_id,
        "policy_version": "default-1",
        "evidence": "{}",
    }
    rows = [
        (
            "msisdn",
            FRAUDSTER,
            "fraud_caller",
            "outbound_burst",
            "call_rate",
            0.93,
            "high",
            "30 outbound calls in one hour (threshold 100)",
        ),
        (
            "msisdn",
            FRAUDSTER,
            "high_frequency",
            "outbound_burst",
            "call_rate",
            0.55,
            "low",
            "30 outbound calls in one hour (threshold 100)",
        ),
        (
            "imei",
            IMEI,
            "simbox",
            "simbox_device",
            "sim_rotation",
            0.7,
            "medium",
            "12 SIMs on one device in 3 days (threshold 8)",
        ),
        (
            "holder_id_hash",
            HOLDER,
            "id_many_cards",
            "id_over_card_limit",
            "cards",
            0.62,
            "medium",
            "9 cards on one ID (limit 5)",
        ),
        (
            "msisdn",
            PEOPLE[0],
            "victim",
            "victim_contact",
            "victim",
            0.4,
            "low",
            "2 long calls from flagged numbers",
        ),
    ]
    df = pd.DataFrame(
        rows,
        columns=[
            "entity_type",
            "entity_id",
            "scenario",
            "detector",
            "signal",
            "score",
            "risk_level",
            "reasons",
        ],
    )
    return df.assign(**base)[LEAD_COLUMNS]


def _quarantine(ws: Workspace) -> None:
    raw = json.dumps({"msisdn": BAD_NUMBER, "other_party": PEOPLE[1]})
    rows = {
        "table": ["calls"] * 4 + ["subscribers"],
        "file": ["calls/2026-03-02.csv"] * 4 + ["subscribers.csv"],
        "row": [3, 7, 8, 9, 2],
        "field": ["msisdn", "other_party", "duration_s", None, "msisdn"],
        "reason": [
            "not a phone number",
            "not a phone number",
            "below minimum 0",
            "wrong number of fields",
            "not a phone number",
        ],
        "value": [BAD_NUMBER, LONG_NUMBER, "-5", "3 fields, expected 6", BAD_NUMBER],
        "raw": [raw] * 5,
    }
    d = ws.quarantine_dir / "calls"
    d.mkdir(parents=True)
    pq.write_table(pa.table(rows, schema=QUARANTINE_SCHEMA), d / "part-0.parquet")


def _ingest_report(calls: int, subscribers: int) -> IngestReport:
    def table(name: str, file: str, accepted: int, rejected: int, reasons: dict[str, int]):
        f = FileReport(
            table=name,
            file=file,
            sha256="0" * 64,
            bytes=100,
            format="csv",
            encoding="utf-8",
            rows_read=accepted + rejected + 1,
            accepted=accepted,
            rejected=rejected,
            duplicates=1,
            reasons=reasons,
        )
        return TableReport(name, [f])

    return IngestReport(
        data_dir="data",
        workspace="ws",
        timezone="Asia/Shanghai",
        tables={
            "subscribers": table(
                "subscribers", "subscribers.csv", subscribers, 1, {"not a phone number": 1}
            ),
            "calls": table(
                "calls",
                "calls/2026-03-02.csv",
                calls,
                4,
                {"not a phone number": 2, "below minimum 0": 1, "wrong number of fields": 1},
            ),
        },
        notices=[f"calls.csv: dropped unknown column 'caller_name' (e.g. {PEOPLE[2]})"],
    )


@pytest.fixture
def tiny_run(tmp_path: Path) -> TinyRun:
    out = tmp_path / "run"
    ws = Workspace(out)
    numbers = [FRAUDSTER, *PEOPLE]
    subs = pd.DataFrame(
        {
            "msisdn": [_e164(n) for n in numbers],
            "msisdn_raw": numbers,
            "holder_id_hash": [HOLDER, "a" * 64, "b" * 64, "c" * 64],
            "holder_type": "personal",
            "activated_at": pd.Timestamp("2026-02-20"),
        }
    )
    ws.write_table("subscribers", pa.Table.from_pandas(subs, preserve_index=False))
    calls = _calls()
    stored = calls.assign(
        msisdn=calls["msisdn"].map(_e164),
        other_party=calls["other_party"].map(_e164),
        msisdn_raw=calls["msisdn"],
        other_party_raw=calls["other_party"],
    )
    ws.write_table("calls", pa.Table.from_pandas(stored, preserve_index=False))
    _quarantine(ws)

    policy = load_policy()
    leads = _leads("run-1")
    labels = pd.DataFrame(
        {
            "entity_type": ["msisdn", "imei"],
            "entity_id": [FRAUDSTER, IMEI],
            "label": ["fraud_caller", "benign"],
            "detail": [None, "call_centre"],
        }
    )
    (out / "evaluation.json").write_text(
        json.dumps(evaluate(leads, labels).to_dict(), default=str), "utf-8"
    )
    result = RunResult(
        run_id="run-1",
        out_dir=out,
        policy_version=policy.version,
        engine="duckdb",
        started_at="2026-03-05T10:00:00+00:00",
        timings_s={"ingest": 0.4, "detect": 1.2, "fuse": 0.01, "write": 0.05},
        ingest=_ingest_report(len(calls), len(subs)).to_dict(),
        detectors_ran=["outbound_burst"],
        detectors_skipped={"bulk_sms_sender": "input tables absent: sms"},
        lead_counts={"outbound_burst": 2},
        leads=leads,
        risk=fuse(leads, policy),
    )
    personal = sorted(
        {
            *numbers,
            *map(_e164, numbers),
            *OFFNET,
            *map(_e164, OFFNET),
            BAD_NUMBER,
            LONG_NUMBER,
            IMEI,
            *subs["holder_id_hash"],
        }
    )
    return TinyRun(result, calls, personal)
