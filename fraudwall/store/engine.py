"""Engine selection: a config string picks the Ibis backend that runs feature and detector queries.

Feature and detector code only ever sees Ibis tables; this module is the one place that knows
which engine is behind them. DuckDB is the embedded default; Spark is an optional extra.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from typing import Any

import ibis
import ibis.expr.types as ir

from fraudwall.store.workspace import Workspace

ENGINES = ("duckdb", "spark")


def connect(engine: str = "duckdb", **options: Any) -> ibis.BaseBackend:
    """Connect to an engine by name.

    >>> con = connect("duckdb")
    >>> con.name
    'duckdb'
    """
    if engine == "duckdb":
        threads = options.pop("threads", os.cpu_count() or 1)
        memory_limit = options.pop("memory_limit", os.environ.get("FRAUDWALL_DUCKDB_MEMORY"))
        con = ibis.duckdb.connect(threads=threads, **options)
        if memory_limit:
            con.raw_sql(f"SET memory_limit = '{memory_limit}'")
        # Keep large intermediates off the heap (spills go next to the session's temp dir).
        con.raw_sql("SET preserve_insertion_order = false")
        return con
    if engine == "spark":
        try:
            from pyspark.sql import SparkSession
        except ImportError as e:  # pragma: no cover - optional extra
            raise ImportError("the spark engine needs `pip install fraudwall[spark]`") from e
        session = options.pop("session", None) or SparkSession.builder.getOrCreate()
        return ibis.pyspark.connect(session, **options)  # pragma: no cover
    raise ValueError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")


class Tables(Mapping[str, ir.Table]):
    """The workspace's stored tables as Ibis tables on one connection, loaded on first use."""

    def __init__(self, workspace: Workspace, con: ibis.BaseBackend) -> None:
        self.workspace = workspace
        self.con = con
        self._cache: dict[str, ir.Table] = {}

    def __getitem__(self, name: str) -> ir.Table:
        if name not in self._cache:
            if not self.workspace.has(name):
                raise KeyError(name)
            self._cache[name] = self.con.read_parquet(
                self.workspace.glob(name), table_name=f"store_{name}"
            )
        return self._cache[name]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and (name in self._cache or self.workspace.has(name))

    def __iter__(self) -> Iterator[str]:
        return iter(self.workspace.tables())

    def __len__(self) -> int:
        return len(self.workspace.tables())
