"""A batch's police unit: a real column (migrated from the criteria where an older batch
recorded one), set by `fraudwall batch create --unit`, checked, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from alembic import command
from typer.testing import CliRunner

from fraudwall.cases.batches import create_batch, list_batches
from fraudwall.cli import app
from fraudwall.db import Database, upgrade
from fraudwall.db.migrate import alembic_config
from fraudwall.errors import InputError


def test_the_migration_moves_a_unit_out_of_the_criteria(db_url) -> None:
    cfg = alembic_config(db_url)
    command.upgrade(cfg, "cases_0002")  # the schema before the column
    db = Database(db_url)
    try:
        with db.engine.begin() as conn:
            for number, criteria in [(1, {"unit": "unit-a"}), (2, {"level": "high"})]:
                conn.execute(
                    sa.text(
                        "INSERT INTO batches (number, state, criteria, proposed_by, proposed_at) "
                        "VALUES (:n, 'proposed', :c, 'ana', CURRENT_TIMESTAMP)"
                    ),
                    {"n": number, "c": json.dumps(criteria)},
                )
        upgrade(db)
        with db.session(readonly=True) as s:
            assert [(b.number, b.unit) for b in list_batches(s)] == [(2, None), (1, "unit-a")]
    finally:
        db.dispose()


def test_a_unit_is_trimmed_and_bad_names_are_refused(team, run1) -> None:
    from fraudwall.cases.importer import import_run

    with team.session() as s:
        import_run(s, run_dir=run1, actor="pipe")
    for bad in ["", "  ", "x" * 129, "a\tb"]:
        with team.session() as s, pytest.raises(InputError, match="field unit"):
            create_batch(s, actor="ana", level="low", unit=bad)
    with team.session() as s:
        assert create_batch(s, actor="ana", level="low", unit=" 市反诈中心 ").unit == "市反诈中心"


def test_batch_create_takes_a_unit_on_the_command_line(migrated_url, run1) -> None:
    def run(*args: str):  # type: ignore[no-untyped-def]
        return CliRunner().invoke(app, [*args, "--db", migrated_url])

    assert run("users", "add", "sam", "--role", "supervisor").exit_code == 0
    assert run("users", "add", "ana", "--role", "analyst", "--as", "sam").exit_code == 0
    assert run("cases", "import", str(run1), "--as", "sam").exit_code == 0
    r = run("batch", "create", "--as", "ana", "--unit", "unit-a", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["unit"] == "unit-a"
    r = run("batch", "create", "--as", "ana", "--level", "low", "--unit", " ")
    assert r.exit_code != 0 and "unit" in r.output
