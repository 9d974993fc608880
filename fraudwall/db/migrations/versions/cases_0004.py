"""cases: an index for the review queue (highest score first, one page at a time)

Revision ID: cases_0004
Revises: cases_0003
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "cases_0004"
down_revision: str | Sequence[str] | None = "cases_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_cases_score", "cases", ["score", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_cases_score", table_name="cases")
