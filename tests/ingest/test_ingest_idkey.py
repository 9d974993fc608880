"""``fraudwall ingest --id-key-file``: raw ID numbers become a keyed hash at the reader."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from fraudwall.cli import app
from fraudwall.errors import InputError
from fraudwall.ingest.idkey import pseudonymise_id, read_key_file

RAW = "11010119900307123X"
KEY = bytes(range(32))


def _no_raw_anywhere(ws, raw: str) -> None:
    for path in ws.path.rglob("*"):
        if path.suffix == ".parquet":
            text = json.dumps(pq.read_table(path).to_pylist(), default=str, ensure_ascii=False)
        elif path.is_file():
            text = path.read_bytes().decode("utf-8", "replace")
        else:
            continue
        assert raw not in text and raw.lower() not in text, path


def test_raw_ids_are_hashed_before_store_and_quarantine(
    inputs, ws, run, store_of, quarantine_of
) -> None:
    s = inputs.subscriber
    other = "320102198001011234"
    inputs.csv(
        "subscribers.csv",
        [
            s(1, holder_id_hash=RAW),
            s(2, holder_id_hash=RAW.lower()),  # the same person, written with a lower-case x
            s(3),  # already hashed by the operator: left alone
            s(4, holder_id_hash=other, holder_type="alien"),  # rejected for another field
        ],
    )
    inputs.csv("calls.csv", [inputs.call(1)])
    label = {
        "entity_type": "holder_id_hash",
        "entity_id": RAW,
        "label": "id_many_cards",
        "source": "police",
        "at": "2024-05-01 00:00:00",
    }
    number_label = {**label, "entity_type": "msisdn", "entity_id": "13800000001"}
    inputs.csv("labels.csv", [label, number_label])
    run(id_key=KEY)
    holders = store_of("subscribers").column("holder_id_hash").to_pylist()
    want = pseudonymise_id(RAW, KEY)
    assert holders == [want, want, "h0003"]
    (q,) = quarantine_of("subscribers")
    assert q["field"] == "holder_type"
    assert other not in q["raw"] and pseudonymise_id(other, KEY) in q["raw"]
    labels = store_of("labels").to_pylist()
    assert {r["entity_type"]: r["entity_id"] for r in labels}["holder_id_hash"] == want
    _no_raw_anywhere(ws, RAW)
    _no_raw_anywhere(ws, other)


def test_a_different_key_gives_a_different_pseudonym() -> None:
    assert pseudonymise_id(RAW, KEY) != pseudonymise_id(RAW, bytes(32))
    assert pseudonymise_id(RAW, KEY) != pseudonymise_id("11010119900307124X", KEY)


def test_without_a_key_raw_ids_are_still_rejected(inputs, ws, run, quarantine_of) -> None:
    inputs.csv("subscribers.csv", [inputs.subscriber(1, holder_id_hash=RAW)])
    inputs.csv("calls.csv", [inputs.call(1)])
    run()
    (q,) = quarantine_of("subscribers")
    assert q["reason"] == "raw ID number where a hash is expected"
    _no_raw_anywhere(ws, RAW)


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "no such key file"), ("abc123", "64 or more hex"), ("zz" * 40, "64 or more hex")],
)
def test_bad_key_files_are_refused_with_the_file_named(tmp_path, content, message) -> None:
    path = tmp_path / "id.key"
    if content is not None:
        path.write_text(content)
    with pytest.raises(InputError, match=message) as err:
        read_key_file(path)
    assert err.value.file == str(path)


def test_cli_takes_the_key_file_and_refuses_a_bad_one(inputs, ws, tmp_path) -> None:
    inputs.csv("subscribers.csv", [inputs.subscriber(1, holder_id_hash=RAW)])
    inputs.csv("calls.csv", [inputs.call(1)])
    bad = tmp_path / "bad.key"
    bad.write_text("not a key")
    args = ["ingest", "--data", str(inputs.root), "--workspace", str(ws.path)]
    result = CliRunner().invoke(app, [*args, "--id-key-file", str(bad)])
    assert result.exit_code == 2 and "bad.key" in result.output
    assert not ws.parquet_files("subscribers")
    good = tmp_path / "id.key"
    good.write_text(KEY.hex() + "\n")
    assert read_key_file(good) == KEY
    result = CliRunner().invoke(app, [*args, "--id-key-file", str(good)])
    assert result.exit_code == 0, result.output
    table = pq.read_table(ws.parquet_files("subscribers")[0])
    assert table.column("holder_id_hash").to_pylist() == [pseudonymise_id(RAW, KEY)]
    _no_raw_anywhere(ws, RAW)
