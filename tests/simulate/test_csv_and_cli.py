"""CSV output (UTF-8 and GBK) reads back to the same data; the command line works."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from fraudwall.cli import app
from fraudwall.contract import TABLES
from fraudwall.simulate import generate


def _read_csv(path: Path, name: str, encoding: str) -> pa.Table:
    types = {c: pa.string() for c in TABLES[name].names}
    return pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(encoding=encoding),
        convert_options=pacsv.ConvertOptions(column_types=types, strings_can_be_null=True),
    )


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("csv")
    generate(root / "pq", 2_000, 1, seed=3)
    generate(root / "gbk", 2_000, 1, seed=3, fmt="csv", encoding="gbk")
    return root / "pq", root / "gbk"


@pytest.mark.parametrize(
    ("name", "rel"),
    [("subscribers", "subscribers"), ("calls", "calls/2026-03-02"), ("complaints", "complaints")],
)
def test_gbk_csv_reads_back_to_the_parquet_data(
    pair: tuple[Path, Path], name: str, rel: str
) -> None:
    pq_dir, csv_dir = pair
    expected = pq.read_table(pq_dir / f"{rel}.parquet")
    got = _read_csv(csv_dir / f"{rel}.csv", name, "gbk")
    assert got.column_names == TABLES[name].names
    assert got.num_rows == expected.num_rows
    for col in TABLES[name].columns:
        if col.dtype == "string":
            assert got[col.name].to_pylist() == expected[col.name].to_pylist(), col.name
        elif col.dtype == "timestamp":
            values = [v for v in got[col.name].to_pylist() if v is not None]
            assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", v) for v in values)
            as_ts = got[col.name].cast(pa.timestamp("us"))
            assert as_ts.to_pylist() == expected[col.name].to_pylist(), col.name


def test_gbk_files_are_really_gbk(pair: tuple[Path, Path]) -> None:
    raw = (pair[1] / "subscribers.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert "北京".encode("gbk") in raw or "上海".encode("gbk") in raw


def test_utf8_csv_and_ingest_accepts_every_row(tmp_path: Path) -> None:
    from fraudwall.ingest import ingest
    from fraudwall.store import Workspace

    summary = generate(tmp_path / "data", 2_000, 1, seed=4, fmt="csv")
    assert "北京".encode() in (tmp_path / "data/cells.csv").read_bytes()
    report = ingest(tmp_path / "data", Workspace(tmp_path / "ws"))
    for name, t in report.tables.items():
        assert t.rejected == 0, name
        assert t.accepted == summary.rows[name], name


def test_generate_rejects_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="subscribers"):
        generate(tmp_path, 100, 1, seed=1)
    with pytest.raises(ValueError, match="format"):
        generate(tmp_path, 2_000, 1, seed=1, fmt="xml")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="encoding"):
        generate(tmp_path, 2_000, 1, seed=1, fmt="csv", encoding="latin-1")
    assert not any(tmp_path.iterdir())  # nothing written on bad arguments


def test_cli_writes_a_world_and_summarises_it(tmp_path: Path) -> None:
    out = tmp_path / "w"
    result = CliRunner().invoke(
        app,
        [
            "simulate",
            "--subscribers",
            "2000",
            "--days",
            "1",
            "--seed",
            "2",
            "--out",
            str(out),
            "--start",
            "2026-05-04",
            "--texts",
            str(tmp_path / "texts.csv"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert (out / "calls" / "2026-05-04.parquet").is_file()
    texts = pacsv.read_csv(tmp_path / "texts.csv")
    assert texts.column_names == ["content", "label"] and texts.num_rows > 0
    for word in ("calls", "fraud_caller", "simbox_sim", "benign:call_centre"):
        assert word in result.output
    bad = CliRunner().invoke(app, ["simulate", "--out", str(out), "--format", "xml"])
    assert bad.exit_code == 2
    bad = CliRunner().invoke(app, ["simulate", "--out", str(out), "--start", "2026-13-01"])
    assert bad.exit_code == 2


def test_training_texts_are_the_same_from_parquet_and_gbk_csv(
    pair: tuple[Path, Path], tmp_path: Path
) -> None:
    from fraudwall.errors import InputError
    from fraudwall.simulate.texts import export_texts

    pq_dir, gbk_dir = pair
    n = export_texts(pq_dir, tmp_path / "pq.csv")
    assert n == export_texts(gbk_dir, tmp_path / "gbk.csv") > 0
    assert (tmp_path / "pq.csv").read_bytes() == (tmp_path / "gbk.csv").read_bytes()
    texts = pacsv.read_csv(tmp_path / "pq.csv").to_pandas()
    truth = pq.read_table(pq_dir / "truth" / "labels.parquet").to_pandas()
    kinds = set(truth.loc[truth["label"] == "fraud_sms", "detail"])
    assert kinds and set(texts["label"]) == {"normal", *kinds}  # every fraud type, and normal
    assert not texts.duplicated().any() and texts["content"].notna().all()
    with pytest.raises(InputError, match="no truth"):
        export_texts(tmp_path, tmp_path / "none.csv")
    no_sms = tmp_path / "no_sms"  # a world whose SMS files are missing
    (no_sms / "truth").mkdir(parents=True)
    shutil.copy(pq_dir / "truth" / "labels.parquet", no_sms / "truth")
    with pytest.raises(InputError, match="no sms files") as e:
        export_texts(no_sms, tmp_path / "none.csv")
    assert e.value.file == str(no_sms / "sms") and not (tmp_path / "none.csv").exists()
