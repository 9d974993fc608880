"""The daily violating-SMS report for the regulator's intake, from a run's ``fraud_sms`` leads.

One CSV per day (``violating-sms-YYYY-MM-DD.csv``, UTF-8 with a byte-order mark so spreadsheet
software shows the Chinese text) with the columns of :data:`REPORT_COLUMNS`: the sender, the time
window of that day's fraud-classified messages (``start/end``, ISO 8601), how many, their class,
a masked sample and the domains in them. Re-running over the same run rewrites the same files.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pandas as pd

from fraudwall.content.runs import run_leads

REPORT_COLUMNS = ["sender", "time_window", "message_count", "class", "sample", "domain"]
DETECTOR = "fraud_sms"


def report_rows(leads: pd.DataFrame) -> pd.DataFrame:
    """One row per sender and day, from the ``per_day`` evidence of fraud_sms leads."""
    rows: list[dict[str, Any]] = []
    for lead in leads[leads["detector"] == DETECTOR].itertuples(index=False):
        f = json.loads(lead.evidence)["features"]
        for part in filter(None, str(f.get("per_day") or "").split(";")):
            day, n, t0, t1 = part.split("|")
            rows.append(
                {
                    "day": day,
                    "sender": lead.entity_id,
                    "time_window": f"{t0}/{t1}",
                    "message_count": int(n),
                    "class": f.get("fraud_class"),
                    "sample": f.get("sample"),
                    "domain": f.get("domains") or "",
                }
            )
    df = pd.DataFrame(rows, columns=["day", *REPORT_COLUMNS])
    return df.sort_values(["day", "sender"], ignore_index=True)


def write_sms_report(*, run: Path, out: Path) -> dict[str, Any]:
    """Write the per-day report files of a run into ``out``; returns the files and row count."""
    df = report_rows(run_leads(run))
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for day, part in df.groupby("day", sort=True):
        path = out / f"violating-sms-{day}.csv"
        tmp = path.with_name(f".{path.name}.tmp")
        part[REPORT_COLUMNS].to_csv(tmp, index=False, encoding="utf-8-sig")
        os.replace(tmp, path)
        files.append(str(path))
    return {"files": files, "rows": len(df), "senders": int(df["sender"].nunique())}
