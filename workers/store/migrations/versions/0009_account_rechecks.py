"""marketplace_accounts.rechecked_generation: the brand index generation an account's live listings were last
matched against (see `workers.checks.recheck`); NULL until a nightly run first rechecks them.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("marketplace_accounts") as batch:
        batch.add_column(sa.Column("rechecked_generation", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("marketplace_accounts") as batch:
        batch.drop_column("rechecked_generation")
