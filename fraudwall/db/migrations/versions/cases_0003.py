"""cases: the police unit a batch is addressed to

Revision ID: cases_0003
Revises: cases_0002
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "cases_0003"
down_revision: str | Sequence[str] | None = "cases_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("batches") as batch_op:
        batch_op.add_column(sa.Column("unit", sa.String(length=128), nullable=True))
        batch_op.create_index(batch_op.f("ix_batches_unit"), ["unit"], unique=False)
    # A unit recorded in the criteria before the column existed becomes the column's value.
    batches = sa.table(
        "batches", sa.column("id", sa.BigInteger()), sa.column("criteria", sa.JSON())
    )
    conn = op.get_bind()
    for row in conn.execute(sa.select(batches.c.id, batches.c.criteria)):
        unit = row.criteria.get("unit") if isinstance(row.criteria, dict) else None
        if unit:
            conn.execute(
                sa.text("UPDATE batches SET unit = :unit WHERE id = :id"),
                {"unit": str(unit)[:128], "id": row.id},
            )


def downgrade() -> None:
    with op.batch_alter_table("batches") as batch_op:
        batch_op.drop_index(batch_op.f("ix_batches_unit"))
        batch_op.drop_column("unit")
