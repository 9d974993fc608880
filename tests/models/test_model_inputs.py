"""Reading and checking FEATURES, LABELS and EDGES: every bad input names file, row and column."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fraudwall.errors import InputError
from fraudwall.models import read_edges, read_features, read_labels


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding)
    return path


def test_features_csv_parsed_with_missing_markers(tmp_path: Path) -> None:
    f = read_features(write(tmp_path / "f.csv", "phone,calls,sms\na,1,2.5\nb,,NULL\nc,3,NA\n"))
    assert list(f.columns) == ["calls", "sms"]
    assert list(f.index) == ["a", "b", "c"]
    assert f.dtypes.eq(np.float64).all()
    assert f.loc["a", "sms"] == 2.5
    assert f.loc[["b", "c"], "sms"].isna().all() and np.isnan(f.loc["b", "calls"])


def test_features_parquet_and_named_id_column(tmp_path: Path) -> None:
    df = pd.DataFrame({"calls": [1.0, 2.0], "msisdn": ["x", "y"], "sms": [3, 4]})
    df.to_parquet(tmp_path / "f.parquet")
    f = read_features(tmp_path / "f.parquet", id_column="msisdn")
    assert list(f.columns) == ["calls", "sms"]
    assert f.loc["y", "sms"] == 4.0


def test_gbk_csv_is_read(tmp_path: Path) -> None:
    f = read_features(write(tmp_path / "f.csv", "号码,通话次数\n甲,1\n乙,2\n", encoding="gbk"))
    assert list(f.columns) == ["通话次数"] and list(f.index) == ["甲", "乙"]


def test_non_numeric_value_names_row_and_column(tmp_path: Path) -> None:
    path = write(tmp_path / "f.csv", "id,calls,sms\na,1,2\nb,3,4\nc,5,lots\n")
    with pytest.raises(InputError) as e:
        read_features(path)
    assert (e.value.file, e.value.row, e.value.field) == (str(path), 3, "sms")
    assert "lots" in str(e.value)


def test_missing_id_column(tmp_path: Path) -> None:
    path = write(tmp_path / "f.csv", "id,calls\na,1\n")
    with pytest.raises(InputError, match="id column 'msisdn' not found"):
        read_features(path, id_column="msisdn")


@pytest.mark.parametrize(
    ("text", "row", "message"),
    [("id,calls\na,1\na,2\n", 2, "duplicate id"), ("id,calls\na,1\n,2\n", 2, "empty id")],
)
def test_bad_ids(tmp_path: Path, text: str, row: int, message: str) -> None:
    with pytest.raises(InputError, match=message) as e:
        read_features(write(tmp_path / "f.csv", text))
    assert e.value.row == row


def test_features_need_a_feature_column(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no feature columns"):
        read_features(write(tmp_path / "f.csv", "id\na\n"))


def test_missing_file() -> None:
    with pytest.raises(InputError, match="file not found"):
        read_features(Path("/nonexistent/features.csv"))


@pytest.fixture
def feature_ids() -> pd.Index:
    return pd.Index(["a", "b", "c", "d"])


def test_labels_read(tmp_path: Path, feature_ids: pd.Index) -> None:
    labels = read_labels(write(tmp_path / "l.csv", "id,label\na,1\nc,0\n"), feature_ids=feature_ids)
    assert labels.to_dict() == {"a": 1, "c": 0}


def test_label_ids_absent_from_features(tmp_path: Path, feature_ids: pd.Index) -> None:
    path = write(tmp_path / "l.csv", "id,label\na,1\nzz,0\nb,0\n")
    with pytest.raises(InputError, match="'zz' is not in the feature table") as e:
        read_labels(path, feature_ids=feature_ids)
    assert (e.value.file, e.value.row, e.value.field) == (str(path), 2, "id")


@pytest.mark.parametrize("bad", ["2", "yes", "0.5"])
def test_labels_must_be_zero_or_one(tmp_path: Path, feature_ids: pd.Index, bad: str) -> None:
    path = write(tmp_path / "l.csv", f"id,label\na,1\nb,0\nc,{bad}\n")
    with pytest.raises(InputError) as e:
        read_labels(path, feature_ids=feature_ids)
    assert (e.value.row, e.value.field) == (3, "label")


def test_labels_need_both_classes(tmp_path: Path, feature_ids: pd.Index) -> None:
    with pytest.raises(InputError, match="only one class"):
        read_labels(write(tmp_path / "l.csv", "id,label\na,1\nb,1\n"), feature_ids=feature_ids)


def test_edges_read(tmp_path: Path, feature_ids: pd.Index) -> None:
    edges = read_edges(
        write(tmp_path / "e.csv", "caller,callee\na,b\nb,c\n"), feature_ids=feature_ids
    )
    assert edges.to_dict("list") == {"src": ["a", "b"], "dst": ["b", "c"]}


def test_graph_naming_unknown_ids(tmp_path: Path, feature_ids: pd.Index) -> None:
    path = write(tmp_path / "e.csv", "src,dst\na,b\nb,c\nc,stranger\n")
    with pytest.raises(InputError, match="'stranger' is not in the feature table") as e:
        read_edges(path, feature_ids=feature_ids)
    assert (e.value.row, e.value.field) == (3, "dst")


def test_edges_need_two_columns(tmp_path: Path, feature_ids: pd.Index) -> None:
    with pytest.raises(InputError, match="two id columns"):
        read_edges(write(tmp_path / "e.csv", "src\na\n"), feature_ids=feature_ids)
