"""``fraudwall ingest`` on the command line."""

from __future__ import annotations

from typer.testing import CliRunner

from fraudwall.cli import app


def test_cli_ingests_and_prints_a_summary(inputs, tmp_path) -> None:
    inputs.minimal(calls=3, subscribers=2)
    inputs.csv("calls.csv", [inputs.call(i) for i in range(3)] + [inputs.call(9, direction="?")])
    ws = tmp_path / "ws"
    result = CliRunner().invoke(app, ["ingest", "--data", str(inputs.root), "--workspace", str(ws)])
    assert result.exit_code == 0, result.output
    rows = [
        [cell.strip() for cell in line.split("│")[1:-1]]
        for line in result.stdout.splitlines()
        if "│" in line
    ]
    calls = next(r for r in rows if r[0] == "calls")  # the summary table comes first
    assert calls == ["calls", "1", "0", "4", "3", "1", "0"]  # files skipped read acc rej dup
    assert "not one of MO, MT, FWD" in result.stdout
    assert (ws / "store" / "calls").is_dir()

    again = CliRunner().invoke(app, ["ingest", "--data", str(inputs.root), "--workspace", str(ws)])
    assert again.exit_code == 0
    assert "already ingested" in again.stderr


def test_cli_input_error_is_one_red_line_and_exit_2(inputs, tmp_path) -> None:
    inputs.csv("subscribers.csv", [inputs.subscriber(0)])
    inputs.csv("calls.csv", [{k: v for k, v in inputs.call(1).items() if k != "direction"}])
    args = ["ingest", "--data", str(inputs.root), "--workspace", str(tmp_path / "ws")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1
    assert errors[0].startswith("error:")
    assert "calls.csv" in errors[0] and "direction" in errors[0]
