"""Listings: what publishing needs, making and ending listings, and keeping their quantity status current.

What the sandbox requires before an offer becomes (or stays) a listing, with the errorId eBay uses:

| needed | errorId |
| --- | --- |
| inventory item title, and a description (offer `listingDescription` or `product.description`) | 25002 |
| at least one picture | 25014 |
| a condition | 25021 |
| the item specifics in `Settings.required_aspects` (default Brand) | 25002 |
| a numeric `categoryId` | 25005 |
| a price above 0 in the marketplace's currency (auctions: `auctionStartPrice`) | 25003 |
| a ship-to-home quantity, and a listing quantity above 0 | 25004 |
| numeric fulfillment, payment and return policy ids | 25007, 25008, 25009 |
| a `merchantLocationKey` naming an enabled location of the seller | 25012 |

A listing's quantity is the smaller of the item's ship-to-home quantity and the offer's `availableQuantity`.
When it drops to 0 the listing stays live as OUT_OF_STOCK if the seller uses out-of-stock control (the
default), and otherwise ends.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from connectors.sandbox.ebay import enums, errors
from connectors.sandbox.ebay.model import Operation
from connectors.sandbox.ebay.problems import problem
from connectors.sandbox.ebay.state import (
    ACTIVE,
    ENDED,
    OUT_OF_STOCK,
    PUBLISHED,
    UNPUBLISHED,
    Item,
    Listing,
    Offer,
    Seller,
    Store,
)


def quantity(item: Item, offer_data: dict[str, Any]) -> int | None:
    """The listing quantity, or None while the item has no ship-to-home quantity."""
    total = item.quantity
    if total is None:
        return None
    available = offer_data.get("availableQuantity")
    return total if available is None else min(total, available)


def _amount(value: Any) -> Decimal | None:
    try:
        return Decimal(str((value or {}).get("value")))
    except (InvalidOperation, ValueError):
        return None


def requirements(
    store: Store,
    seller: Seller,
    op: Operation,
    offer: Offer,
    item: Item,
    data: dict[str, Any],
    *,
    publishing: bool = True,
) -> list[dict[str, Any]]:
    """eBay errors that keep `offer` (with fields `data`) from becoming a listing, or from staying one after a
    revision (`publishing=False`: a live listing may drop to quantity 0)."""
    fmt, marketplace = offer.format, offer.marketplace_id
    product = item.data.get("product") or {}
    found = []

    def need(error_id: int, field: str, info: str) -> None:
        found.append(problem(op, error_id, field, additionalInfo=info).as_error())

    if not product.get("title"):
        need(25002, "product.title", "A title is required to publish an offer.")
    if not (data.get("listingDescription") or product.get("description")):
        need(
            25002,
            "listingDescription",
            "A description (listingDescription or product.description) is required.",
        )
    if not product.get("imageUrls"):
        need(25014, "product.imageUrls", "At least one picture is required.")
    if not item.data.get("condition"):
        need(25021, "condition", "A condition is required.")
    aspects = product.get("aspects") or {}
    for name in store.settings.required_aspects:
        if not aspects.get(name):
            need(
                25002,
                f"product.aspects.{name}",
                f"The item specific {name} is missing. Add {name} to this listing, enter a valid value, "
                "and then try again.",
            )
    if not str(data.get("categoryId", "")).isdigit():
        need(25005, "categoryId", "A numeric eBay category ID is required.")
    pricing = data.get("pricingSummary") or {}
    price_name = "auctionStartPrice" if fmt == "AUCTION" else "price"
    price = _amount(pricing.get(price_name))
    currency = enums.MARKETPLACE_CURRENCY.get(marketplace)
    if price is None or price <= 0:
        need(25003, f"pricingSummary.{price_name}", "A price above 0 is required.")
    elif currency and pricing[price_name].get("currency") != currency:
        need(25003, f"pricingSummary.{price_name}.currency", f"Prices on {marketplace} are in {currency}.")
    listed = quantity(item, data)
    if listed is None:
        need(
            25004, "availability.shipToLocationAvailability.quantity", "A ship-to-home quantity is required."
        )
    elif listed <= 0 and publishing:
        need(25004, "availableQuantity", "The quantity to list must be at least 1.")
    policies = data.get("listingPolicies") or {}
    for policy, error_id in (
        ("fulfillmentPolicyId", 25007),
        ("paymentPolicyId", 25008),
        ("returnPolicyId", 25009),
    ):
        if not str(policies.get(policy, "")).isdigit():
            need(error_id, f"listingPolicies.{policy}", f"A numeric {policy} is required.")
    where = data.get("merchantLocationKey")
    location = seller.locations.get(where) if where else None
    if not where:
        need(25012, "merchantLocationKey", "A merchantLocationKey is required.")
    elif location is None or location.get("merchantLocationStatus", "ENABLED") != "ENABLED":
        need(25012, "merchantLocationKey", f"The seller has no enabled location {where!r}.")
    return found


def publish(store: Store, seller_id: str, offer: Offer, op: Operation) -> str:
    """Make `offer` a listing (or revise its listing if it already is one); answers the listing id."""
    seller = store.seller(seller_id)
    item = seller.items[offer.sku]
    revising = offer.status == PUBLISHED and offer.listing_id is not None
    found = requirements(store, seller, op, offer, item, offer.data, publishing=not revising)
    if found:
        raise errors.ApiError(400, found)
    if revising:
        assert offer.listing_id is not None
        listing = seller.listings[offer.listing_id]
        store.check_revisable([listing])
        store.count_revision([listing])
        store.ledger.updated(seller_id, offer.sku)
        store.note(seller_id, offer.sku, "revised")
        return listing.listing_id
    if offer.format == "FIXED_PRICE":
        offer.data.setdefault("listingDuration", "GTC")
    if not offer.data.get("listingDescription"):
        offer.data["listingDescription"] = (item.data.get("product") or {}).get("description")
    listing = Listing(store.new_listing_id(), offer.offer_id, offer.sku)
    seller.listings[listing.listing_id] = listing
    offer.status, offer.listing_id = PUBLISHED, listing.listing_id
    store.ledger.created(seller_id, offer.sku)
    store.note(seller_id, offer.sku, "published")
    return listing.listing_id


def end(store: Store, seller_id: str, offer: Offer, event: str) -> str | None:
    """End the offer's listing (the offer stays, unpublished); answers the ended listing's id."""
    if offer.status != PUBLISHED or offer.listing_id is None:
        return None
    listing = store.seller(seller_id).listings[offer.listing_id]
    listing.status = ENDED
    offer.status, offer.listing_id = UNPUBLISHED, None
    store.ledger.ended(seller_id, offer.sku)
    store.note(seller_id, offer.sku, event)
    return listing.listing_id


def refresh(store: Store, seller_id: str, sku: str) -> None:
    """Bring the status of the SKU's live listings in line with their quantity."""
    seller = store.seller(seller_id)
    item = seller.items.get(sku)
    if item is None:
        return
    for offer in seller.offers_of(sku):
        if offer.status != PUBLISHED or offer.listing_id is None:
            continue
        listing = seller.listings[offer.listing_id]
        listed = quantity(item, offer.data) or 0
        if listed > 0:
            listing.status = ACTIVE
        elif store.settings.out_of_stock_control:
            listing.status = OUT_OF_STOCK
        else:
            end(store, seller_id, offer, "ended_out_of_stock")


def live_view(seller: Seller, listing: Listing) -> dict[str, Any]:
    """What a buyer would see of a listing: for inspection."""
    offer = seller.offers[listing.offer_id]
    item = seller.items[listing.sku]
    product = item.data.get("product") or {}
    pricing = offer.data.get("pricingSummary") or {}
    return {
        "listingId": listing.listing_id,
        "offerId": offer.offer_id,
        "sku": listing.sku,
        "marketplaceId": offer.marketplace_id,
        "format": offer.format,
        "status": listing.status,
        "title": product.get("title"),
        "price": pricing.get("price") or pricing.get("auctionStartPrice"),
        "quantity": quantity(item, offer.data),
        "categoryId": offer.data.get("categoryId"),
        "imageUrls": list(product.get("imageUrls") or []),
        "revisions": dict(listing.revisions),
    }
