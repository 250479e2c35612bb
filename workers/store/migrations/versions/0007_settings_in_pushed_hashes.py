"""Account payload settings in listings.pushed_hashes: the hashes already recorded for an account whose
payload settings are not all at their defaults get those settings folded in (see `workers.account_hashes`).

Before this revision the planner did not see settings, so what it recorded was taken to match the account's
settings as they are; folding them in keeps that, and an upgrade re-pushes nothing. Accounts at their
defaults fold nothing and are left as they are.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
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
    sa.column("pushed_hashes", JSON),
)
_CHUNK = 5000


def upgrade() -> None:
    # Imported here: Alembic loads every revision script to find the head, and this import reaches the
    # connectors.
    from workers.account_hashes import fold, settings_digests

    conn = op.get_bind()
    for seller_id, marketplace, ids, settings in conn.execute(sa.select(ACCOUNTS)).all():
        digests = settings_digests(str(marketplace), list(ids or []), settings or {})
        if not digests:
            continue
        rows = conn.execute(
            sa.select(LISTINGS.c.id, LISTINGS.c.pushed_hashes).where(
                LISTINGS.c.seller_id == seller_id, LISTINGS.c.marketplace == marketplace
            )
        ).all()
        changed = [{"b_id": i, "hashes": fold(h, digests)} for i, h in rows if h]
        update = (
            sa.update(LISTINGS)
            .where(LISTINGS.c.id == sa.bindparam("b_id"))
            .values(pushed_hashes=sa.bindparam("hashes", type_=JSON))
        )
        for start in range(0, len(changed), _CHUNK):
            conn.execute(update, changed[start : start + _CHUNK])


def downgrade() -> None:
    # A digest cannot be taken back out of a hash: after a downgrade, the listings of accounts with
    # non-default payload settings have the affected groups pushed once more.
    pass
