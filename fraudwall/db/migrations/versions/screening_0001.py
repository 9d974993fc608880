"""Screening: subscribers' interception opt-in and personal lists.

Revision ID: screening_0001
Revises: 0001_foundation
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "screening_0001"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = ("screening",)
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "screening_subscribers",
        sa.Column("msisdn", sa.String(32), nullable=False),
        sa.Column("opted_in", sa.Boolean(), nullable=False),
        sa.Column("blocked", _JSON, nullable=False),
        sa.Column("allowed", _JSON, nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("msisdn", name=op.f("pk_screening_subscribers")),
    )


def downgrade() -> None:
    op.drop_table("screening_subscribers")
