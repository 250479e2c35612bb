"""Rechecks: our sellers' live listings matched again after the brands changed.

The check stage sees a SKU only when a push creates it or changes its content or images, so a brand registered
(or given new images) after a listing went live would never hear of it. A seller's nightly run therefore also
hands each marketplace's live listings to the `recheck_listings` actor, in parts of `RECHECK_PART`, whenever
the brand index moved since that account's last recheck (`marketplace_accounts.rechecked_generation`): an
unchanged index costs one small query a night. Images come from `image_checks` (matched again without a
fetch) or are fetched once. A match by a brand that has not authorised the seller becomes a finding with its
alert, as in the check stage, under either policy: the listing stays live, since a hold keeps back what is
pushed, and the brand owner confirms the finding (for the complaint export) or dismisses it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa

from workers.checks.screen import Screener
from workers.checks.stage import judge, record_suspects
from workers.context import Context, writing
from workers.planner import product_data
from workers.store.models import Listing, ListingStatus, MarketplaceAccount, Product
from workers.store.sellers import get_seller

RECHECK_PART = 200
"""Live listings per `recheck_listings` message."""


@dataclass(frozen=True)
class DueRecheck:
    """A marketplace account whose live listings are to be matched against index `generation`."""

    seller_id: str
    marketplace: str
    generation: int
    skus: list[str]

    def parts(self) -> list[list[str]]:
        return [self.skus[i : i + RECHECK_PART] for i in range(0, len(self.skus), RECHECK_PART)]


def due_rechecks(
    ctx: Context, seller_id: str, marketplaces: Sequence[str] | None, generation: int
) -> list[DueRecheck]:
    """The seller's accounts (on `marketplaces`, or all) last rechecked against another index generation,
    each with its live listings (products not deleted) in SKU order."""
    with ctx.engine.connect() as conn:
        accounts = conn.execute(
            sa.select(MarketplaceAccount.marketplace, MarketplaceAccount.rechecked_generation)
            .where(MarketplaceAccount.seller_id == seller_id)
            .order_by(MarketplaceAccount.marketplace)
        ).all()
        due = []
        for marketplace, rechecked in accounts:
            if rechecked == generation or (marketplaces is not None and marketplace not in marketplaces):
                continue
            skus = conn.execute(
                sa.select(Listing.sku)
                .join(Product, (Product.seller_id == Listing.seller_id) & (Product.sku == Listing.sku))
                .where(
                    Listing.seller_id == seller_id,
                    Listing.marketplace == marketplace,
                    Listing.status == ListingStatus.LIVE,
                    Product.deleted_at.is_(None),
                )
                .order_by(Listing.sku)
            ).scalars()
            due.append(DueRecheck(seller_id, str(marketplace), generation, list(skus)))
    return due


def mark_rechecked(ctx: Context, due: DueRecheck) -> None:
    """Record that the account's live listings were handed out for a recheck against `due.generation`."""
    with writing(ctx.engine) as conn:
        conn.execute(
            sa.update(MarketplaceAccount)
            .where(
                MarketplaceAccount.seller_id == due.seller_id,
                MarketplaceAccount.marketplace == due.marketplace,
            )
            .values(rechecked_generation=due.generation)
        )


@dataclass
class Rechecked:
    """What rechecking some live listings found."""

    checked: int = 0
    suspects: int = 0  # listings matching a brand that has not authorised the seller
    alerts: list[int] = field(default_factory=list)  # findings to alert


def recheck_listings(
    ctx: Context, screener: Screener, seller_id: str, marketplace: str, skus: Sequence[str], *, give_up: bool
) -> Rechecked:
    """Match the images of a seller's listings on `marketplace` against the brands and record what matches;
    raises `ImagesUnavailable` when an image could not be fetched, unless `give_up`."""
    with ctx.engine.connect() as conn:
        seller = get_seller(conn, seller_id)
        data = product_data(conn, seller_id, skus)
    images = {sku: [str(url) for url in data[sku].get("image_urls") or ()] for sku in skus if sku in data}
    what = f"recheck of seller {seller_id} on {marketplace}"
    judged = judge(screener, seller, marketplace, images, what=what, give_up=give_up)
    with writing(ctx.engine) as conn:
        judged = judged.current(conn)
        alerts = record_suspects(conn, judged, seller, marketplace, data, images)
    return Rechecked(len(images), len({s.sku for s in judged.suspects}), alerts)
