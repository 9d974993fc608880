"""The case commands' edges: JSON only with --json, refusals and bad input exit 2 with a
message naming what was wrong, and nothing is written."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from fraudwall.cli import app


def _run(url, *args):
    return CliRunner().invoke(app, [*args, "--db", url])


@pytest.fixture
def url(migrated_url, run1):
    db_url = migrated_url
    for args in (
        ("users", "add", "sam", "--role", "supervisor"),
        ("users", "add", "ana", "--role", "analyst", "--as", "sam"),
        ("cases", "import", str(run1), "--as", "sam"),
    ):
        assert _run(db_url, *args).exit_code == 0
    return db_url


def test_json_output_is_json_only(url):
    r = _run(url, "cases", "list", "--json")
    assert r.exit_code == 0 and len(json.loads(r.stdout)) == 5
    r = _run(url, "batch", "create", "--as", "ana", "--json")
    created = json.loads(r.stdout)
    assert {"id", "number", "leads", "new", "updates"} <= set(created)
    assert json.loads(_run(url, "audit", "--json").stdout)[-1]["action"] == "batch.create"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("cases", "show", "999"), "no case 999"),
        (("cases", "list", "--level", "extreme"), "unknown level"),
        (("cases", "confirm", "1", "--as", "nobody"), "no user 'nobody'"),
        (("batch", "approve", "7", "--as", "sam"), "no batch 7"),
        (("batch", "export", "7", "--out", "x", "--as", "sam"), "no batch 7"),
        (("feedback", "import", "/nonexistent/fb.csv", "--as", "sam"), "may not do"),
        (
            (
                "action",
                "request",
                "1",
                "--type",
                "shutdown",
                "--as",
                "ana",
                "--policy",
                "/nonexistent.toml",
            ),
            "no such policy file",
        ),
        (("appeal", "open", "1", "--reason", "x", "--as", "ana"), "no suspend"),
        (("action", "acks", "/nonexistent.jsonl", "--as", "sam"), "cannot read"),
        (("action", "acks", "/nonexistent.jsonl", "--as", "ana"), "may not do"),
    ],
)
def test_refusals_and_bad_input_exit_2_and_say_why(url, args, message):
    before = _run(url, "audit", "--json").stdout
    r = _run(url, *args)
    assert r.exit_code == 2 and message in " ".join(r.output.split()), r.output
    assert _run(url, "audit", "--json").stdout == before


def test_bad_option_values_are_refused_by_the_command_line(url):
    r = _run(url, "action", "request", "1", "--type", "explode", "--as", "ana")
    assert r.exit_code == 2 and "explode" in r.output
