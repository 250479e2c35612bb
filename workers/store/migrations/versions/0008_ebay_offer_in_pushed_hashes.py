"""eBay's offer group in listings.pushed_hashes: each eBay listing already pushed gets the `offer` hash of its
product and account (see `workers.account_hashes`).

Before this revision the offer's own fields (category, business policies, inventory location) were sent only
when the offer was created, and nothing recorded them. The listings are taken to carry what the product and
the account say now, as 0007 took them for the other groups, so an upgrade re-pushes nothing; a category or
policy changed before the upgrade and never sent stays unsent until it changes again.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

OFFER = "offer"  # workers.account_hashes.OFFER, the key this revision writes

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | None = None
depends_on: str | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
ACCOUNTS = sa.table(
    "marketplace_accounts",
    sa.column("seller_id", sa.String),
    sa.column("marketplace", sa.String),
    sa.column("marketplace_ids", JSON),
    sa.column("settings", JSON),
)
LISTINGS = sa.table(
    "listings",
    sa.column("id", sa.Integer),
    sa.column("seller_id", sa.String),
    sa.column("marketplace", sa.String),
    sa.column("sku", sa.String),
    sa.column("pushed_hashes", JSON),
)
PRODUCTS = sa.table(
    "products",
    sa.column("seller_id", sa.String),
    sa.column("sku", sa.String),
    sa.column("data", JSON),
)
_CHUNK = 5000


def _category(data: object) -> str | None:
    ebay = data.get("ebay") if isinstance(data, dict) else None
    value = ebay.get("category_id") if isinstance(ebay, dict) else None
    return str(value) if value else None


def upgrade() -> None:
    # Imported here: Alembic loads every revision script to find the head, and this import reaches the
    # connectors (see 0007).
    from workers.account_hashes import offer_hash, settings_digests

    conn = op.get_bind()
    accounts = conn.execute(sa.select(ACCOUNTS).where(ACCOUNTS.c.marketplace == "ebay")).all()
    for seller_id, _, ids, settings in accounts:
        digest = settings_digests("ebay", list(ids or []), settings or {}).get(OFFER)
        rows = conn.execute(
            sa.select(LISTINGS.c.id, LISTINGS.c.pushed_hashes, PRODUCTS.c.data)
            .select_from(LISTINGS)
            .outerjoin(
                PRODUCTS,
                sa.and_(PRODUCTS.c.seller_id == LISTINGS.c.seller_id, PRODUCTS.c.sku == LISTINGS.c.sku),
            )
            .where(LISTINGS.c.seller_id == seller_id, LISTINGS.c.marketplace == "ebay")
        ).all()
        changed = []
        for listing_id, pushed, data in rows:
            value = offer_hash(_category(data), digest)
            if pushed and value is not None and OFFER not in pushed:
                changed.append({"b_id": listing_id, "hashes": {**pushed, OFFER: value}})
        update = (
            sa.update(LISTINGS)
            .where(LISTINGS.c.id == sa.bindparam("b_id"))
            .values(pushed_hashes=sa.bindparam("hashes", type_=JSON))
        )
        for start in range(0, len(changed), _CHUNK):
            conn.execute(update, changed[start : start + _CHUNK])


def downgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(LISTINGS.c.id, LISTINGS.c.pushed_hashes).where(LISTINGS.c.marketplace == "ebay")
    ).all()
    changed = [
        {"b_id": i, "hashes": {k: v for k, v in h.items() if k != OFFER}} for i, h in rows if h and OFFER in h
    ]
    update = (
        sa.update(LISTINGS)
        .where(LISTINGS.c.id == sa.bindparam("b_id"))
        .values(pushed_hashes=sa.bindparam("hashes", type_=JSON))
    )
    for start in range(0, len(changed), _CHUNK):
        conn.execute(update, changed[start : start + _CHUNK])
