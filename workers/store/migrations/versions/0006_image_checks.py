"""Counterfeit checks in the sync pipeline: the image_checks cache, the `held` listing status and
sync_batches.checks (what the check stage decided for a batch).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
STATUSES = ("pending", "submitted", "live", "error", "ended")


def status_enum(*values: str) -> sa.Enum:
    return sa.Enum(*values, name="listing_status", native_enum=False, create_constraint=True, length=20)


def upgrade() -> None:
    op.create_table(
        "image_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url_sha256", sa.String(length=64), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("fingerprints", sa.LargeBinary(), nullable=False),
        sa.Column("generation", sa.BigInteger(), nullable=False),
        sa.Column("matches", JSON, nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_image_checks")),
        sa.UniqueConstraint("url_sha256", name=op.f("uq_image_checks_url_sha256")),
    )
    with op.batch_alter_table("image_checks") as batch:
        batch.create_index(batch.f("ix_image_checks_content_sha256"), ["content_sha256"], unique=False)
    with op.batch_alter_table("sync_batches") as batch:
        batch.add_column(sa.Column("checks", JSON, nullable=True))
    with op.batch_alter_table("listings") as batch:
        batch.alter_column(
            "status",
            existing_type=status_enum(*STATUSES),
            type_=status_enum(*STATUSES, "held"),
            existing_nullable=False,
        )


def downgrade() -> None:
    op.execute("UPDATE listings SET status = 'pending' WHERE status = 'held'")
    with op.batch_alter_table("listings") as batch:
        batch.alter_column(
            "status",
            existing_type=status_enum(*STATUSES, "held"),
            type_=status_enum(*STATUSES),
            existing_nullable=False,
        )
    with op.batch_alter_table("sync_batches") as batch:
        batch.drop_column("checks")
    with op.batch_alter_table("image_checks") as batch:
        batch.drop_index(batch.f("ix_image_checks_content_sha256"))
    op.drop_table("image_checks")
