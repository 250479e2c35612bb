"""alerts.failed_at and alerts.error: a recipient the SMTP server refused for good is recorded, not retried;
brand_contacts.digest: a contact may take one daily digest instead of an e-mail per finding.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("error", sa.String(length=1000), nullable=True))
    with op.batch_alter_table("brand_contacts") as batch:
        batch.add_column(sa.Column("digest", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("brand_contacts") as batch:
        batch.drop_column("digest")
    with op.batch_alter_table("alerts") as batch:
        batch.drop_column("error")
        batch.drop_column("failed_at")
