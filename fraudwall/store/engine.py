"""The engine layer: the one place that knows which query engine runs fraudwall's Ibis code.

Feature families and detectors are written once in Ibis and only ever see Ibis tables. What
differs between engines — how the store is read, how an intermediate is materialised, how a
small result comes back, what the engine cannot do — lives in an :class:`Engine`, one
implementation per backend (:mod:`fraudwall.store.engine_duckdb`,
:mod:`fraudwall.store.engine_spark`). DuckDB is the embedded default; Spark is the optional
extra ``fraudwall[spark]``.

Code that holds an Ibis connection gets its engine with :func:`engine_of`:

>>> con = connect("duckdb", threads=1)
>>> eng = engine_of(con)
>>> eng.name, Capability.TEMP_TABLES in eng.capabilities
('duckdb', True)
>>> import ibis
>>> eng.collect(eng.materialise("t", ibis.memtable({"x": [1, 2]})))["x"].tolist()
[1, 2]
"""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa

from fraudwall.contract import TABLES
from fraudwall.errors import FraudwallError, InputError
from fraudwall.store.window import Window
from fraudwall.store.workspace import Workspace
from fraudwall.timing import SHARED_SECTION, Ledger

ENGINES = ("duckdb", "spark")


class Capability(enum.StrEnum):
    """Things an engine may or may not do; each engine declares the ones it has."""

    #: Session-scoped tables that vanish with the connection (``CREATE TEMP TABLE``).
    TEMP_TABLES = "temp_tables"
    #: Work runs on several machines (executors); the driver only plans and collects.
    DISTRIBUTED = "distributed"
    #: Runs inside this Python process (no JVM, no cluster): results come back zero-copy.
    IN_PROCESS = "in_process"
    #: Materialised intermediates live in the executors' memory/disk, not in one process.
    DISTRIBUTED_INTERMEDIATES = "distributed_intermediates"


class EngineError(FraudwallError):
    """A query the engine could not run; carries the engine's name and the SQL that failed."""

    http_status = 500

    def __init__(self, engine: str, query: str, cause: BaseException) -> None:
        first = str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
        super().__init__(f"{engine} engine failed: {type(cause).__name__}: {first}\nquery: {query}")
        self.engine, self.query = engine, query


class EngineUnavailable(FraudwallError):
    """The engine cannot start here (a missing extra or runtime); says what to install."""

    http_status = 503


class Engine(ABC):
    """One query engine behind an Ibis connection: the operations the pipeline needs.

    Subclasses set :attr:`name` and :attr:`capabilities` and implement reading Parquet and
    writing one Parquet file; an engine without :attr:`Capability.TEMP_TABLES` also says how it
    materialises, and an engine that runs in this process says how to cap its memory. Errors are
    re-raised as :class:`EngineError` with the query.
    """

    name: ClassVar[str]
    capabilities: ClassVar[frozenset[Capability]]
    #: The Ibis backend name (``con.name``) this engine drives.
    backend: ClassVar[str]

    def __init__(self, con: ibis.BaseBackend) -> None:
        self.con = con

    def has(self, capability: Capability) -> bool:
        """Whether this engine declares ``capability``."""
        return capability in self.capabilities

    @abstractmethod
    def read_parquet(
        self, paths: Sequence[str | Path], table_name: str, *, base: str | Path | None = None
    ) -> ir.Table:
        """The Parquet files ``paths`` as one table named ``table_name``.

        Files under ``base`` in ``key=value`` folders get those keys as columns (the store's
        ``day=`` partitions), the same on every engine.
        """

    def _materialise(self, name: str, expr: ir.Table) -> ir.Table:
        if not self.has(Capability.TEMP_TABLES):
            raise NotImplementedError(f"the {self.name} engine must say how it materialises")
        return self.con.create_table(name, expr, temp=True)

    def materialise(self, name: str, expr: ir.Table) -> ir.Table:
        """Compute ``expr`` once and keep it for the rest of the connection, as ``name``.

        Feature families and detector hits are materialised so detectors share the work.
        """
        with self.failing_query(expr):
            return self._materialise(name, expr)

    @classmethod
    def bounded_options(cls, memory: str, scratch: Path) -> dict[str, Any]:
        """``open`` options for a batch job that must stay within ``memory`` on this machine,
        spilling to ``scratch`` (removed by the caller). An engine that manages its own memory
        (a cluster) needs none."""
        return {}

    def write_parquet(self, expr: ir.Table, path: Path) -> None:
        """Compute ``expr`` and write it, in its order, as the one Parquet file ``path``.

        The result is never held whole by this process; the file has ``expr``'s schema.
        """
        with self.failing_query(expr):
            self._write_parquet(expr, path)

    @abstractmethod
    def _write_parquet(self, expr: ir.Table, path: Path) -> None: ...

    def collect(self, expr: ir.Table) -> pd.DataFrame:
        """A (small) result as a pandas frame on the driver."""
        with self.failing_query(expr):
            return expr.execute()

    def collect_arrow(self, expr: ir.Table) -> pa.Table:
        """A (small) result as an Arrow table on the driver."""
        with self.failing_query(expr):
            return expr.to_pyarrow()

    def sql(self, expr: ir.Expr) -> str:
        """The SQL this engine runs for ``expr`` (shown in errors)."""
        try:
            return str(self.con.compile(expr))
        except Exception as e:  # the expression itself may be what cannot compile
            return f"<does not compile for {self.name}: {type(e).__name__}: {e}>"

    @contextmanager
    def failing_query(self, expr: ir.Expr) -> Iterator[None]:
        """An engine error inside becomes :class:`EngineError` carrying the SQL of ``expr``."""
        try:
            yield
        except FraudwallError:
            raise
        except Exception as e:
            raise EngineError(self.name, self.sql(expr), e) from e

    def close(self) -> None:
        """Release the connection (the Spark engine keeps the shared SparkContext running)."""
        self.con.disconnect()


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


