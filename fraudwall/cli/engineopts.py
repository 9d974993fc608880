"""Options that pick and configure the query engine, shared by every command that computes
features (``run``, ``detect``, ``model train --workspace``)."""

from __future__ import annotations

from typing import Annotated

import typer

EngineOpt = Annotated[str, typer.Option("--engine", help="query engine: duckdb or spark")]
SparkMasterOpt = Annotated[
    str | None,
    typer.Option(
        "--spark-master",
        help="Spark master URL (local[2], spark://host:7077, yarn) or Spark Connect URL "
        "(sc://host:15002); default: spark-submit's, else local[*]",
    ),
]
SparkConfOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--spark-conf",
        help="Spark setting key=value (repeatable), e.g. spark.executor.memory=8g",
    ),
]


def start_engine(engine: str, master: str | None, conf: list[str] | None) -> str:
    """Check the engine options and start Spark when asked; returns the engine name.

    Spark starts here, before any work, so a missing pyspark or Java fails at once with
    what to install; the run then uses this session (see :mod:`fraudwall.store.engine_spark`).
    """
    from fraudwall.errors import InputError
    from fraudwall.store.engine import check_engine

    check_engine(engine)
    if engine != "spark":
        if master or conf:
            raise InputError(
                "--spark-master and --spark-conf need --engine spark", field="--engine"
            )
        return engine
    from fraudwall.store.engine_spark import parse_conf, spark_session

    spark_session(master, parse_conf(conf or []))
    return engine


#: ``--engine`` of the graph queries (trace, rings, look-alikes): only a build uses it.
GraphEngineOpt = Annotated[
    str,
    typer.Option(
        "--engine",
        help="query engine that builds the graph when it is missing or stale: duckdb or spark "
        "(a current graph is reused, whichever engine built it)",
    ),
]
