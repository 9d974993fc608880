"""The review queue (cases, highest score first, one page at a time) reads an index in score
order instead of sorting every case per request."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from fraudwall.cases.models import Case
from fraudwall.cases.review import list_cases


@pytest.fixture
def queue(db):  # type: ignore[no-untyped-def]
    with db.session() as s:
        s.add_all(
            Case(
                entity_type="msisdn",
                entity_id=f"+86139{i:08d}",
                scenario="fraud_caller",
                score=(i % 97) / 97,
                risk_level="high" if i % 3 else "medium",
                detectors="outbound_burst",
                reasons="r",
                evidence="{}",
                evidence_hash=str(i),
                run_id="r1",
            )
            for i in range(2000)
        )
    return db


def test_pages_come_highest_score_first_with_ties_by_id(queue) -> None:
    with queue.session(readonly=True) as s:
        first = list_cases(s, level="high", limit=50)
        second = list_cases(s, level="high", limit=50, offset=50)
        everything = list_cases(s, level="high")
    keys = [(-c.score, c.id) for c in everything]
    assert keys == sorted(keys) and len(everything) == 1333
    assert [c.id for c in first + second] == [c.id for c in everything[:100]]
    assert {c.risk_level for c in everything} == {"high"}


def test_sqlite_walks_the_score_index(queue) -> None:
    if not queue.url.startswith("sqlite"):
        pytest.skip("the query plan checked is SQLite's")
    sql = (
        "EXPLAIN QUERY PLAN SELECT * FROM cases WHERE risk_level IN ('medium', 'high') "
        "ORDER BY score DESC, id LIMIT 50"
    )
    with queue.session(readonly=True) as s:
        plan = " ".join(str(row[-1]) for row in s.execute(text(sql)))
    assert "USING INDEX ix_cases_score" in plan and "TEMP B-TREE FOR ORDER BY" not in plan, plan
