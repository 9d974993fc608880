"""The case section of docs/operations.md names only commands and options that exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fraudwall.cli import app

DOC = Path(__file__).resolve().parents[2] / "docs" / "operations.md"
COMMAND = re.compile(r"^fraudwall ((?:[a-z]+ ?){1,2})(.*)$")


def _commands() -> list[tuple[str, list[str]]]:
    out = []
    text = DOC.read_text("utf-8")
    start = text.index("## Acting on leads")
    end = text.find("\n## ", start + 1)
    for line in text[start : end if end > 0 else None].splitlines():
        m = COMMAND.match(line.strip())
        if m:
            words = m.group(1).split()
            opts = re.findall(r"(--[a-z][a-z-]*)", m.group(2))
            out.append((" ".join(words), opts))
    return out


@pytest.mark.parametrize(("command", "options"), _commands())
def test_every_command_in_the_walk_through_exists_with_its_options(command, options):
    words = command.split()
    r = CliRunner().invoke(app, [*words, "--help"])
    if r.exit_code != 0:  # the second word was an argument, not a subcommand
        words = words[:1]
        r = CliRunner().invoke(app, [*words, "--help"])
    assert r.exit_code == 0, (command, r.output)
    text = " ".join(r.output.split())
    for opt in options:
        assert opt in text, f"`fraudwall {command}` has no {opt}"
