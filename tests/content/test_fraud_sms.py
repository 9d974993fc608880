"""The fraud_sms detector on hand-made SMS tables, its leads, the daily report and exports."""

from __future__ import annotations

import json
import re

import pandas as pd
from leadfiles import domain_run
from sms_tables import FAKE_COP, FRIEND, LENDER, T0, TRAP, rows
from typer.testing import CliRunner

from fraudwall.cli import app
from fraudwall.detectors.library.fraud_sms import FraudSms
from fraudwall.scoring.leads import run_detectors

runner = CliRunner()


def test_flags_senders_of_fraud_content_with_masked_evidence(make_ctx, sms_policy):
    ctx = make_ctx(policy=sms_policy, sms=rows())
    p = sms_policy.params("fraud_sms")
    hits = FraudSms().find(ctx, p).execute().set_index("entity_id")
    assert sorted(hits.index) == [LENDER, FAKE_COP]
    lender = hits.loc[LENDER]
    assert (lender["fraud_messages"], lender["messages"], lender["recipients"]) == (12, 12, 12)
    assert lender["fraud_class"] == "loan" and hits.loc[FAKE_COP, "fraud_class"] == "police"
    assert lender["domains"] == "daikuan-vip.top"
    assert "wechat:dk5566" in lender["contacts"] and "139****5678" in lender["contacts"]
    assert lender["sample"].startswith("【急用钱】免抵押低息贷款") and len(lender["sample"]) <= 60
    assert re.search(r"\d{7}", lender["sample"]) is None
    assert lender["related_numbers"].split(", ")[0] == "136****0000"
    assert pd.Timestamp(lender["first_seen"]) == T0
    assert pd.Timestamp(lender["last_seen"]) == T0 + pd.Timedelta(hours=33)
    assert lender["per_day"].count(";") == 1  # two days
    assert hits["score"].min() >= 0.65 and hits["score"].max() <= 1.0
    assert lender["score"] > hits.loc[FAKE_COP, "score"]  # more messages, stronger


def test_leads_carry_reason_with_masked_sample_and_evidence(make_ctx, sms_policy, tmp_path):
    ctx = make_ctx(policy=sms_policy, sms=rows())
    from fraudwall.detectors import load_library

    lib = {"fraud_sms": load_library()["fraud_sms"]}
    result = run_detectors(ctx, sms_policy, lib, run_id="r1")
    leads = result.leads
    assert result.ran == ["fraud_sms"] and len(leads) == 2
    lead = leads.set_index("entity_id").loc[LENDER]
    assert lead["scenario"] == "fraud_sms" and lead["entity_type"] == "msisdn"
    assert lead["reasons"].startswith("12 of 12 messages with content classified loan")
    assert "sample: 「【急用钱】" in lead["reasons"] and "13912345678" not in lead["reasons"]
    ev = json.loads(lead["evidence"])["features"]
    assert {"sample", "related_numbers", "domains", "fraud_messages", "per_day"} <= set(ev)

    run = tmp_path / "run"
    run.mkdir()
    leads.to_parquet(run / "leads.parquet")
    out = tmp_path / "report"
    r = runner.invoke(app, ["sms", "report", "--run", str(run), "--out", str(out), "--json"])
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout)
    assert (summary["rows"], summary["senders"]) == (3, 2)
    day1 = pd.read_csv(out / "violating-sms-2026-03-02.csv", encoding="utf-8-sig", dtype=str)
    assert list(day1.columns) == [
        "sender",
        "time_window",
        "message_count",
        "class",
        "sample",
        "domain",
    ]
    got = day1.set_index("sender")
    assert got.loc[LENDER, "message_count"] == "5"  # 09:00 .. 21:00
    assert got.loc[LENDER, "time_window"] == "2026-03-02T09:00:00/2026-03-02T21:00:00"
    assert got.loc[LENDER, "domain"] == "daikuan-vip.top"
    assert got.loc[FAKE_COP, "class"] == "police"
    day2 = pd.read_csv(out / "violating-sms-2026-03-03.csv", encoding="utf-8-sig", dtype=str)
    assert day2["sender"].tolist() == [LENDER] and day2["message_count"].tolist() == ["7"]
    before = {f.name: f.read_bytes() for f in out.iterdir()}
    assert (
        runner.invoke(app, ["sms", "report", "--run", str(run), "--out", str(out)]).exit_code == 0
    )
    assert {f.name: f.read_bytes() for f in out.iterdir()} == before  # idempotent


