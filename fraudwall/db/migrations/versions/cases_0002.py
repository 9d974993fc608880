"""cases: the entity's fused risk and suggested action from the run's risk table

Revision ID: cases_0002
Revises: cases_0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "cases_0002"
down_revision: str | Sequence[str] | None = "cases_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch_op:
        batch_op.add_column(sa.Column("entity_risk", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("entity_action", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch_op:
        batch_op.drop_column("entity_action")
        batch_op.drop_column("entity_risk")
