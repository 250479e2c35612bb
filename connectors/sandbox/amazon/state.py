"""What the Amazon sandbox keeps: listings per seller, marketplace and SKU, and the views the API returns."""

from __future__ import annotations

import base64
import hashlib
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

ALL_INCLUDED = (
    "summaries",
    "attributes",
    "issues",
    "offers",
    "fulfillmentAvailability",
    "procurement",
    "relationships",
    "productTypes",
)


def iso(timestamp: float) -> str:
    """`timestamp` as Amazon writes dates: ISO 8601 in UTC with milliseconds and a Z."""
    moment = datetime.fromtimestamp(timestamp, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_time(text: str) -> float:
    """An ISO 8601 date-time (a trailing Z or an offset) as a timestamp; ValueError when it is not one."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def asin_for(seller_id: str, sku: str, attributes: dict[str, Any]) -> str:
    """The ASIN a listing matches: the suggested one, else one derived from its product identifier (so the
    same product gets the same ASIN for every seller), else from the seller and SKU."""
    suggested = attributes.get("merchant_suggested_asin")
    if isinstance(suggested, list) and suggested and isinstance(suggested[0], dict):
        value = suggested[0].get("value")
        if isinstance(value, str):
            return value
    identifiers = attributes.get("externally_assigned_product_identifier")
    key = f"{seller_id}|{sku}"
    if isinstance(identifiers, list) and identifiers and isinstance(identifiers[0], dict):
        key = f"id|{identifiers[0].get('value')}"
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return "B0" + base64.b32encode(digest).decode("ascii")[:8]


@dataclass
class Listing:
    """One seller's listing of one SKU in one marketplace."""

    seller_id: str
    marketplace_id: str
    sku: str
    product_type: str
    requirements: str
    attributes: dict[str, Any]
    created: str
    updated: str
    asin: str
    issues: list[dict[str, Any]] = field(default_factory=list)

    def _entries(self, name: str) -> list[dict[str, Any]]:
        entries = self.attributes.get(name) or []
        return [
            e
            for e in entries
            if isinstance(e, dict) and e.get("marketplace_id") in (None, self.marketplace_id)
        ]

    def quantity(self) -> int:
        return sum(int(e.get("quantity") or 0) for e in self._entries("fulfillment_availability"))

    def offers(self) -> list[dict[str, Any]]:
        found = []
        for entry in self._entries("purchasable_offer"):
            for price in entry.get("our_price") or []:
                amount = price["schedule"][0]["value_with_tax"]
                found.append(
                    {
                        "marketplaceId": self.marketplace_id,
                        "offerType": "B2B" if entry.get("audience") == "B2B" else "B2C",
                        "price": {"currencyCode": entry["currency"], "amount": str(float(amount))},
                        "audience": {"value": entry.get("audience", "ALL"), "displayName": "Sell on Amazon"},
                    }
                )
        return found

    def status(self) -> list[str]:
        status = ["DISCOVERABLE"] if self.requirements != "LISTING_OFFER_ONLY" or self.asin else []
        if self.quantity() > 0 and self.offers():
            status.insert(0, "BUYABLE")
        return status

    def summary(self) -> dict[str, Any]:
        summary: dict[str, Any] = {
            "marketplaceId": self.marketplace_id,
            "asin": self.asin,
            "productType": self.product_type,
            "status": self.status(),
            "createdDate": self.created,
            "lastUpdatedDate": self.updated,
        }
        condition = self._entries("condition_type")
        if condition:
            summary["conditionType"] = condition[0].get("value")
        name = self._entries("item_name")
        if name:
            summary["itemName"] = name[0].get("value")
        return summary

    def view(self, included: tuple[str, ...] | list[str] = ALL_INCLUDED) -> dict[str, Any]:
        """The listing as getListingsItem returns it (an `Item`), with the requested data sets. It shares
        the listing's attributes: serialise it or copy it, never change it."""
        item: dict[str, Any] = {"sku": self.sku}
        for name in included:
            if name == "summaries":
                item["summaries"] = [self.summary()]
            elif name == "attributes":
                item["attributes"] = self.attributes
            elif name == "issues":
                item["issues"] = self.issues
            elif name == "offers":
                item["offers"] = self.offers()
            elif name == "fulfillmentAvailability":
                item["fulfillmentAvailability"] = [
                    {
                        "fulfillmentChannelCode": e["fulfillment_channel_code"],
                        "quantity": int(e.get("quantity") or 0),
                    }
                    for e in self._entries("fulfillment_availability")
                ]
            elif name == "procurement":
                item["procurement"] = []
            elif name == "relationships":
                item["relationships"] = [{"marketplaceId": self.marketplace_id, "relationships": []}]
            elif name == "productTypes":
                item["productTypes"] = [
                    {"marketplaceId": self.marketplace_id, "productType": self.product_type}
                ]
        return item


def merge_views(views: list[dict[str, Any]]) -> dict[str, Any]:
    """One `Item` for a SKU listed in several marketplaces: per-marketplace lists joined, attributes first."""
    merged: dict[str, Any] = {}
    for view in views:
        for key, value in view.items():
            if isinstance(value, list) and key in merged:
                merged[key] = merged[key] + value
            elif key not in merged:
                merged[key] = value
    return merged


class ListingStore:
    """Listings keyed by (seller, marketplace, sku); thread-safe, as tests read it from their own thread."""

    def __init__(self) -> None:
        self._listings: dict[tuple[str, str, str], Listing] = {}
        self._lock = threading.Lock()

    def get(self, seller_id: str, marketplace_id: str, sku: str) -> Listing | None:
        """The stored listing, shared and read-only: a change is made by saving a new one."""
        with self._lock:
            return self._listings.get((seller_id, marketplace_id, sku))

    def save(self, listing: Listing) -> bool:
        """Store the listing, which the store then owns (nobody changes it after); True when it is new
        (a create), False when it replaced one (an update)."""
        key = (listing.seller_id, listing.marketplace_id, listing.sku)
        with self._lock:
            created = key not in self._listings
            self._listings[key] = listing
            return created

    def delete(self, seller_id: str, marketplace_id: str, sku: str) -> bool:
        with self._lock:
            return self._listings.pop((seller_id, marketplace_id, sku), None) is not None

    def for_seller(self, seller_id: str, marketplace_id: str | None = None) -> list[Listing]:
        """A seller's listings (in one marketplace, or all), ordered by SKU; shared and read-only."""
        with self._lock:
            found = [
                listing
                for (seller, marketplace, _), listing in self._listings.items()
                if seller == seller_id and marketplace_id in (None, marketplace)
            ]
        return sorted(found, key=lambda listing: (listing.sku, listing.marketplace_id))

    def in_marketplace(self, marketplace_id: str) -> list[Listing]:
        """Every seller's listings in one marketplace, in the order they were first saved."""
        with self._lock:
            return [listing for key, listing in self._listings.items() if key[1] == marketplace_id]

    def reset(self) -> None:
        with self._lock:
            self._listings.clear()

    def count(self) -> int:
        with self._lock:
            return len(self._listings)
