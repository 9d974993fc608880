"""``daily`` hands its run to the case database: one case per entity + scenario."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from pathlib import Path

from conftest import batch, days_of
from sqlalchemy import func, select

from fraudwall.auth import Role, UserCreate
from fraudwall.auth.service import add_user
from fraudwall.cases.models import Case
from fraudwall.daily import daily
from fraudwall.db import open_database


def test_daily_imports_its_leads_as_cases(small_world: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cases.db'}"
    db = open_database(url)
    with db.session(via="test") as s:
        add_user(s, data=UserCreate(name="system-daily", role=Role.system), actor=None)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copytree(batch(small_world, 0), inbox / "d0")
    day = days_of(small_world / "data")[0]
    as_of = datetime.fromisoformat(day) + timedelta(days=1)
    kw = {"window": "1d", "as_of": as_of, "db_url": url, "report": False}
    missing_actor = daily(tmp_path / "ws", inbox, **kw)
    assert missing_actor.cases is None
    assert any("--as" in n for n in missing_actor.notices)
    shutil.copytree(batch(small_world, 1), inbox / "d1")
    res = daily(tmp_path / "ws", inbox, actor="system-daily", **kw)
    assert res.cases is not None and res.cases["cases"] > 0
    with db.session(via="test") as s:
        n = s.scalar(select(func.count()).select_from(Case))
    assert n == res.cases["cases"]
    db.dispose()
