"""What the eBay sandbox keeps per seller: inventory items, offers, listings, locations and a history.

Everything lives in memory under one lock. Handlers run on the server's event loop and hold the lock for the
whole of a call's work, so a call is atomic; inspection from other threads takes the same lock.
"""

from __future__ import annotations

import itertools
import threading
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from connectors.sandbox.ebay import errors
from connectors.sandbox.ledger import Ledger

PUBLISHED = "PUBLISHED"
UNPUBLISHED = "UNPUBLISHED"
ACTIVE = "ACTIVE"
OUT_OF_STOCK = "OUT_OF_STOCK"
ENDED = "ENDED"


@dataclass(frozen=True)
class Settings:
    """Marketplace behaviour that a seller's account or eBay's policy decides."""

    revisions_per_day: int = 250
    out_of_stock_control: bool = True
    required_aspects: tuple[str, ...] = ("Brand",)


@dataclass
class Item:
    """An inventory item record: the SKU's product, condition and quantity."""

    sku: str
    locale: str
    data: dict[str, Any]

    @property
    def quantity(self) -> int | None:
        ship = (self.data.get("availability") or {}).get("shipToLocationAvailability") or {}
        return ship.get("quantity")


@dataclass
class Offer:
    """An offer of one SKU on one marketplace in one format; published, it is a listing."""

    offer_id: str
    sku: str
    marketplace_id: str
    format: str
    data: dict[str, Any]
    status: str = UNPUBLISHED
    listing_id: str | None = None


@dataclass
class Listing:
    """A live (or ended) eBay listing made by publishing an offer."""

    listing_id: str
    offer_id: str
    sku: str
    status: str = ACTIVE
    revisions: Counter[str] = field(default_factory=Counter)


@dataclass
class Seller:
    items: dict[str, Item] = field(default_factory=dict)
    offers: dict[str, Offer] = field(default_factory=dict)
    offer_keys: dict[tuple[str, str, str], str] = field(default_factory=dict)
    sku_offers: defaultdict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    listings: dict[str, Listing] = field(default_factory=dict)
    locations: dict[str, dict[str, Any]] = field(default_factory=dict)
    history: defaultdict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))

    def offers_of(self, sku: str) -> list[Offer]:
        return [self.offers[oid] for oid in self.sku_offers.get(sku, ())]

    def add_offer(self, offer: Offer) -> None:
        self.offers[offer.offer_id] = offer
        self.offer_keys[(offer.sku, offer.marketplace_id, offer.format)] = offer.offer_id
        self.sku_offers[offer.sku].append(offer.offer_id)

    def remove_offer(self, offer: Offer) -> None:
        del self.offers[offer.offer_id]
        del self.offer_keys[(offer.sku, offer.marketplace_id, offer.format)]
        self.sku_offers[offer.sku].remove(offer.offer_id)
        if not self.sku_offers[offer.sku]:
            del self.sku_offers[offer.sku]

    def live(self, sku: str) -> list[Listing]:
        return [
            self.listings[o.listing_id]
            for o in self.offers_of(sku)
            if o.status == PUBLISHED and o.listing_id is not None
        ]


class Store:
    """All sellers' data, the id sequences, and the daily revision counts."""

    def __init__(self, settings: Settings, ledger: Ledger, today: Callable[[], str]) -> None:
        self.settings = settings
        self.ledger = ledger
        self.today = today
        self.lock = threading.Lock()
        self.sellers: defaultdict[str, Seller] = defaultdict(Seller)
        self._offer_ids = itertools.count(5_000_000_001)
        self._listing_ids = itertools.count(110_000_000_001)

    def seller(self, seller_id: str) -> Seller:
        return self.sellers[seller_id]

    def new_offer_id(self) -> str:
        return str(next(self._offer_ids))

    def new_listing_id(self) -> str:
        return str(next(self._listing_ids))

    def note(self, seller_id: str, sku: str, event: str) -> None:
        """Count one event in the SKU's history (item_created, offer_updated, published, ...)."""
        self.sellers[seller_id].history[sku][event] += 1

    def check_revisable(self, listings: list[Listing]) -> None:
        """Refuse a change to listings already revised the allowed number of times today."""
        today = self.today()
        for listing in listings:
            if listing.revisions[today] >= self.settings.revisions_per_day:
                raise errors.ApiError(
                    400, [revision_limit(listing.listing_id, self.settings.revisions_per_day)]
                )

    def count_revision(self, listings: list[Listing]) -> None:
        today = self.today()
        for listing in listings:
            listing.revisions[today] += 1


def revision_limit(listing_id: str, limit: int) -> dict[str, Any]:
    """eBay's answer once a listing has had its revisions for the calendar day."""
    return errors.error(
        25002,
        "A user error has occurred. This listing has been revised the maximum number of times allowed today.",
        long_message=(
            f"Each listing can be revised up to {limit} times in one calendar day; listing {listing_id} "
            "can be revised again from the next calendar day."
        ),
        parameters={"listingId": listing_id, "revisionsPerDay": limit},
    )
