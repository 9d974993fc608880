"""The engine layer: declared capabilities, errors that carry the query, clear refusals."""

from __future__ import annotations

import sys
from pathlib import Path

import ibis
import pytest
from enginefixtures import on_both_engines
from typer.testing import CliRunner

from fraudwall.cli import app
from fraudwall.errors import InputError
from fraudwall.store.engine import (
    Capability,
    EngineError,
    EngineUnavailable,
    check_engine,
    engine_of,
)
from fraudwall.store.engine_spark import parse_conf, spark_session


def test_unknown_engine_is_refused_by_name():
    with pytest.raises(InputError, match="unknown engine 'postgres'"):
        check_engine("postgres")


@on_both_engines
def test_each_engine_declares_what_it_can_do(engine_con, engine_name):
    eng = engine_of(engine_con())
    assert eng.name == engine_name
    # DuckDB has temporary tables; Spark has none and materialises its own way.
    assert eng.has(Capability.TEMP_TABLES) == (engine_name == "duckdb")
    assert eng.has(Capability.DISTRIBUTED) == (engine_name == "spark")


@on_both_engines
def test_materialised_tables_are_computed_once_and_readable(engine_con):
    eng = engine_of(engine_con())
    t = ibis.memtable({"g": ["a", "a", "b"], "x": [1, 2, 3]})
    out = eng.materialise("sums", t.group_by("g").agg(s=t.x.sum()))
    assert eng.collect(out.order_by("g"))["s"].tolist() == [3, 3]
    assert eng.collect_arrow(out.order_by("g"))["g"].to_pylist() == ["a", "b"]


@on_both_engines
def test_an_engine_error_carries_the_query_that_failed(engine_con, engine_name):
    eng = engine_of(engine_con())
    t = ibis.memtable({"x": ["12", "not a number"]})
    bad = t.mutate(n=t.x.cast("int64"))
    with pytest.raises(EngineError) as info:
        eng.collect(eng.materialise("bad", bad))
    assert info.value.engine == engine_name
    assert "CAST" in info.value.query.upper() and "query:" in str(info.value)


def test_spark_conf_pairs_must_be_key_value():
    assert parse_conf(["a.b=1", "c = x=y"]) == {"a.b": "1", "c": "x=y"}
    with pytest.raises(InputError, match=r"--spark-conf.*'nope'"):
        parse_conf(["nope"])


def test_without_pyspark_the_message_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "pyspark", None)  # what an install without the extra sees
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    with pytest.raises(EngineUnavailable, match=r"pip install 'fraudwall\[spark\]'"):
        spark_session("local[1]")


def test_without_java_the_message_says_what_to_install(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(EngineUnavailable, match="default-jre-headless"):
        spark_session("local[1]")


def test_cli_run_on_spark_without_pyspark_fails_with_the_install_hint(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "pyspark", None)
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    res = CliRunner().invoke(
        app, ["run", "--data", str(tmp_path), "--out", str(tmp_path / "o"), "--engine", "spark"]
    )
    assert res.exit_code == 2
    assert "fraudwall[spark]" in res.output
    assert not (tmp_path / "o").exists()  # refused before any work


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--engine", "spark", "--spark-conf", "novalue"], "--spark-conf"),
        (["--engine", "duckdb", "--spark-master", "local[2]"], "need --engine spark"),
        (["--engine", "flink"], "unknown engine 'flink'"),
    ],
)
def test_cli_refuses_bad_engine_options(tmp_path: Path, args, message):
    res = CliRunner().invoke(
        app, ["run", "--data", str(tmp_path), "--out", str(tmp_path / "o"), *args]
    )
    assert res.exit_code == 2
    assert message in res.output
    assert not (tmp_path / "o").exists()


def test_model_train_takes_the_engine_options(tmp_path: Path):
    res = CliRunner().invoke(
        app,
        [
            "model",
            "train",
            "--workspace",
            str(tmp_path),
            "--out",
            str(tmp_path / "m"),
            "--engine",
            "duckdb",
            "--spark-conf",
            "a=b",
        ],
    )
    assert res.exit_code == 2
    assert "need --engine spark" in res.output


@on_both_engines
def test_write_parquet_gives_one_file_in_the_expressions_order(engine_con, tmp_path: Path):
    import pyarrow.parquet as pq

    eng = engine_of(engine_con())
    t = ibis.memtable({"k": [f"k{i % 7}" for i in range(50)], "x": list(range(50))})
    expr = t.group_by("k").agg(n=t.x.count(), s=t.x.sum()).order_by(ibis.desc("s"))
    eng.write_parquet(expr, tmp_path / "out.parquet")
    assert [p.name for p in tmp_path.iterdir()] == ["out.parquet"]  # no part-file folder
    got = pq.ParquetFile(tmp_path / "out.parquet").read()
    assert got.schema.names == ["k", "n", "s"] and got.num_rows == 7
    assert got["s"].to_pylist() == sorted(got["s"].to_pylist(), reverse=True)
    assert got["s"].to_pylist()[0] == sum(range(0, 50, 7))  # k0: 0, 7, ..., 49


def test_only_the_embedded_engine_takes_a_memory_cap(tmp_path: Path, monkeypatch):
    from fraudwall.store.engine import engine_class

    monkeypatch.delenv("FRAUDWALL_DUCKDB_MEMORY", raising=False)
    assert engine_class("duckdb").bounded_options("3GB", tmp_path) == {
        "memory_limit": "3GB",
        "temp_directory": str(tmp_path),
    }
    monkeypatch.setenv("FRAUDWALL_DUCKDB_MEMORY", "1GB")
    assert engine_class("duckdb").bounded_options("3GB", tmp_path)["memory_limit"] == "1GB"
    assert engine_class("spark").bounded_options("3GB", tmp_path) == {}
