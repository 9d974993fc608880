"""A small simulated world shared by the simulator tests (generated once per session)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import duckdb
import pytest

from fraudwall.contract import TABLES
from fraudwall.simulate import Summary, generate

#: The seed can be varied to check that no test depends on one particular world.
SUBSCRIBERS, DAYS, SEED = 4_000, 2, int(os.environ.get("FRAUDWALL_SIM_TEST_SEED", "11"))


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Summary:
    """A 4,000-subscriber, two-day world in Parquet."""
    return generate(tmp_path_factory.mktemp("world"), SUBSCRIBERS, DAYS, SEED)


@pytest.fixture(scope="session")
def db(world: Summary) -> Iterator[duckdb.DuckDBPyConnection]:
    """DuckDB views named after the contract tables, over the shared world."""
    con = duckdb.connect()
    con.execute("SET threads = 2")
    for name, table in TABLES.items():
        path = world.out_dir / (
            f"{name}/*.parquet" if table.time_column and name != "complaints" else f"{name}.parquet"
        )
        if name == "labels":  # the tests check the whole truth; the input holds a sample
            path = world.out_dir / "truth" / "labels.parquet"
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{path}')")
    police = world.out_dir / "labels.parquet"
    con.execute(f"CREATE VIEW police AS SELECT * FROM read_parquet('{police}')")
    con.execute("CREATE VIEW own AS SELECT msisdn FROM subscribers WHERE operator = 'CMCC'")
    con.execute(
        """CREATE VIEW planted AS SELECT DISTINCT entity_id AS msisdn FROM labels
           WHERE entity_type = 'msisdn' AND label <> 'victim'"""
    )
    yield con
    con.close()


@pytest.fixture(scope="session")
def one(db: duckdb.DuckDBPyConnection) -> Callable[[str], Any]:
    """Run a query over the shared world and return its single value."""

    def run(sql: str) -> Any:
        row = db.execute(sql).fetchone()
        assert row is not None
        return row[0]

    return run
