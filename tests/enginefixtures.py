"""One test suite on every engine: ``engine_name`` picks DuckDB or Spark local mode.

Tests use ``engine_con`` (or ``make_ctx``, which builds on it) and run on DuckDB by default.
A module opts into both engines with ``pytestmark = on_both_engines``; a known Spark gap is a
``spark_gap(reason)`` mark: a strict expected failure on Spark, so fixing it fails loudly.

Spark runs as one session-scoped ``local[2]`` SparkSession per test process (each test gets
its own ``newSession``), small shuffles, no UI: starting the JVM is the costly part.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from typing import Any

import ibis
import pytest

from fraudwall.store import connect

SPARK_TEST_CONF = {
    "spark.sql.shuffle.partitions": "2",
    "spark.default.parallelism": "2",
    "spark.driver.memory": "1g",
    "spark.ui.enabled": "false",
    "spark.sql.adaptive.enabled": "true",
}


def _spark_missing() -> str | None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (pip install 'fraudwall[spark]')"
    if shutil.which("java") is None:
        return "no Java runtime (apt-get install default-jre-headless)"
    return None


#: Spark is part of CI (the dev extra installs pyspark, .ci/system-packages a JRE): a machine
#: without them fails these tests instead of skipping them silently.
SPARK = pytest.param("spark", id="spark")
on_both_engines = pytest.mark.parametrize("engine_name", ["duckdb", SPARK])


def spark_gap(reason: str) -> pytest.MarkDecorator:
    """A known gap of the Spark engine: strict xfail on Spark only (see the module doc)."""
    return pytest.mark.spark_gap(reason=reason)


@pytest.fixture(scope="session")
def spark_session() -> Iterator[Any]:
    """The test process's one SparkSession (local[2])."""
    if why := _spark_missing():
        pytest.fail(f"the Spark tests need Spark: {why}")
    from fraudwall.store.engine_spark import spark_session as start

    session = start("local[2]", SPARK_TEST_CONF)
    yield session
    session.stop()


@pytest.fixture
def engine_name() -> str:
    """The engine under test; DuckDB unless a module parametrises it (``on_both_engines``)."""
    return "duckdb"


@pytest.fixture
def engine_con(request: pytest.FixtureRequest, engine_name: str) -> Callable[[], ibis.BaseBackend]:
    """A factory of fresh connections to the engine under test."""
    marker = request.node.get_closest_marker("spark_gap")
    if engine_name == "spark" and marker is not None:
        request.node.add_marker(pytest.mark.xfail(reason=marker.kwargs["reason"], strict=True))
    if engine_name == "spark":
        session = request.getfixturevalue("spark_session")
        return lambda: connect("spark", session=session)
    return lambda: connect("duckdb", threads=1)
