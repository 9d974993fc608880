"""Ingesting whole data directories: store, quarantine row by row, duplicates, idempotence."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import fraudwall.ingest.orchestrate as orchestrate
from fraudwall.contract import TABLES
from fraudwall.errors import InputError
from fraudwall.ingest import IngestProgress, ingest, stored_schema
from fraudwall.ingest.log import LOG_NAME


def _files_snapshot(ws) -> dict[str, bytes]:
    return {
        str(p.relative_to(ws.path)): p.read_bytes()
        for p in sorted(ws.path.rglob("*"))
        if p.is_file() and ".staging" not in p.parts
    }


# -- the happy path -----------------------------------------------------------------------------
def test_valid_input_is_stored_in_the_canonical_layout(inputs, ws, run, store_of) -> None:
    inputs.minimal(calls=6, subscribers=3)
    report = run()

    calls = store_of("calls")
    assert sorted(calls.column("record_id").to_pylist()) == [f"r{i}" for i in range(6)]
    assert report.tables["calls"].accepted == 6
    assert report.tables["subscribers"].accepted == 3
    assert calls.column("msisdn_raw").to_pylist()[0].startswith("138")
    assert all(m.startswith("+86138") for m in calls.column("msisdn").to_pylist())
    for name in ("calls", "subscribers"):
        for f in ws.parquet_files(name):
            assert pq.read_schema(f).remove_metadata() == stored_schema(TABLES[name])
    # calls are partitioned by the local date of started_at; subscribers are flat
    days = {f.parent.name for f in ws.parquet_files("calls")}
    assert days == {"day=2024-05-01", "day=2024-05-02"}
    for f in ws.parquet_files("calls"):
        dates = {d.date().isoformat() for d in pq.read_table(f).column("started_at").to_pylist()}
        assert {f"day={d}" for d in dates} == {f.parent.name}
    assert all(f.parent == ws.table_dir("subscribers") for f in ws.parquet_files("subscribers"))
    assert ws.manifest["timezone"] == "Asia/Shanghai"


def test_quarantine_is_checked_row_by_row(inputs, ws, run, store_of, quarantine_of) -> None:
    c = inputs.call
    future = (inputs.now + timedelta(days=2)).strftime("%Y-%m-%d %H:%M:%S")
    # (row as written, expected failing field, expected reason); None = accepted
    cases = [
        (c(1), None, None),
        (c(2, duration_s="abc"), "duration_s", "not an integer"),
        (c(3, duration_s="1.5"), "duration_s", "not an integer"),
        (c(4, direction="XX"), "direction", "not one of MO, MT, FWD"),
        (c(5, duration_s="-5"), "duration_s", "below minimum 0"),
        (c(6, msisdn=""), "msisdn", "missing value"),
        (c(7, msisdn="138abc45678"), "msisdn", "not a phone number"),
        (c(8, started_at="1999-12-31 23:59:59"), "started_at", "before 2000-01-01"),
        (c(9, started_at=future), "started_at", "more than a day in the future"),
        (c(10, started_at="2024-02-30 10:00:00"), "started_at", "not a time stamp"),
        (c(11, direction="mt"), None, None),  # allowed values match case-insensitively
        (c(12, msisdn="x", direction="XX"), "msisdn", "not a phone number"),  # first field
        (c(13), None, None),
    ]
    inputs.csv("subscribers.csv", [inputs.subscriber(0)])
    inputs.csv("calls.csv", [row for row, _, _ in cases], tail="r14,138")  # truncated
    report = run()

    expected = [
        (n, field, reason, row[field])
        for n, (row, field, reason) in enumerate(cases, start=1)
        if field is not None
    ] + [(len(cases) + 1, None, "wrong number of fields", "2 fields, expected 6")]
    got = quarantine_of("calls")
    assert [(q["row"], q["field"], q["reason"], q["value"]) for q in got] == expected
    for q in got:
        assert q["table"] == "calls" and q["file"] == "calls.csv"
        raw = json.loads(q["raw"])
        assert raw["record_id"] == f"r{q['row']}"  # raw is the row as read
    kept = store_of("calls")
    accepted = [row["record_id"] for row, field, _ in cases if field is None]
    assert sorted(kept.column("record_id").to_pylist()) == sorted(accepted)
    assert "MT" in kept.column("direction").to_pylist()
    fr = report.tables["calls"].files[0]
    assert (fr.rows_read, fr.accepted, fr.rejected, fr.duplicates) == (14, 3, 11, 0)
    assert report.rejected_by_reason()["calls"] == dict(Counter(q["reason"] for q in got))


def test_missing_required_column_names_file_and_column(inputs, ws) -> None:
    inputs.csv("subscribers.csv", [inputs.subscriber(0)])
    rows = [{k: v for k, v in inputs.call(i).items() if k != "duration_s"} for i in range(2)]
    inputs.csv("calls.csv", rows)
    with pytest.raises(InputError) as err:
        ingest(inputs.root, ws, now=inputs.now)
    assert err.value.field == "duration_s"
    assert err.value.file is not None and err.value.file.endswith("calls.csv")
    assert "calls.csv" in str(err.value) and "duration_s" in str(err.value)
    # headers are checked before anything is written
    assert not ws.store_dir.exists() and not ws.quarantine_dir.exists()


def test_unknown_columns_and_entries_are_dropped_with_a_notice(inputs, run, store_of) -> None:
    inputs.minimal()
    inputs.csv("calls.csv", [{**inputs.call(1), "Note": "x"}])
    inputs.csv("towers.csv", [{"a": "1"}])
    report = run()
    assert "note" not in store_of("calls").column_names
    assert any("dropped unknown column(s) note" in n for n in report.notices)
    assert report.ignored == ["towers.csv"]


# -- encodings, truncation, formats -------------------------------------------------------------
def test_gbk_files_keep_their_chinese_text(inputs, run, store_of) -> None:
    cities = ["北京", "上海", "广州"]
    inputs.csv(
        "subscribers.csv",
        [inputs.subscriber(i, home_city=c) for i, c in enumerate(cities)],
        encoding="gbk",
    )
    inputs.csv("calls.csv", [inputs.call(1)])
    complaint = {
        "complaint_id": "c1",
        "reporter_msisdn": "13800000001",
        "reported_number": "17000000002",
        "at": "2024-05-01 10:00:00",
        "category": "fraud",
        "text": "冒充公检法，要求转账到“安全账户”",
    }
    inputs.csv("complaints.csv", [complaint], encoding="gbk")
    report = run()
    assert report.tables["subscribers"].files[0].encoding == "gb18030"
    assert sorted(store_of("subscribers").column("home_city").to_pylist()) == sorted(cities)
    assert store_of("complaints").column("text").to_pylist() == [complaint["text"]]


def test_utf8_with_bom(inputs, run, store_of) -> None:
    inputs.csv("subscribers.csv", [inputs.subscriber(1)], encoding="utf-8-sig")
    inputs.csv("calls.csv", [inputs.call(1)], encoding="utf-8-sig")
    report = run()
    assert report.accepted == 2  # the BOM did not spoil the first column name
    assert store_of("subscribers").column("msisdn").to_pylist() == ["+8613800000001"]


def test_truncated_file_keeps_every_complete_row(inputs, run, store_of, quarantine_of) -> None:
    inputs.csv("subscribers.csv", [inputs.subscriber(0)])
    path = inputs.csv("calls.csv", [inputs.call(i) for i in range(5)])
    data = path.read_bytes()
    path.write_bytes(data[: data.rindex(b",")])  # cut inside the last line
    report = run()
    assert [(q["row"], q["reason"]) for q in quarantine_of("calls")] == [
        (5, "wrong number of fields")
    ]
    assert sorted(store_of("calls").column("record_id").to_pylist()) == [f"r{i}" for i in range(4)]
    assert report.tables["calls"].rows_read == 5


def test_parquet_input_is_cast_and_validated(inputs, run, store_of, quarantine_of) -> None:
    inputs.csv("subscribers.csv", [inputs.subscriber(0)])
    at = [datetime(2024, 5, 1, 2, 0, tzinfo=UTC), datetime(2024, 5, 1, 20, 0, tzinfo=UTC)]
    inputs.parquet(
        "calls.parquet",
        pa.table(
            {
                "Record_ID": ["p1", "p2", "p3"],
                "msisdn": pa.array([13800000001, 13800000002, 13800000003], pa.int64()),
                "other_party": ["95588", "10086", "021-6666 7777"],
                "direction": ["MO", "MT", "FWD"],
                "started_at": pa.array([*at, at[0]], pa.timestamp("ms", "UTC")),
                "duration_s": pa.array([10, -1, 30], pa.int32()),
            }
        ),
    )
    report = run()
    kept = store_of("calls")
    assert kept.column("record_id").to_pylist() == ["p1", "p3"]
    assert kept.column("msisdn").to_pylist() == ["+8613800000001", "+8613800000003"]
    assert kept.column("other_party").to_pylist() == ["95588", "+862166667777"]
    # UTC instants become Shanghai wall-clock time (UTC+8)
    assert kept.column("started_at").to_pylist()[0] == datetime(2024, 5, 1, 10, 0)
    (q,) = quarantine_of("calls")
    assert (q["row"], q["field"], q["reason"], q["value"]) == (
        2,
        "duration_s",
        "below minimum 0",
        "-1",
    )
    assert json.loads(q["raw"])["record_id"] == "p2"
    assert report.tables["calls"].files[0].format == "parquet"


def test_table_directory_mixing_csv_and_parquet(inputs, run, store_of) -> None:
    inputs.csv("subscribers.csv", [inputs.subscriber(0)])
    inputs.csv("calls/2024-05-01.csv", [inputs.call(i) for i in range(3)])
    rows = [inputs.call(i) for i in range(3, 6)]
    inputs.parquet("calls/2024-05-02.parquet", pa.Table.from_pylist(rows))
    report = run()
    assert [f.file for f in report.tables["calls"].files] == [
        "calls/2024-05-01.csv",
        "calls/2024-05-02.parquet",
    ]
    assert sorted(store_of("calls").column("record_id").to_pylist()) == [f"r{i}" for i in range(6)]


def test_time_zone_offsets_are_stored_as_local_wall_clock(inputs, ws, run, store_of) -> None:
    inputs.manifest(timezone="Asia/Shanghai")
    inputs.csv("subscribers.csv", [inputs.subscriber(0)])
    c = inputs.call
    inputs.csv(
        "calls.csv",
        [
            c(1, started_at="2024-05-01T20:30:00Z"),  # 04:30 next day in Shanghai
            c(2, started_at="2024-05-01T23:30:00+08:00"),
            c(3, started_at="2024-05-01 23:30:00"),  # no offset: already local
            c(4, started_at="2024-05-01T12:00:00.5-04:00"),
        ],
    )
    run()
    got = dict(
        zip(
            store_of("calls").column("record_id").to_pylist(),
            store_of("calls").column("started_at").to_pylist(),
            strict=True,
        )
    )
    assert got == {
        "r1": datetime(2024, 5, 2, 4, 30),
        "r2": datetime(2024, 5, 1, 23, 30),
        "r3": datetime(2024, 5, 1, 23, 30),
        "r4": datetime(2024, 5, 2, 0, 0, 0, 500_000),
    }
    by_day = {
        f.parent.name: sorted(pq.read_table(f).column("record_id").to_pylist())
        for f in ws.parquet_files("calls")
    }
    assert by_day == {"day=2024-05-01": ["r2", "r3"], "day=2024-05-02": ["r1", "r4"]}


def test_workspace_refuses_a_second_time_zone(inputs, ws, run, tmp_path) -> None:
    inputs.minimal()
    run()
    other = tmp_path / "other"
    other.mkdir()
    for name in ("subscribers.csv", "calls.csv"):
        (other / name).write_bytes((inputs.root / name).read_bytes())
    (other / "manifest.json").write_text('{"timezone": "UTC"}', "utf-8")
    with pytest.raises(InputError, match="time zone") as err:
        ingest(other, ws, now=inputs.now)
    assert err.value.field == "timezone"


# -- duplicates and idempotence -----------------------------------------------------------------
def test_duplicates_within_and_across_files(inputs, run, store_of, quarantine_of) -> None:
    c = inputs.call
    inputs.csv("subscribers.csv", [inputs.subscriber(0)])
    inputs.csv("calls/a.csv", [c(1), c(2), c(3), c(4), c(2, duration_s="999")])
    inputs.csv("calls/b.csv", [c(3, duration_s="999"), c(5), c(5, duration_s="999")])
    report = run()

    kept = store_of("calls")
    assert kept.column("record_id").to_pylist() == ["r1", "r2", "r3", "r4", "r5"]
    assert "999" not in [str(d) for d in kept.column("duration_s").to_pylist()]  # first wins
    dups = [
        (q["file"], q["row"], q["field"], q["reason"], q["value"]) for q in quarantine_of("calls")
    ]
    assert dups == [
        ("calls/a.csv", 5, "record_id", "duplicate record_id", "r2"),
        ("calls/b.csv", 1, "record_id", "duplicate record_id", "r3"),
        ("calls/b.csv", 3, "record_id", "duplicate record_id", "r5"),
    ]
    a, b = report.tables["calls"].files
    assert (a.accepted, a.duplicates, b.accepted, b.duplicates) == (4, 1, 1, 2)
    assert report.rejected_by_reason()["calls"] == {"duplicate record_id": 3}


def test_subscribers_are_keyed_by_the_normalised_number(inputs, run, store_of, quarantine_of):
    s = inputs.subscriber
    inputs.csv("subscribers.csv", [s(1), s(2), s(1, msisdn="+86 138 0000 0001")])
    inputs.csv("calls.csv", [inputs.call(1)])
    run()
    assert store_of("subscribers").column("msisdn").to_pylist() == [
        "+8613800000001",
        "+8613800000002",
    ]
    (q,) = quarantine_of("subscribers")
    assert (q["row"], q["reason"], q["value"]) == (3, "duplicate msisdn", "+8613800000001")


def test_keyless_tables_are_deduplicated_by_content(inputs, ws, run, store_of, quarantine_of):
    inputs.minimal()
    session = {"msisdn": "13800000001", "started_at": "2024-05-01 10:00:00", "domain": "a.com"}
    other = {**session, "domain": "b.com"}
    inputs.csv("data_sessions/1.csv", [session, other, {**session, "domain": "HTTPS://A.com/x"}])
    first = run()
    assert first.tables["data_sessions"].files[0].duplicates == 1  # a.com == HTTPS://A.com/x
    inputs.csv("data_sessions/2.csv", [other, {**session, "started_at": "2024-05-01 11:00:00"}])
    second = run()
    f2 = second.tables["data_sessions"].files[1]
    assert (f2.accepted, f2.duplicates) == (1, 1)
    assert store_of("data_sessions").num_rows == 3
    reasons = [(q["file"], q["row"], q["reason"]) for q in quarantine_of("data_sessions")]
    assert reasons == [
        ("data_sessions/1.csv", 3, "duplicate row"),
        ("data_sessions/2.csv", 1, "duplicate row"),
    ]


def test_reingesting_the_same_files_adds_nothing(inputs, ws, run, store_of) -> None:
    inputs.minimal(calls=5)
    inputs.csv("calls.csv", [inputs.call(i) for i in range(5)] + [inputs.call(0)], tail="r9,1")
    first = run()
    before = _files_snapshot(ws)
    second = run()
    assert _files_snapshot(ws) == before  # store, quarantine and log are byte-for-byte equal
    assert all(f.skipped for f in second.files)
    assert second.rows_read == second.accepted == 0
    assert first.accepted == store_of("calls").num_rows + store_of("subscribers").num_rows
    log = json.loads((ws.path / LOG_NAME).read_text("utf-8"))
    assert len(log["files"]) == 2


def test_a_grown_file_adds_only_its_new_rows(inputs, ws, run, store_of) -> None:
    inputs.minimal(calls=4)
    run()
    inputs.csv("calls.csv", [inputs.call(i) for i in range(6)])  # two more rows
    report = run()
    f = report.tables["calls"].files[0]
    assert (f.rows_read, f.accepted, f.duplicates) == (6, 2, 4)
    assert store_of("calls").num_rows == 6


def test_a_failed_file_leaves_the_store_unchanged(inputs, ws, run, monkeypatch) -> None:
    inputs.minimal()
    run()
    before = _files_snapshot(ws)
    inputs.csv("calls.csv", [inputs.call(i) for i in range(10)])
    real = orchestrate.deduplicate

    def broken(*args, **kwargs):
        real(*args, **kwargs)  # the staged files are complete, the commit has not happened
        raise OSError("disk full")

    monkeypatch.setattr(orchestrate, "deduplicate", broken)
    with pytest.raises(OSError, match="disk full"):
        ingest(inputs.root, ws, now=inputs.now)
    assert _files_snapshot(ws) == before
    assert not any((ws.path / ".staging").iterdir())
    monkeypatch.setattr(orchestrate, "deduplicate", real)
    assert run().tables["calls"].accepted == 6  # and a later run picks the file up


def test_an_unreadable_file_stops_the_run_and_stores_nothing_of_it(
    inputs, ws, store_of, quarantine_of
) -> None:
    inputs.csv("subscribers.csv", [inputs.subscriber(0)], encoding="utf-16")
    rows = [inputs.call(i) for i in range(50_000)]
    rows[18_000] = inputs.call(18_000, direction="北京")
    path = inputs.csv("calls.csv", rows)
    data = path.read_bytes()  # ~3 MB; the GBK bytes sit where the encoding sampler does not look
    at = data.index("北京".encode())
    path.write_bytes(data[:at] + "北京".encode("gbk") + data[at + 6 :])
    with pytest.raises(InputError, match=r"calls\.csv.*one encoding throughout") as err:
        ingest(inputs.root, ws, now=inputs.now)
    assert err.value.file is not None and err.value.file.endswith("calls.csv")
    assert store_of("subscribers").num_rows == 1  # files before the bad one are committed
    assert not ws.parquet_files("calls") and not quarantine_of("calls")


# -- personal data, labels, reports -------------------------------------------------------------
def test_raw_id_numbers_are_rejected_and_never_written(inputs, ws, run, quarantine_of) -> None:
    raw_id = "11010119900307123X"
    s = inputs.subscriber
    inputs.csv("subscribers.csv", [s(1), s(2, holder_id_hash=raw_id)])
    inputs.csv("calls.csv", [inputs.call(1)])
    label = {
        "entity_type": "holder_id_hash",
        "entity_id": raw_id,
        "label": "id_many_cards",
        "source": "police",
        "at": "2024-05-01 00:00:00",
    }
    inputs.csv("labels.csv", [label], tail=f"holder_id_hash,{raw_id}\n")
    run()
    (q,) = quarantine_of("subscribers")
    assert (q["field"], q["value"]) == ("holder_id_hash", "<redacted>")
    assert [q["reason"] for q in quarantine_of("labels")] == [
        "raw ID number where a hash is expected",
        "wrong number of fields",
    ]
    for path in ws.path.rglob("*"):
        if path.suffix == ".parquet":
            text = json.dumps(pq.read_table(path).to_pylist(), default=str, ensure_ascii=False)
        elif path.is_file():
            text = path.read_text("utf-8")
        else:
            continue
        assert raw_id not in text, path


def test_label_entity_ids_are_normalised_like_their_columns(inputs, run, store_of) -> None:
    inputs.minimal()
    base = {"label": "fraud_caller", "source": "police", "at": "2024-05-01 00:00:00"}
    inputs.csv(
        "labels.csv",
        [
            {**base, "entity_type": "msisdn", "entity_id": "138 0000 0001"},
            {**base, "entity_type": "domain", "entity_id": "http://Bad.example/x"},
            {**base, "entity_type": "imei", "entity_id": "8600000000001"},
        ],
    )
    run()
    assert sorted(store_of("labels").column("entity_id").to_pylist()) == [
        "+8613800000001",
        "8600000000001",
        "bad.example",
    ]


def test_progress_reports_bytes_over_the_whole_run(inputs, run) -> None:
    inputs.minimal(calls=20)
    events: list[IngestProgress] = []
    calls: list[tuple[str, int, int]] = []
    run(progress=lambda *a: calls.append(a), events=events.append)
    done = [e.bytes_done for e in events]
    assert done == sorted(done)
    total = sum(p.stat().st_size for p in inputs.root.iterdir())
    assert events[-1].bytes_done == events[-1].bytes_total == total
    assert {e.table for e in events} == {"subscribers", "calls"}
    assert calls == [("ingest", e.bytes_done, e.bytes_total) for e in events]


def test_report_serialises_to_json(inputs, run) -> None:
    inputs.minimal()
    inputs.csv("calls.csv", [inputs.call(1), inputs.call(2, direction="?")])
    d = run().to_dict()
    json.dumps(d)
    assert d["tables"]["calls"]["rejected"] == 1
    assert d["rejected_by_reason"] == {"calls": {"not one of MO, MT, FWD": 1}}


def test_header_only_files_ingest_nothing(inputs, run, store_of) -> None:
    inputs.csv("subscribers.csv", [inputs.subscriber(0)])
    (inputs.root / "calls.csv").write_text(",".join(inputs.call(0)), "utf-8")  # no newline
    report = run()
    assert report.tables["calls"].rows_read == 0
    assert store_of("calls").num_rows == 0
