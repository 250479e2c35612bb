"""brand index: the persisted matcher and its generation

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 03:59:12.084975
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    table = op.create_table(
        "brand_index",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("generation", sa.BigInteger(), nullable=False),
        sa.Column("matcher", sa.LargeBinary(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_brand_index_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_brand_index")),
    )
    # The one row, stale (no matcher yet): the first reader rebuilds it from any brand images already stored.
    now = dt.datetime.now(dt.UTC)
    if op.get_bind().dialect.name == "sqlite":
        now = now.replace(tzinfo=None)
    op.bulk_insert(table, [{"id": 1, "generation": 0, "matcher": None, "updated_at": now}])


def downgrade() -> None:
    op.drop_table("brand_index")