def _implementations() -> dict[str, type[Engine]]:
    from fraudwall.store.engine_duckdb import DuckDBEngine
    from fraudwall.store.engine_spark import SparkEngine

    return {cls.name: cls for cls in (DuckDBEngine, SparkEngine)}


def engine_class(engine: str) -> type[Engine]:
    """The :class:`Engine` implementation of an engine name."""
    return _implementations()[check_engine(engine)]


def open_engine(engine: str = "duckdb", **options: Any) -> Engine:
    """Start an engine by name (see each implementation's ``open`` for its options)."""
    return engine_class(engine).open(**options)  # type: ignore[attr-defined]


def connect(engine: str = "duckdb", **options: Any) -> ibis.BaseBackend:
    """An Ibis connection to an engine by name.

    >>> con = connect("duckdb")
    >>> con.name
    'duckdb'
    """
    return open_engine(engine, **options).con


def engine_of(con: ibis.BaseBackend) -> Engine:
    """The :class:`Engine` driving an Ibis connection made by :func:`connect`."""
    for cls in _implementations().values():
        if cls.backend == con.name:
            return cls(con)
    raise InputError(f"no fraudwall engine drives Ibis backend {con.name!r}", field="--engine")


def once_per_run(
    tables: Mapping[str, ir.Table], name: str, build: Callable[[Mapping[str, ir.Table]], ir.Table]
) -> ir.Table:
    """``build(tables)``, computed once per run when ``tables`` is a run's :class:`Tables` (or a
    map over one that offers its ``derived``, as the feature cache's does).

    For an intermediate that several detectors derive alike from the stored tables: the run
    materialises it for all of them. Any other map (a test's memtables) gets it inline.
    """
    derived = getattr(tables, "derived", None)
    return derived(name, build) if callable(derived) else build(tables)


class Tables(Mapping[str, ir.Table]):
    """The workspace's stored tables as Ibis tables on one connection, loaded on first use.

    With a ``window``, time-partitioned tables hold only the rows inside it, read from the
    day partitions it overlaps (the other days are never opened); tables without a time
    column (subscribers, cells, labels) are read whole.
    """

    def __init__(
        self,
        workspace: Workspace,
        con: ibis.BaseBackend,
        window: Window | None = None,
        ledger: Ledger | None = None,
    ) -> None:
        self.workspace = workspace
        self.con = con
        self.engine = engine_of(con)
        self.window = window
        #: Where the time of each derived table goes (``features:NAME``, as a family's).
        self.ledger = ledger or Ledger()
        self._cache: dict[str, ir.Table] = {}
        self._derived: dict[str, ir.Table] = {}

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
            timed = not (self.window is None or spec is None or spec.time_column is None)
            days = self.window.days() if timed and self.window is not None else None
            files = [str(p) for p in self.workspace.parquet_files(name, days)]
            t = self.engine.read_parquet(
                files, table_name=f"store_{name}", base=self.workspace.table_dir(name)
            )
            if timed and self.window is not None and spec is not None and spec.time_column:
                ts = t[spec.time_column]
                t = t.filter((ts >= self.window.start) & (ts < self.window.end))
            self._cache[name] = t
        return self._cache[name]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and (name in self._cache or self._present(name))

    def derived(self, name: str, build: Callable[[Tables], ir.Table]) -> ir.Table:
        """``build(self)``, materialised on first use and kept for the connection.

        For an intermediate that several readers of one run derive from the stored tables
        alike (the sighting spans of the handset and SIM detectors): the engine computes it
        once instead of once each. It stays in the engine's memory until the connection
        closes, so a large one costs the run's peak memory for all of it.
        """
        if name not in self._derived:
            with self.ledger.section(f"{SHARED_SECTION}{name}"):
                self._derived[name] = self.engine.materialise(f"derived_{name}", build(self))
        return self._derived[name]

    def _names(self) -> list[str]:
        return [name for name in TABLES if self._present(name)]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())
