"""Finding tables in a data directory; the manifest."""

from __future__ import annotations

import pyarrow as pa
import pytest

from fraudwall.errors import InputError
from fraudwall.ingest.discover import discover


def test_files_directories_and_ignored_entries(inputs) -> None:
    inputs.minimal()
    inputs.csv("sms/2024-05-02.csv", [{"a": "1"}])
    inputs.csv("sms/2024-05-01.csv", [{"a": "1"}])
    inputs.parquet("sms/late/part-0.parquet", pa.table({"a": [1]}))
    inputs.csv("sms/_SUCCESS", [{"a": "1"}])  # a marker: skipped silently
    (inputs.root / "sms" / "notes.txt").write_text("x")
    inputs.parquet("cells.parquet", pa.table({"cell_id": ["c1"]}))
    inputs.csv("towers.csv", [{"a": "1"}])
    (inputs.root / "extra").mkdir()
    (inputs.root / ".hidden").write_text("x")

    found = discover(inputs.root)

    assert list(found.files) == ["subscribers", "calls", "sms", "cells"]  # contract order
    assert [f.name for f in found.files["sms"]] == [
        "sms/2024-05-01.csv",
        "sms/2024-05-02.csv",
        "sms/late/part-0.parquet",
    ]
    assert found.files["cells"][0].name == "cells.parquet"
    assert sorted(found.ignored) == ["extra/", "sms/notes.txt", "towers.csv"]
    assert found.manifest == {"timezone": "Asia/Shanghai"}


@pytest.mark.parametrize("missing", ["subscribers", "calls"])
def test_required_tables(inputs, missing: str) -> None:
    inputs.minimal()
    (inputs.root / f"{missing}.csv").unlink()
    with pytest.raises(InputError, match=f"required table '{missing}' not found"):
        discover(inputs.root)


def test_an_empty_table_directory_counts_as_missing(inputs) -> None:
    inputs.minimal()
    (inputs.root / "calls.csv").unlink()
    (inputs.root / "calls").mkdir()
    with pytest.raises(InputError, match="'calls'"):
        discover(inputs.root)


def test_missing_data_directory(tmp_path) -> None:
    with pytest.raises(InputError, match="data directory not found"):
        discover(tmp_path / "nope")


def test_manifest_time_zone(inputs) -> None:
    inputs.minimal()
    inputs.manifest(timezone="Europe/Berlin", operator="demo")
    assert discover(inputs.root).manifest == {"timezone": "Europe/Berlin", "operator": "demo"}


@pytest.mark.parametrize("content", ['{"timezone": "Mars/Olympus"}', "{not json", "[1, 2]"])
def test_bad_manifest(inputs, content: str) -> None:
    inputs.minimal()
    (inputs.root / "manifest.json").write_text(content, "utf-8")
    with pytest.raises(InputError, match=r"manifest\.json"):
        discover(inputs.root)
