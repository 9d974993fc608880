"""Service: API tokens, blacklist entries, imported partner files.

Revision ID: service_0001
Revises: 0001_foundation
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "service_0001"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = ("service",)
depends_on: str | Sequence[str] | None = None

_BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("id", _BIGID, primary_key=True),
        sa.Column("user_id", _BIGID, nullable=False),
        sa.Column("label", sa.String(64), nullable=False),
        sa.Column("token_sha256", sa.String(64), nullable=False),
        sa.Column("hint", sa.String(16), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("expires_at", _TS, nullable=True),
        sa.Column("revoked_at", _TS, nullable=True),
        sa.Column("revoked_by", sa.String(64), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_api_tokens_token_sha256")),
    )
    op.create_index(op.f("ix_api_tokens_user_id"), "api_tokens", ["user_id"])
    op.create_table(
        "list_entries",
        sa.Column("id", _BIGID, primary_key=True),
        sa.Column("list_name", sa.String(16), nullable=False),
        sa.Column("entity_type", sa.String(32), nullable=False),
        sa.Column("value", sa.String(128), nullable=False),
        sa.Column("is_token", sa.Boolean(), nullable=False),
        sa.Column("partner", sa.String(64), nullable=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("reason_code", sa.String(32), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("case_id", _BIGID, nullable=True),
        sa.Column("added_by", sa.String(64), nullable=False),
        sa.Column("added_at", _TS, nullable=False),
        sa.Column("expires_at", _TS, nullable=True),
        sa.Column("removed_at", _TS, nullable=True),
        sa.Column("removed_by", sa.String(64), nullable=True),
        sa.Column("removed_reason", sa.String(500), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_list_entries")),
    )
    op.create_index(op.f("ix_list_entries_list_name"), "list_entries", ["list_name"])
    op.create_index("ix_list_entries_lookup", "list_entries", ["entity_type", "value"])
    op.create_table(
        "share_imports",
        sa.Column("id", _BIGID, primary_key=True),
        sa.Column("partner", sa.String(64), nullable=False),
        sa.Column("list_name", sa.String(16), nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("expires_at", _TS, nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("imported_at", _TS, nullable=False),
        sa.Column("imported_by", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_share_imports")),
        sa.UniqueConstraint(
            "partner", "file_sha256", name=op.f("uq_share_imports_partner_file_sha256")
        ),
    )


def downgrade() -> None:
    op.drop_table("share_imports")
    op.drop_table("list_entries")
    op.drop_table("api_tokens")
