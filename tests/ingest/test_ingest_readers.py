"""CSV/Parquet readers: encodings, header names, row numbers around malformed lines."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fraudwall.errors import InputError
from fraudwall.ingest import readers
from fraudwall.ingest.readers import detect_encoding, open_source

TEXT = "a,b,城市\n1,2,北京\n3,4,上海\n"


@pytest.mark.parametrize(
    ("encoding", "data", "expected"),
    [
        ("utf-8", TEXT.encode("utf-8"), "utf-8"),
        ("utf-8-sig", TEXT.encode("utf-8-sig"), "utf-8-sig"),
        ("gbk", TEXT.encode("gbk"), "gb18030"),
        ("gb18030", TEXT.encode("gb18030"), "gb18030"),
    ],
)
def test_encoding_detection(tmp_path: Path, encoding: str, data: bytes, expected: str) -> None:
    path = tmp_path / f"{encoding}.csv"
    path.write_bytes(data)
    assert detect_encoding(path) == expected
    source = open_source(path, path.name)
    assert source.columns == ["a", "b", "城市"]  # BOM stripped from the first name
    (batch,) = [b.data for b in source.batches(["城市"])]
    assert batch.column(0).to_pylist() == ["北京", "上海"]


def test_plain_ascii_reads_as_utf8(tmp_path: Path) -> None:
    path = tmp_path / "ascii.csv"
    path.write_bytes(b"a,b\n1,2\n")
    assert detect_encoding(path) == "utf-8"


def test_gbk_after_a_long_ascii_start_is_still_detected(tmp_path: Path) -> None:
    # The detector samples the middle and end of the file too, not only its start.
    ascii_rows = "x,y\n" + "1,2\n" * 400_000
    path = tmp_path / "late.csv"
    path.write_bytes(ascii_rows.encode() + "3,北京\n".encode("gbk"))
    assert detect_encoding(path) == "gb18030"


def test_header_names_are_trimmed_and_lowered(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text(" MSISDN , Holder_Type\n1,personal\n", "utf-8")
    assert open_source(path, "h.csv").columns == ["msisdn", "holder_type"]


def test_duplicate_header_name_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("a,A\n1,2\n", "utf-8")
    with pytest.raises(InputError, match=r"d\.csv.*twice"):
        open_source(path, "d.csv")


def test_empty_file_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_bytes(b"")
    with pytest.raises(InputError, match=r"e\.csv"):
        open_source(path, "e.csv")


def test_corrupt_parquet_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "c.parquet"
    path.write_bytes(b"PAR1 not really parquet")
    with pytest.raises(InputError, match=r"c\.parquet.*unreadable Parquet"):
        open_source(path, "c.parquet")


def test_parquet_rows_are_numbered_across_batches(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(readers, "PARQUET_BATCH_ROWS", 3)
    path = tmp_path / "p.parquet"
    pq.write_table(pa.table({"A": list(range(8)), "b": ["x"] * 8}), path)
    source = open_source(path, "p.parquet")
    assert source.columns == ["a", "b"]
    batches = list(source.batches(["a"]))
    rows = np.concatenate([b.rows for b in batches])
    values = [v for b in batches for v in b.data.column("a").to_pylist()]
    assert rows.tolist() == [v + 1 for v in values]
    assert batches[-1].bytes_read == path.stat().st_size


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    kinds=st.lists(st.sampled_from(["good", "short", "long", "blank"]), min_size=0, max_size=40),
    block=st.sampled_from([16, 64, 1 << 20]),
    truncated=st.booleans(),
)
def test_property_row_numbers_survive_malformed_lines(
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    kinds: list[str],
    block: int,
    truncated: bool,
) -> None:
    """Every data row (blank lines excluded) comes back exactly once with its 1-based number,
    good rows as data and malformed ones as bad lines, whatever the block size."""
    monkeypatch.setattr(readers, "CSV_BLOCK_BYTES", block)
    lines = ["id,b,c"]
    expected_good: list[int] = []
    expected_bad: list[int] = []
    number = 0
    for kind in kinds:
        if kind == "blank":
            lines.append("")
            continue
        number += 1
        lines.append(
            {"good": f"{number},x,y", "short": f"{number},x", "long": f"{number},x,y,z"}[kind]
        )
        (expected_good if kind == "good" else expected_bad).append(number)
    text = "\n".join(lines) + ("" if truncated else "\n")
    path = tmp_path_factory.mktemp("csv") / "t.csv"
    path.write_text(text, "utf-8")
    got_good: list[int] = []
    got_bad: list[int] = []
    ids: list[int] = []
    for batch in open_source(path, "t.csv").batches(["id"]):
        got_good += batch.rows.tolist()
        ids += [int(v) for v in batch.data.column("id").to_pylist()]
        got_bad += [b.row for b in batch.bad_lines]
    assert got_good == expected_good
    assert ids == expected_good  # each row's number is the one written into it
    assert sorted(got_bad) == expected_bad
