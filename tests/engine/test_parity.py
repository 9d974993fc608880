"""The whole pipeline on both engines: `fraudwall run --engine spark` gives DuckDB's leads.

A small simulated world is run once per engine through the CLI; the leads must be the same
(entity, detector, risk level) and every feature family equal within float tolerance.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from fraudwall.cli import app
from fraudwall.features.base import FeatureCache, load_families
from fraudwall.simulate import generate
from fraudwall.store import Tables, Workspace, connect

LEAD_IDENTITY = ["entity_type", "entity_id", "detector", "risk_level"]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("parity") / "data"
    generate(data, subscribers=2_000, days=1, seed=13)
    return data


@pytest.fixture(scope="module")
def runs(world: Path, spark_session: Any) -> dict[str, Path]:
    out = {}
    for engine in ("duckdb", "spark"):
        run_dir = world.parent / f"run-{engine}"
        res = CliRunner().invoke(
            app, ["run", "--data", str(world), "--out", str(run_dir), "--engine", engine]
        )
        assert res.exit_code == 0, res.output
        out[engine] = run_dir
    return out


def _leads(run_dir: Path) -> pd.DataFrame:
    leads = pd.read_parquet(run_dir / "leads.parquet")
    return leads[LEAD_IDENTITY].sort_values(LEAD_IDENTITY).reset_index(drop=True)


def test_spark_run_gives_the_same_leads(runs: dict[str, Path]) -> None:
    duck, spark = _leads(runs["duckdb"]), _leads(runs["spark"])
    assert len(duck) > 100, "the parity world should plant enough fraud to compare"
    assert set(duck["detector"]) == set(spark["detector"])
    pd.testing.assert_frame_equal(duck, spark)


def test_spark_run_records_its_engine(runs: dict[str, Path]) -> None:
    import json

    body = json.loads((runs["spark"] / "run.json").read_text("utf-8"))
    assert body["engine"] == "spark"
    assert body["detectors_failed"] == {}


#: Families whose values legitimately differ between engines, with why (strict xfail: a fix
#: makes the test pass and so fail loudly, to be removed here).
ENGINE_DEFINED: dict[str, str] = {}


def _family_params() -> list[Any]:
    return [
        pytest.param(
            name,
            marks=pytest.mark.xfail(reason=ENGINE_DEFINED[name], strict=True)
            if name in ENGINE_DEFINED
            else (),
        )
        for name in load_families()
    ]


@pytest.fixture(scope="module")
def features(runs: dict[str, Path], spark_session: Any) -> dict[str, dict[str, pd.DataFrame]]:
    """Every feature family of the parity world, computed on each engine."""
    ws = Workspace(runs["duckdb"])
    got: dict[str, dict[str, pd.DataFrame]] = {}
    for engine, con in (
        ("duckdb", connect("duckdb", threads=1)),
        ("spark", connect("spark", session=spark_session)),
    ):
        tables = Tables(ws, con)
        cache = FeatureCache(tables, con)
        got[engine] = {
            name: cache[name].execute().sort_values("entity_id").reset_index(drop=True)
            for name in load_families()
            if cache.available(name)
        }
    return got


@pytest.mark.parametrize("family", _family_params())
def test_feature_family_is_equal_on_both_engines(
    features: dict[str, dict[str, pd.DataFrame]], family: str
) -> None:
    duck, spark = features["duckdb"][family], features["spark"][family]
    assert len(duck) > 0, "the parity world should give every family rows"
    pd.testing.assert_frame_equal(
        duck,
        spark,
        check_dtype=False,  # e.g. int32 vs int64 counts; the values must agree
        check_exact=False,
        rtol=1e-9,
        atol=1e-9,
        obj=f"feature family {family}",
    )
