"""Listings Items API 2021-08-01 handlers: put, patch, delete, get and search a seller's listings."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from connectors.sandbox.amazon.errors import InvalidInput, NotFound
from connectors.sandbox.amazon.state import Listing, merge_views, parse_time

if TYPE_CHECKING:
    from connectors.sandbox.amazon.api import Call

Answer = tuple[int, Any]


async def put_listings_item(call: Call) -> Answer:
    query = call.query
    submission = call.sandbox.submissions.put(
        call.seller_id,
        query["marketplaceIds"],
        call.path["sku"],
        call.body,
        preview=query.get("mode") == "VALIDATION_PREVIEW",
    )
    return 200, submission.body(query["includedData"])


async def patch_listings_item(call: Call) -> Answer:
    query = call.query
    submission = call.sandbox.submissions.patch(
        call.seller_id,
        query["marketplaceIds"],
        call.path["sku"],
        call.body,
        preview=query.get("mode") == "VALIDATION_PREVIEW",
    )
    return 200, submission.body(query["includedData"])


async def delete_listings_item(call: Call) -> Answer:
    submission = call.sandbox.submissions.delete(
        call.seller_id, call.query["marketplaceIds"], call.path["sku"]
    )
    return 200, submission.body()


async def get_listings_item(call: Call) -> Answer:
    sku = call.path["sku"]
    store = call.sandbox.store
    found = [store.get(call.seller_id, m, sku) for m in call.query["marketplaceIds"]]
    listings = [listing for listing in found if listing is not None]
    if not listings:
        marketplaces = ",".join(call.query["marketplaceIds"])
        raise NotFound(f"SKU '{sku}' not found in marketplace {marketplaces}")
    return 200, merge_views([listing.view(call.query["includedData"]) for listing in listings])


_SEARCH_KEYS = {
    "SKU": lambda listing: [listing.sku],
    "ASIN": lambda listing: [listing.asin],
}


def _identifiers(listing: Listing) -> list[str]:
    entries = listing.attributes.get("externally_assigned_product_identifier") or []
    return [str(e.get("value")) for e in entries if isinstance(e, dict)]


async def search_listings_items(call: Call) -> Answer:
    """searchListingsItems over the seller's listings in the (first) marketplace given."""
    query = call.query
    identifiers, kind = query.get("identifiers"), query.get("identifiersType")
    if (identifiers is None) != (kind is None):
        raise InvalidInput("identifiers and identifiersType must be given together")
    listings = call.sandbox.store.for_seller(call.seller_id, query["marketplaceIds"][0])
    if identifiers is not None:
        wanted = set(identifiers)
        keys = _SEARCH_KEYS.get(str(kind), _identifiers)
        listings = [listing for listing in listings if wanted.intersection(keys(listing))]
    if query.get("variationParentSku") or query.get("packageHierarchySku"):
        listings = []  # the sandbox keeps no variation or package relationships
    for name, after in (
        ("createdAfter", True),
        ("createdBefore", False),
        ("lastUpdatedAfter", True),
        ("lastUpdatedBefore", False),
    ):
        if name in query:
            bound = parse_time(query[name])
            field = "created" if name.startswith("created") else "updated"
            listings = [
                listing for listing in listings if (parse_time(getattr(listing, field)) >= bound) == after
            ]
    if "withIssueSeverity" in query:
        wanted_severity = set(query["withIssueSeverity"])
        listings = [
            listing for listing in listings if wanted_severity & {i["severity"] for i in listing.issues}
        ]
    for status in query.get("withStatus", []):
        listings = [listing for listing in listings if status in listing.status()]
    for status in query.get("withoutStatus", []):
        listings = [listing for listing in listings if status not in listing.status()]
    sort_by = {"sku": "sku", "createdDate": "created", "lastUpdatedDate": "updated"}[query["sortBy"]]
    listings.sort(key=lambda listing: getattr(listing, sort_by), reverse=query["sortOrder"] == "DESC")
    size = query["pageSize"]
    start = _offset(query.get("pageToken"))
    page = listings[start : start + size]
    answer: dict[str, Any] = {
        "numberOfResults": len(listings),
        "items": [listing.view(query["includedData"]) for listing in page],
    }
    pagination = {}
    if start + size < len(listings):
        pagination["nextToken"] = _token(start + size)
    if start > 0:
        pagination["previousToken"] = _token(max(0, start - size))
    if pagination:
        answer["pagination"] = pagination
    return 200, answer


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode("ascii")


def _offset(token: str | None) -> int:
    if token is None:
        return 0
    try:
        kind, _, number = base64.urlsafe_b64decode(token.encode("ascii")).decode("ascii").partition(":")
        if kind != "offset":
            raise ValueError(kind)
        return max(0, int(number))
    except (ValueError, UnicodeError) as exc:
        raise InvalidInput("pageToken is not a token this API returned") from exc
