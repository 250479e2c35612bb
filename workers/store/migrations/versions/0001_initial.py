"""Every table known now: sellers, catalogue, listings, sync runs, deliveries, brands, findings, alerts.

Self-contained on purpose: a migration must not import models that later work changes.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=20)


revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "brands",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("policy", enum("brand_policy", "hold", "flag"), nullable=False),
        sa.Column("price_floor", sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column("price_floor_currency", sa.String(length=3), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(price_floor IS NULL) = (price_floor_currency IS NULL)",
            name=op.f("ck_brands_price_floor_has_currency"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_brands")),
        sa.UniqueConstraint("name", name=op.f("uq_brands_name")),
    )
    op.create_table(
        "sellers",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sellers")),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seller_id", sa.String(length=64), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["sellers.id"], name=op.f("fk_api_keys_seller_id_sellers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_keys_key_hash")),
    )
    op.create_index(op.f("ix_api_keys_seller_id"), "api_keys", ["seller_id"])

    op.create_table(
        "authorized_sellers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("seller_name", sa.String(length=200), nullable=True),
        sa.Column("marketplace_seller_id", sa.String(length=200), nullable=True),
        sa.Column("marketplace", enum("marketplace", "amazon", "ebay", "tmall"), nullable=True),
        sa.CheckConstraint(
            "seller_name IS NOT NULL OR marketplace_seller_id IS NOT NULL",
            name=op.f("ck_authorized_sellers_names_a_seller"),
        ),
        sa.ForeignKeyConstraint(
            ["brand_id"],
            ["brands.id"],
            name=op.f("fk_authorized_sellers_brand_id_brands"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authorized_sellers")),
    )
    op.create_index(op.f("ix_authorized_sellers_brand_id"), "authorized_sellers", ["brand_id"])

    op.create_table(
        "brand_aliases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("alias", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brands.id"], name=op.f("fk_brand_aliases_brand_id_brands"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_brand_aliases")),
        sa.UniqueConstraint("brand_id", "alias", name=op.f("uq_brand_aliases_brand_id_alias")),
    )
    op.create_table(
        "brand_contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brands.id"], name=op.f("fk_brand_contacts_brand_id_brands"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_brand_contacts")),
        sa.UniqueConstraint("brand_id", "email", name=op.f("uq_brand_contacts_brand_id_email")),
    )
    op.create_table(
        "brand_images",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=2000), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("fingerprints", JSON, nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brands.id"], name=op.f("fk_brand_images_brand_id_brands"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_brand_images")),
        sa.UniqueConstraint(
            "brand_id", "content_sha256", name=op.f("uq_brand_images_brand_id_content_sha256")
        ),
    )
    op.create_table(
        "findings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("marketplace", enum("marketplace", "amazon", "ebay", "tmall"), nullable=False),
        sa.Column("listing_id", sa.String(length=200), nullable=False),
        sa.Column("seller", sa.String(length=200), nullable=False),
        sa.Column("state", enum("finding_state", "new", "alerted", "confirmed", "dismissed"), nullable=False),
        sa.Column("evidence", JSON, nullable=False),
        sa.Column("score", sa.Double(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brands.id"], name=op.f("fk_findings_brand_id_brands"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_findings")),
        sa.UniqueConstraint(
            "brand_id", "marketplace", "listing_id", name=op.f("uq_findings_brand_id_marketplace_listing_id")
        ),
    )
    op.create_index(op.f("ix_findings_state"), "findings", ["state"])

    op.create_table(
        "listings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seller_id", sa.String(length=64), nullable=False),
        sa.Column("marketplace", enum("marketplace", "amazon", "ebay", "tmall"), nullable=False),
        sa.Column("sku", sa.String(length=40), nullable=False),
        sa.Column(
            "status", enum("listing_status", "pending", "submitted", "live", "error", "ended"), nullable=False
        ),
        sa.Column("remote_ids", JSON, nullable=False),
        sa.Column("pushed_hashes", JSON, nullable=False),
        sa.Column("last_error_code", sa.String(length=100), nullable=True),
        sa.Column("last_error_message", sa.Text(), nullable=True),
        sa.Column("last_error_field", sa.String(length=200), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["sellers.id"], name=op.f("fk_listings_seller_id_sellers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listings")),
        sa.UniqueConstraint(
            "seller_id", "marketplace", "sku", name=op.f("uq_listings_seller_id_marketplace_sku")
        ),
    )
    op.create_index(op.f("ix_listings_seller_id_status"), "listings", ["seller_id", "status"])

    op.create_table(
        "marketplace_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seller_id", sa.String(length=64), nullable=False),
        sa.Column("marketplace", enum("marketplace", "amazon", "ebay", "tmall"), nullable=False),
        sa.Column("endpoint", sa.String(length=500), nullable=False),
        sa.Column("marketplace_ids", JSON, nullable=False),
        sa.Column("settings", JSON, nullable=False),
        sa.Column("credentials_encrypted", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["seller_id"],
            ["sellers.id"],
            name=op.f("fk_marketplace_accounts_seller_id_sellers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketplace_accounts")),
        sa.UniqueConstraint(
            "seller_id", "marketplace", name=op.f("uq_marketplace_accounts_seller_id_marketplace")
        ),
    )
    op.create_table(
        "products",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seller_id", sa.String(length=64), nullable=False),
        sa.Column("sku", sa.String(length=40), nullable=False),
        sa.Column("data", JSON, nullable=False),
        sa.Column("content_hash", sa.String(length=128), nullable=False),
        sa.Column("price_hash", sa.String(length=128), nullable=False),
        sa.Column("quantity_hash", sa.String(length=128), nullable=False),
        sa.Column("images_hash", sa.String(length=128), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["sellers.id"], name=op.f("fk_products_seller_id_sellers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_products")),
        sa.UniqueConstraint("seller_id", "sku", name=op.f("uq_products_seller_id_sku")),
    )
    op.create_table(
        "sync_runs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("seller_id", sa.String(length=64), nullable=False),
        sa.Column("kind", enum("run_kind", "webhook", "manual", "nightly"), nullable=False),
        sa.Column("status", enum("run_status", "queued", "running", "done", "failed"), nullable=False),
        sa.Column("progress", JSON, nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["sellers.id"], name=op.f("fk_sync_runs_seller_id_sellers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_runs")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_sync_runs_idempotency_key")),
    )
    op.create_index(op.f("ix_sync_runs_seller_id_created_at"), "sync_runs", ["seller_id", "created_at"])

    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seller_id", sa.String(length=64), nullable=False),
        sa.Column("webhook_id", sa.String(length=200), nullable=False),
        sa.Column("response", JSON, nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["seller_id"],
            ["sellers.id"],
            name=op.f("fk_webhook_deliveries_seller_id_sellers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
        sa.UniqueConstraint(
            "seller_id", "webhook_id", name=op.f("uq_webhook_deliveries_seller_id_webhook_id")
        ),
    )
    op.create_table(
        "webhook_secrets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seller_id", sa.String(length=64), nullable=False),
        sa.Column("secret", sa.String(length=100), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["seller_id"],
            ["sellers.id"],
            name=op.f("fk_webhook_secrets_seller_id_sellers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_secrets")),
    )
    op.create_index(op.f("ix_webhook_secrets_seller_id_active"), "webhook_secrets", ["seller_id", "active"])

    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("finding_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message_id", sa.String(length=998), nullable=True),
        sa.Column("material_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["brand_contacts.id"],
            name=op.f("fk_alerts_contact_id_brand_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["finding_id"], ["findings.id"], name=op.f("fk_alerts_finding_id_findings"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
        sa.UniqueConstraint("finding_id", "contact_id", name=op.f("uq_alerts_finding_id_contact_id")),
    )


def downgrade() -> None:
    op.drop_table("alerts")
    op.drop_index(op.f("ix_webhook_secrets_seller_id_active"), table_name="webhook_secrets")

    op.drop_table("webhook_secrets")
    op.drop_table("webhook_deliveries")
    op.drop_index(op.f("ix_sync_runs_seller_id_created_at"), table_name="sync_runs")

    op.drop_table("sync_runs")
    op.drop_table("products")
    op.drop_table("marketplace_accounts")
    op.drop_index(op.f("ix_listings_seller_id_status"), table_name="listings")

    op.drop_table("listings")
    op.drop_index(op.f("ix_findings_state"), table_name="findings")

    op.drop_table("findings")
    op.drop_table("brand_images")
    op.drop_table("brand_contacts")
    op.drop_table("brand_aliases")
    op.drop_index(op.f("ix_authorized_sellers_brand_id"), table_name="authorized_sellers")

    op.drop_table("authorized_sellers")
    op.drop_index(op.f("ix_api_keys_seller_id"), table_name="api_keys")

    op.drop_table("api_keys")
    op.drop_table("sellers")
    op.drop_table("brands")
