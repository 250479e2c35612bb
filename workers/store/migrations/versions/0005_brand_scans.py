"""brand_scans: marketplace scans for copies of a brand's images, once per key; scanned_images: the listing
images scans fetched, by URL, with content hash and fingerprints, so a re-scan does not fetch them again.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "brand_scans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("scan_key", sa.String(length=200), nullable=False),
        sa.Column("marketplaces", JSON, nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "running",
                "done",
                "failed",
                name="scan_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("summary", JSON, nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brands.id"], name=op.f("fk_brand_scans_brand_id_brands"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_brand_scans")),
        sa.UniqueConstraint("scan_key", name=op.f("uq_brand_scans_scan_key")),
    )
    op.create_index(op.f("ix_brand_scans_brand_id_created_at"), "brand_scans", ["brand_id", "created_at"])
    op.create_table(
        "scanned_images",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url_sha256", sa.String(length=64), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("fingerprints", sa.LargeBinary(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scanned_images")),
        sa.UniqueConstraint("url_sha256", name=op.f("uq_scanned_images_url_sha256")),
    )
    op.create_index(op.f("ix_scanned_images_content_sha256"), "scanned_images", ["content_sha256"])


def downgrade() -> None:
    op.drop_index(op.f("ix_scanned_images_content_sha256"), table_name="scanned_images")
    op.drop_table("scanned_images")
    op.drop_index(op.f("ix_brand_scans_brand_id_created_at"), table_name="brand_scans")
    op.drop_table("brand_scans")
