"""What a seller has in the store: products, listings per marketplace and status, the latest sync run."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from workers.store.models import Listing, ListingStatus, SyncRun
from workers.store.products import count_products
from workers.store.sellers import SellerInfo, get_seller


@dataclass(frozen=True)
class LastRun:
    id: str
    kind: str
    status: str
    created_at: dt.datetime
    finished_at: dt.datetime | None


@dataclass(frozen=True)
class HeldListing:
    """A listing a brand's `hold` policy keeps back, and the message saying why and how to clear it."""

    marketplace: str
    sku: str
    reason: str


#: Held listings shown by `status`; the listings API pages through all of them (`?status=held`).
HELD_SHOWN = 20


@dataclass(frozen=True)
class SellerStatus:
    seller: SellerInfo
    products: int
    deleted_products: int
    listings: dict[str, dict[str, int]] = field(default_factory=dict)  # marketplace -> status -> count
    last_run: LastRun | None = None
    held: list[HeldListing] = field(default_factory=list)  # the first HELD_SHOWN, by SKU

    def as_json(self) -> dict[str, Any]:
        run = self.last_run
        return {
            "seller": self.seller.id,
            "name": self.seller.name,
            "timezone": self.seller.timezone,
            "products": self.products,
            "deleted_products": self.deleted_products,
            "listings": self.listings,
            "held": [{"marketplace": h.marketplace, "sku": h.sku, "reason": h.reason} for h in self.held],
            "last_run": None
            if run is None
            else {
                "id": run.id,
                "kind": run.kind,
                "status": run.status,
                "created_at": run.created_at.isoformat(),
                "finished_at": run.finished_at.isoformat() if run.finished_at else None,
            },
        }


def seller_status(conn: Connection, seller_id: str) -> SellerStatus:
    """Raises `UnknownSellerError` for an unknown seller."""
    seller = get_seller(conn, seller_id)
    live, deleted = count_products(conn, seller_id)
    listings: dict[str, dict[str, int]] = {}
    rows = conn.execute(
        sa.select(Listing.marketplace, Listing.status, sa.func.count())
        .where(Listing.seller_id == seller_id)
        .group_by(Listing.marketplace, Listing.status)
        .order_by(Listing.marketplace, Listing.status)
    )
    for marketplace, status, count in rows:
        listings.setdefault(str(marketplace), {})[str(status)] = int(count)
    run = conn.execute(
        sa.select(SyncRun.id, SyncRun.kind, SyncRun.status, SyncRun.created_at, SyncRun.finished_at)
        .where(SyncRun.seller_id == seller_id)
        .order_by(SyncRun.created_at.desc())
        .limit(1)
    ).one_or_none()
    last = (
        None
        if run is None
        else LastRun(run.id, str(run.kind), str(run.status), run.created_at, run.finished_at)
    )
    held = [
        HeldListing(str(marketplace), sku, message or "")
        for marketplace, sku, message in conn.execute(
            sa.select(Listing.marketplace, Listing.sku, Listing.last_error_message)
            .where(Listing.seller_id == seller_id, Listing.status == ListingStatus.HELD)
            .order_by(Listing.sku, Listing.marketplace)
            .limit(HELD_SHOWN)
        )
    ]
    return SellerStatus(seller, live, deleted, listings, last, held)
