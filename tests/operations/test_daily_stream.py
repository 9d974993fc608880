"""A two-week stream delivered day by day: the last daily window equals a one-shot run."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from conftest import days_of, write_batch
from daystream import stream

from fraudwall.daily import daily
from fraudwall.pipeline import run
from fraudwall.simulate import generate

pytestmark = pytest.mark.slow

KEY = ["entity_type", "entity_id", "scenario", "detector"]


def _leads(path: Path) -> pd.DataFrame:
    df = pd.read_parquet(path).drop(columns=["run_id"])
    return df.sort_values(KEY, ignore_index=True)


#: twice the 7-day window: every window slides over days that earlier runs held (each daily run
#: costs the same fixed ~15 s of detection on a 2-core machine, so days are what this test costs)
DAYS = 14


def test_days_delivered_one_by_one_equal_a_one_shot_run_over_the_last_seven(tmp_path):
    data = tmp_path / "data"
    generate(data, subscribers=3_000, days=DAYS, seed=15_0330)
    days = days_of(data)
    inbox, ws = tmp_path / "inbox", tmp_path / "ws"
    inbox.mkdir()
    full = tmp_path / "all-batches"
    stream(data, full)
    runs = []
    for d in days:  # one delivery a day, then the scheduled job
        (full / d).rename(inbox / d)
        as_of = datetime.fromisoformat(d) + timedelta(days=1)
        res = daily(ws, inbox, window="7d", as_of=as_of, report=False)
        assert res.ingested == [d] and res.exit_code == 0
        runs.append(Path(res.run_dir))
    again = daily(ws, inbox, window="7d", report=False)  # idempotent: nothing new, no run
    assert again.ingested == [] and len(again.already_done) == DAYS
    assert again.run_dir == str(runs[-1])

    last = json.loads((runs[-1] / "run.json").read_text())
    assert last["window"]["days"] == days[-7:]
    run(write_batch(data, tmp_path / "last7", days[-7:]), tmp_path / "one", report=False)
    a, b = _leads(runs[-1] / "leads.parquet"), _leads(tmp_path / "one" / "leads.parquet")
    assert len(a) > 100
    pd.testing.assert_frame_equal(a, b)
    # Consecutive runs line up by entity + scenario: yesterday's cases are mostly still there.
    prev = _leads(runs[-2] / "leads.parquet")
    keys = lambda df: set(map(tuple, df[["entity_type", "entity_id", "scenario"]].to_numpy()))  # noqa: E731
    assert len(keys(a) & keys(prev)) > 0.5 * len(keys(prev))
