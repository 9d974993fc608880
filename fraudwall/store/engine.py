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

from fraudwall.contract import TABLES
from fraudwall.errors import InputError
from fraudwall.store.window import Window
from fraudwall.store.workspace import Workspace

ENGINES = ("duckdb", "spark")


def check_engine(engine: str) -> str:
    """The engine name if fraudwall knows it; else an :class:`~fraudwall.errors.InputError`.

    >>> check_engine("postgres")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    fraudwall.errors.InputError: field --engine: unknown engine 'postgres'; choose one of ...
    """
    if engine not in ENGINES:
        raise InputError(
            f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}", field="--engine"
        )
    return engine


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
    check_engine(engine)
    raise AssertionError("unreachable")  # pragma: no cover


class Tables(Mapping[str, ir.Table]):
    """The workspace's stored tables as Ibis tables on one connection, loaded on first use.

    With a ``window``, time-partitioned tables hold only the rows inside it, read from the
    day partitions it overlaps (the other days are never opened); tables without a time
    column (subscribers, cells, labels) are read whole.
    """

    def __init__(
        self, workspace: Workspace, con: ibis.BaseBackend, window: Window | None = None
    ) -> None:
        self.workspace = workspace
        self.con = con
        self.window = window
        self._cache: dict[str, ir.Table] = {}

    def _present(self, name: str) -> bool:
        spec = TABLES.get(name)
        if self.window is None or spec is None or spec.time_column is None:
            return self.workspace.has(name)
        return bool(self.workspace.parquet_files(name, days=self.window.days()))

    def __getitem__(self, name: str) -> ir.Table:
        if name not in self._cache:
            if not self._present(name):
                raise KeyError(name)
            spec = TABLES.get(name)
            if self.window is None or spec is None or spec.time_column is None:
                t = self.con.read_parquet(self.workspace.glob(name), table_name=f"store_{name}")
            else:
                files = [str(p) for p in self.workspace.parquet_files(name, self.window.days())]
                t = self.con.read_parquet(files, table_name=f"store_{name}")
                ts = t[spec.time_column]
                t = t.filter((ts >= self.window.start) & (ts < self.window.end))
            self._cache[name] = t
        return self._cache[name]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and (name in self._cache or self._present(name))

    def _names(self) -> list[str]:
        return [name for name in TABLES if self._present(name)]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())