def test_run_and_its_evaluation_say_which_model_made_the_figures(sms_policy, model_dir, tmp_path):
    from fraudwall.evaluate import evaluate_run
    from fraudwall.pipeline import run as run_pipeline
    from fraudwall.report.catalogue import render_catalogue

    data = tmp_path / "data"  # the sms rows, their senders, and one call (a required table)
    data.mkdir()
    sms = pd.DataFrame(rows())
    sms.to_parquet(data / "sms.parquet")
    senders = sorted(set(sms["msisdn"]))
    pd.DataFrame(
        {
            "msisdn": senders,
            "holder_id_hash": [f"{i:064x}" for i in range(len(senders))],
            "holder_type": "personal",
            "activated_at": pd.Timestamp("2025-01-01"),
        }
    ).to_parquet(data / "subscribers.parquet")
    call = {"record_id": "c1", "msisdn": FRIEND, "other_party": TRAP, "direction": "MO"}
    pd.DataFrame([{**call, "started_at": T0, "duration_s": 60}]).to_parquet(data / "calls.parquet")
    run = run_pipeline(data, tmp_path / "run", policy=sms_policy, report=False)
    card = json.loads((model_dir / "card.json").read_text("utf-8"))["training"]
    used = json.loads((tmp_path / "run" / "run.json").read_text("utf-8"))["models"]
    assert set(used) == {"fraud_sms"} == set(run.models)
    assert used["fraud_sms"]["model_dir"] == str(model_dir)
    assert (used["fraud_sms"]["file"], used["fraud_sms"]["rows"]) == ("train.csv", card["rows"])
    assert used["fraud_sms"]["fingerprint"] == card["fingerprint"]

    labels = tmp_path / "labels.csv"
    truth = {"entity_type": "msisdn", "entity_id": LENDER, "label": "fraud_sms"}
    pd.DataFrame([truth]).to_csv(labels, index=False)
    evaluate_run(run_dir=tmp_path / "run", labels=labels, min_level="low", rewrite_report=False)
    ev = json.loads((tmp_path / "run" / "evaluation.json").read_text("utf-8"))
    assert ev["models"] == used
    text = render_catalogue(evaluation=ev)
    section = text[text.index('<a id="fraud_sms">') :]
    section = section[: section.index("| policy key")]
    assert f"trained on {card['rows']:,} rows of `train.csv`" in section
    assert card["fingerprint"][:16] in section
    assert "read a trained model: [`fraud_sms`](#fraud_sms)" in text
    assert "With the model `model`" in section
    both = render_catalogue(evaluation=ev, heldout={**ev, "models": {}})
    both = both[both.index('<a id="fraud_sms">') :]
    tuning = next(ln for ln in both.splitlines() if ln.startswith("Measured on the tuning"))
    held = next(ln for ln in both.splitlines() if ln.startswith("Measured on the held-out"))
    assert "With the model `model`" in tuning and "With the model" not in held
    # a run whose detectors read no model records none, and its catalogue names none
    plain = run_pipeline(data, tmp_path / "plain", report=False)
    assert plain.models == {} and "models" in plain.summary()


def test_skipped_without_a_model_and_harmless_without_content(make_ctx, sms_policy, tmp_path):
    assert FraudSms.skip_reason(FraudSms.Params()) is not None
    assert "no model at" in str(FraudSms.skip_reason(FraudSms.Params(model_dir=str(tmp_path))))
    no_content = [{**r, "content": None} for r in rows()]
    ctx = make_ctx(policy=sms_policy, sms=no_content)
    assert FraudSms().find(ctx, sms_policy.params("fraud_sms")).execute().empty


def test_report_and_export_refuse_what_is_not_a_run(tmp_path):
    for args in (
        ["sms", "report", "--run", str(tmp_path / "nope"), "--out", str(tmp_path / "o")],
        [
            "domains",
            "export",
            "--run",
            str(tmp_path),
            "--format",
            "rpz",
            "--out",
            str(tmp_path / "z"),
        ],
    ):
        r = runner.invoke(app, args)
        assert r.exit_code == 2, r.output
        assert "run directory" in r.output


def test_domains_export_all_formats_by_risk_level(tmp_path):
    run = domain_run(
        tmp_path,
        [("icbc-kefu.top", "high"), ("xn--fsqu00a.xn--fiqs8s", "medium"), ("meh.top", "low")],
    )
    texts = {}
    for fmt in ("rpz", "unbound", "hosts", "adblock"):
        out = tmp_path / f"block.{fmt}"
        r = runner.invoke(
            app,
            ["domains", "export", "--run", str(run), "--format", fmt, "--out", str(out), "--json"],
        )
        assert r.exit_code == 0, r.output
        assert json.loads(r.stdout)["names"] == 2
        texts[fmt] = out.read_text("utf-8")
    assert "icbc-kefu.top CNAME ." in texts["rpz"] and "*.icbc-kefu.top CNAME ." in texts["rpz"]
    assert "meh.top" not in texts["rpz"]
    assert 'local-zone: "xn--fsqu00a.xn--fiqs8s." always_nxdomain' in texts["unbound"]
    assert texts["hosts"] == "0.0.0.0 icbc-kefu.top\n0.0.0.0 xn--fsqu00a.xn--fiqs8s\n"
    assert texts["adblock"] == "||icbc-kefu.top^\n||xn--fsqu00a.xn--fiqs8s^\n"
    r = runner.invoke(
        app,
        ["domains", "export", "--run", str(run), "--format", "bind", "--out", str(tmp_path / "x")],
    )
    assert r.exit_code == 2 and "unknown format 'bind'" in r.output
    r = runner.invoke(
        app,
        [
            "domains",
            "export",
            "--run",
            str(run),
            "--format",
            "rpz",
            "--min-level",
            "low",
            "--out",
            str(tmp_path / "l"),
        ],
    )
    assert r.exit_code == 0 and "meh.top CNAME ." in (tmp_path / "l").read_text("utf-8")


def test_domains_export_refuses_a_lead_that_is_not_a_domain_name(tmp_path):
    run = domain_run(tmp_path, [("good.top", "high"), ("not a domain", "high")])
    out = tmp_path / "z"
    r = runner.invoke(
        app, ["domains", "export", "--run", str(run), "--format", "hosts", "--out", str(out)]
    )
    assert r.exit_code == 2 and "'not a domain' is not a domain name" in r.output
    assert not out.exists()


def test_domains_score_command(tmp_path):
    r = runner.invoke(app, ["domains", "score", "icbc-kefu.top", "example.com", "--json"])
    assert r.exit_code == 0, r.output
    got = {d["domain"]: d for d in json.loads(r.stdout)}
    assert got["icbc-kefu.top"]["score"] > 0.5 and got["example.com"]["score"] == 0.0
    r = runner.invoke(app, ["domains", "score", "http://"])
    assert r.exit_code == 2 and "not a domain name" in r.output
