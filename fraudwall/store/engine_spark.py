"""The Spark engine: the same Ibis code on a Spark cluster (or ``local[N]`` on one machine).

Needs the extra ``fraudwall[spark]`` (pyspark) and, for a local or ``spark://`` / YARN master,
a Java 17+ runtime on the driver (Debian: ``default-jre-headless``). A Spark Connect URL
(``sc://host:15002``) needs no local Java.

Every connection is its own Spark session (``SparkSession.newSession``) on the one shared
SparkContext, so temporary views of two runs never meet. Intermediates are materialised as
locally checkpointed DataFrames registered as temporary views: Ibis's PySpark backend has no
temporary tables, and a checkpoint also cuts the query plan so detectors built on features
built on features do not re-plan the whole chain.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.parquet as pq

from fraudwall.store.engine import Capability, Engine, EngineUnavailable

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

INSTALL_HINT = "pip install 'fraudwall[spark]'"
JAVA_HINT = "a Java 17+ runtime (Debian/Ubuntu: apt-get install default-jre-headless)"
#: Settings that make small local runs fast (local masters only; ``--spark-conf`` wins).
LOCAL_DEFAULTS = {
    "spark.sql.shuffle.partitions": "8",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.session.timeZone": "UTC",
}


def spark_session(master: str | None = None, conf: Mapping[str, str] | None = None) -> SparkSession:
    """The process's Spark session, started on first use with ``master`` and ``conf``.

    ``master`` is a Spark master URL (``local[2]``, ``spark://host:7077``, ``yarn``) or a Spark
    Connect URL (``sc://host:15002``). Without one, a running session is reused, else Spark's
    own default applies (``spark-submit --master``, ``$SPARK_MASTER``, else ``local[*]``).
    Raises :class:`~fraudwall.store.engine.EngineUnavailable` naming what to install when
    pyspark or Java is missing.
    """
    try:
        from pyspark import SparkContext
        from pyspark.sql import SparkSession
    except ImportError as e:
        raise EngineUnavailable(f"the spark engine needs pyspark: {INSTALL_HINT}") from e
    conf = dict(conf or {})
    remote = master is not None and master.startswith("sc://")
    if master is not None and remote:
        builder = SparkSession.builder.remote(master)
    else:
        if master is None and SparkContext._active_spark_context is not None:
            session = SparkSession.builder.getOrCreate()
            for k, v in conf.items():
                session.conf.set(k, v)
            return session
        if not _java_available():
            raise EngineUnavailable(f"the spark engine needs {JAVA_HINT}; none found on PATH")
        builder = SparkSession.builder
        master = master or os.environ.get("SPARK_MASTER")
        if master:
            builder = builder.master(master)
        # Under spark-submit (a gateway is already up) its settings stand; only a local
        # session started here gets the small-machine defaults.
        if (master or "local").startswith("local") and "PYSPARK_GATEWAY_PORT" not in os.environ:
            for k, v in LOCAL_DEFAULTS.items():
                builder = builder.config(k, conf.get(k, v))
    builder = builder.appName("fraudwall")
    for k, v in conf.items():
        builder = builder.config(k, v)
    try:
        session = builder.getOrCreate()
    except ImportError as e:  # Spark Connect's client libraries
        raise EngineUnavailable(
            f"Spark Connect needs its client libraries: pip install 'pyspark[connect]' ({e})"
        ) from e
    except Exception as e:
        raise EngineUnavailable(f"Spark did not start ({master or 'default master'}): {e}") from e
    if not remote:
        session.sparkContext.setLogLevel(os.environ.get("FRAUDWALL_SPARK_LOG_LEVEL", "ERROR"))
    return session


def _java_available() -> bool:
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return True
    return shutil.which("java") is not None


def parse_conf(pairs: Sequence[str]) -> dict[str, str]:
    """``["k=v", ...]`` from ``--spark-conf`` as a dict; a pair without ``=`` is an error.

    >>> parse_conf(["spark.executor.memory=4g"])
    {'spark.executor.memory': '4g'}
    """
    from fraudwall.errors import InputError

    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InputError(f"expected key=value, got {pair!r}", field="--spark-conf")
        out[key.strip()] = value.strip()
    return out


def _compiler() -> Any:
    """Ibis's PySpark SQL compiler plus the rules fraudwall's features need that it lacks."""
    import ibis.expr.operations as ops
    from ibis.backends.sql.compilers.pyspark import PySparkCompiler

    class Compiler(PySparkCompiler):
        __slots__ = ()
        # Spark >= 3.4 has mode() (Ibis's Databricks compiler maps it the same way).
        SIMPLE_OPS = {ops.Mode: "mode"}  # noqa: RUF012 - Ibis reads it at class creation

    return Compiler()


class SparkEngine(Engine):
    """Spark through Ibis's PySpark backend.

    ``open`` options: ``session`` (a SparkSession to use), ``master`` and ``conf`` (see
    :func:`spark_session`).
    """

    name: ClassVar[str] = "spark"
    backend: ClassVar[str] = "pyspark"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.DISTRIBUTED, Capability.DISTRIBUTED_INTERMEDIATES}
    )

    @classmethod
    def open(cls, **options: Any) -> SparkEngine:
        base = options.pop("session", None) or spark_session(
            options.pop("master", None), options.pop("conf", None)
        )
        # A Spark Connect session cannot fork sessions; it is one per client anyway.
        remote = type(base).__module__.startswith("pyspark.sql.connect")
        con = ibis.pyspark.connect(base if remote else base.newSession(), **options)
        con.compiler = _compiler()
        return cls(con)

    @property
    def session(self) -> SparkSession:
        return self.con._session

    def read_parquet(
        self, paths: Sequence[str | Path], table_name: str, *, base: str | Path | None = None
    ) -> ir.Table:
        reader = self.session.read
        if base is not None:
            # Partition columns (`day=`) come from the folders below basePath, as on DuckDB.
            reader = reader.option("basePath", str(base))
        reader.parquet(*[str(p) for p in paths]).createOrReplaceTempView(table_name)
        return self.con.table(table_name)

    def _frame(self, expr: ir.Table) -> DataFrame:
        self.con._run_pre_execute_hooks(expr)  # registers in-memory tables (memtables)
        return self.session.sql(self.con.compile(expr))

    def _write_parquet(self, expr: ir.Table, path: Path) -> None:
        # The executors compute and write part files (in parallel, on the cluster); the driver
        # then joins them into one file a batch at a time, in part order, which is the order
        # of a sorted result. Ibis's own to_pyarrow_batches would first collect it all here.
        path = Path(path)
        parts = path.with_name(f".{path.name}.parts")
        self._frame(expr).write.mode("overwrite").parquet(str(parts))
        # Spark writes INT96 timestamps and its own nullability: cast to the expression's types.
        schema = pa.schema([f.with_nullable(True) for f in expr.schema().to_pyarrow()])
        try:
            with pq.ParquetWriter(path, schema) as out:
                for part in sorted(parts.glob("part-*.parquet")):
                    for batch in pq.ParquetFile(part).iter_batches(batch_size=1 << 17):
                        out.write_batch(batch.select(schema.names).cast(schema))
        finally:
            shutil.rmtree(parts, ignore_errors=True)

    def _materialise(self, name: str, expr: ir.Table) -> ir.Table:
        df = self._frame(expr).localCheckpoint(eager=True)
        df.createOrReplaceTempView(name)
        return self.con.table(name)

    def close(self) -> None:
        # Only this session's views go; the SparkContext stays for the process's other runs.
        self.session.catalog.clearCache()
