"""The DuckDB engine: embedded, in-process, the default."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import ibis
import ibis.expr.types as ir

from fraudwall.store.engine import Capability, Engine


class DuckDBEngine(Engine):
    """DuckDB through Ibis; materialised intermediates are temporary tables (spill to disk).

    ``open`` options: ``threads`` (default: every core), ``memory_limit`` (default
    ``$FRAUDWALL_DUCKDB_MEMORY``), and any other ``ibis.duckdb.connect`` keyword (``database``).
    """

    name: ClassVar[str] = "duckdb"
    backend: ClassVar[str] = "duckdb"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.TEMP_TABLES, Capability.IN_PROCESS}
    )

    @classmethod
    def open(cls, **options: Any) -> DuckDBEngine:
        threads = options.pop("threads", os.cpu_count() or 1)
        memory_limit = options.pop("memory_limit", os.environ.get("FRAUDWALL_DUCKDB_MEMORY"))
        con = ibis.duckdb.connect(threads=threads, **options)
        if memory_limit:
            con.raw_sql(f"SET memory_limit = '{memory_limit}'")
        # Keep large intermediates off the heap (spills go next to the session's temp dir).
        con.raw_sql("SET preserve_insertion_order = false")
        return cls(con)

    def read_parquet(
        self, paths: Sequence[str | Path], table_name: str, *, base: str | Path | None = None
    ) -> ir.Table:
        # DuckDB reads `day=` folders as a column by itself (hive partitioning).
        return self.con.read_parquet([str(p) for p in paths], table_name=table_name)

    @classmethod
    def bounded_options(cls, memory: str, scratch: Path) -> dict[str, Any]:
        # Capped (``$FRAUDWALL_DUCKDB_MEMORY`` wins), so DuckDB spills to scratch, not grows.
        return {
            "memory_limit": os.environ.get("FRAUDWALL_DUCKDB_MEMORY") or memory,
            "temp_directory": str(scratch),
        }

    def _write_parquet(self, expr: ir.Table, path: Path) -> None:
        # DuckDB streams its result into the file itself.
        self.con.to_parquet(expr, path)
