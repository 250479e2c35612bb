"""The wire shapes of Catalog Items `searchCatalogItems` and Product Pricing `getItemOffers`: reading queries,
writing answers, and checking a captured request (for the connectors' tests).

Neither model ships in `api-models/`; the shapes followed are written out here from Amazon's published
models (amzn/selling-partner-api-models: catalogItems_2022-04-01.json, productPricingV0.json) and the
SP-API rate-limit pages:

`GET /catalog/2022-04-01/items` (searchCatalogItems, 2 requests/s, burst 2)
- query: `marketplaceIds` (required, exactly one here), `keywords` (comma-delimited, at most 20),
  `includedData` (comma-delimited of attributes, classifications, dimensions, identifiers, images,
  productTypes, relationships, salesRanks, summaries; default summaries; the sandbox fills images and
  summaries and answers the others empty), `pageSize` (1..20, default 10), `pageToken`;
- answer: `{numberOfResults, pagination: {nextToken?, previousToken?}, refinements: {brands:
  [{numberOfResults, brandName}], classifications: []}, items: [{asin, images?: [{marketplaceId,
  images: [{variant, link, height, width}]}], summaries?: [{marketplaceId, itemName, brand, ...}]}]}`.

`GET /products/pricing/v0/items/{Asin}/offers` (getItemOffers, 0.5 requests/s, burst 1)
- query: `MarketplaceId` and `ItemCondition` (New, Used, Collectible, Refurbished, Club), both required;
- answer: `{payload: {ASIN, status, ItemCondition, marketplaceId, Identifier, Summary: {TotalOfferCount,
  NumberOfOffers, LowestPrices, BuyBoxPrices}, Offers: [{SellerId, SubCondition, ListingPrice {Amount,
  CurrencyCode}, Shipping, IsFulfilledByAmazon, IsBuyBoxWinner, IsFeaturedMerchant, ...}]}}`.

Refusals: `{"errors": [{code, message, details}]}` (400 InvalidInput, 403 Unauthorized, 404 NotFound,
429 QuotaExceeded)."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from connectors.sandbox.amazon.errors import InvalidInput
from connectors.sandbox.amazon.marketplaces import MARKETPLACES
from connectors.sandbox.limits import Rate

SEARCH_PATH = "/catalog/2022-04-01/items"
OFFERS_PATH = "/products/pricing/v0/items/{asin}/offers"
OFFERS_PATTERN = re.compile(r"^/products/pricing/v0/items/[^/]+/offers$")
RATES = {"searchCatalogItems": Rate(2.0, 2), "getItemOffers": Rate(0.5, 1)}
INCLUDED_DATA = frozenset(
    {"attributes", "classifications", "dimensions", "identifiers", "images", "productTypes"}
    | {"relationships", "salesRanks", "summaries"}
)
CONDITIONS = ("New", "Used", "Collectible", "Refurbished", "Club")
MAX_KEYWORDS, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE = 20, 20, 10


@dataclass(frozen=True)
class Entry:
    """One catalog item as search and offers see it, whether seeded or one of our sellers' listings."""

    asin: str
    name: str
    brand: str
    images: list[tuple[str, int, int]]  # (link, width, height), main first
    offers: dict[str, tuple[Decimal, str]]  # seller id -> (price, currency)


@dataclass(frozen=True)
class SearchQuery:
    """A checked searchCatalogItems query."""

    marketplace: str
    keywords: list[str]
    included: list[str]
    size: int
    start: int


def read_search(query: Mapping[str, str]) -> SearchQuery:
    """The query's values; `InvalidInput` (details: the parameter) on the first bad one."""
    marketplaces = [m for m in (query.get("marketplaceIds") or "").split(",") if m]
    if len(marketplaces) != 1 or marketplaces[0] not in MARKETPLACES:
        raise InvalidInput("marketplaceIds must name exactly one Amazon marketplace.", "marketplaceIds")
    keywords = [k.strip() for k in (query.get("keywords") or "").split(",") if k.strip()]
    if not keywords:
        raise InvalidInput("Either keywords or identifiers must be provided.", "keywords")
    if len(keywords) > MAX_KEYWORDS:
        raise InvalidInput(f"keywords may hold at most {MAX_KEYWORDS} values.", "keywords")
    included = [d for d in (query.get("includedData") or "summaries").split(",") if d]
    unknown = [d for d in included if d not in INCLUDED_DATA]
    if unknown:
        raise InvalidInput(f"includedData has invalid values: {', '.join(unknown)}.", "includedData")
    raw_size = query.get("pageSize", str(DEFAULT_PAGE_SIZE))
    if not raw_size.isdigit() or not 1 <= int(raw_size) <= MAX_PAGE_SIZE:
        raise InvalidInput(f"pageSize must be an integer from 1 to {MAX_PAGE_SIZE}.", "pageSize")
    start = token_offset(query.get("pageToken"), keywords, marketplaces[0])
    return SearchQuery(marketplaces[0], keywords, included, int(raw_size), start)


def read_offers(query: Mapping[str, str]) -> tuple[str, str]:
    """(MarketplaceId, ItemCondition) of a getItemOffers query; `InvalidInput` when one is bad."""
    marketplace = query.get("MarketplaceId")
    if not marketplace:
        raise InvalidInput("MarketplaceId is required.", "MarketplaceId")
    if marketplace not in MARKETPLACES:
        raise InvalidInput(f"{marketplace} is not a valid marketplace id.", "MarketplaceId")
    condition = query.get("ItemCondition") or ""
    if condition not in CONDITIONS:
        raise InvalidInput(f"ItemCondition must be one of {', '.join(CONDITIONS)}.", "ItemCondition")
    return marketplace, condition


def problems(
    method: str, path: str, query: Mapping[str, str], headers: Mapping[str, str]
) -> list[tuple[str, str, str]]:
    """How a request to either operation breaks the shapes above: (location, name, message) triples."""
    found: list[tuple[str, str, str]] = []
    if method.upper() != "GET":
        found.append(("method", method, "only GET is allowed"))
    if not any(k.lower() == "x-amz-access-token" and v for k, v in headers.items()):
        found.append(("header", "x-amz-access-token", "is required"))
    try:
        if path == SEARCH_PATH:
            read_search(query)
        elif OFFERS_PATTERN.match(path):
            read_offers(query)
        else:
            found.append(("path", path, "is not a Catalog Items or Product Pricing path"))
    except InvalidInput as bad:
        found.append(("query", bad.errors[0]["details"], bad.errors[0]["message"]))
    return found


def search_answer(asked: SearchQuery, found: list[Entry]) -> dict[str, Any]:
    """The searchCatalogItems answer for the matching entries."""
    start, size = asked.start, asked.size
    pagination: dict[str, str] = {}
    if start + size < len(found):
        pagination["nextToken"] = page_token(start + size, asked.keywords, asked.marketplace)
    if start > 0:
        pagination["previousToken"] = page_token(max(0, start - size), asked.keywords, asked.marketplace)
    brands: dict[str, int] = {}
    for entry in found:
        if entry.brand:
            brands[entry.brand] = brands.get(entry.brand, 0) + 1
    return {
        "numberOfResults": len(found),
        "pagination": pagination,
        "refinements": {
            "brands": [{"numberOfResults": n, "brandName": b} for b, n in sorted(brands.items())],
            "classifications": [],
        },
        "items": [
            item_view(entry, asked.marketplace, asked.included) for entry in found[start : start + size]
        ],
    }


def item_view(entry: Entry, marketplace: str, included: list[str]) -> dict[str, Any]:
    item: dict[str, Any] = {"asin": entry.asin}
    for name in included:
        if name == "images":
            variants = ["MAIN"] + [f"PT{n:02d}" for n in range(1, len(entry.images))]
            item["images"] = [
                {
                    "marketplaceId": marketplace,
                    "images": [
                        {"variant": v, "link": link, "height": h, "width": w}
                        for v, (link, w, h) in zip(variants, entry.images, strict=False)
                    ],
                }
            ]
        elif name == "summaries":
            summary: dict[str, Any] = {"marketplaceId": marketplace, "itemName": entry.name}
            if entry.brand:
                summary["brand"] = entry.brand
            item["summaries"] = [summary]
        else:
            item[name] = []
    return item


def offers_payload(
    asin: str, marketplace: str, condition: str, offers: dict[str, tuple[Decimal, str]]
) -> dict[str, Any]:
    ranked = sorted(offers.items(), key=lambda pair: pair[1][0])

    def money(amount: Decimal, currency: str) -> dict[str, Any]:
        return {"Amount": float(amount), "CurrencyCode": currency}

    listed = [
        {
            "SellerId": seller,
            "SubCondition": condition.lower(),
            "SellerFeedbackRating": {"SellerPositiveFeedbackRating": 100.0, "FeedbackCount": 0},
            "ShippingTime": {"minimumHours": 24, "maximumHours": 48, "availabilityType": "NOW"},
            "ListingPrice": money(price, currency),
            "Shipping": money(Decimal(0), currency),
            "IsFulfilledByAmazon": False,
            "IsBuyBoxWinner": n == 0,
            "IsFeaturedMerchant": True,
        }
        for n, (seller, (price, currency)) in enumerate(ranked)
    ]
    summary: dict[str, Any] = {
        "TotalOfferCount": len(listed),
        "NumberOfOffers": [
            {"condition": condition.lower(), "fulfillmentChannel": "Merchant", "OfferCount": len(listed)}
        ]
        if listed
        else [],
    }
    if ranked:
        price, currency = ranked[0][1]
        lowest: dict[str, Any] = {
            "condition": condition.lower(),
            "fulfillmentChannel": "Merchant",
            "LandedPrice": money(price, currency),
            "ListingPrice": money(price, currency),
            "Shipping": money(Decimal(0), currency),
        }
        summary["LowestPrices"] = [lowest]
        summary["BuyBoxPrices"] = [{k: v for k, v in lowest.items() if k != "fulfillmentChannel"}]
    return {
        "ASIN": asin,
        "status": "Success" if listed else "NoBuyableOffers",
        "ItemCondition": condition,
        "marketplaceId": marketplace,
        "Identifier": {"MarketplaceId": marketplace, "ASIN": asin, "ItemCondition": condition},
        "Summary": summary,
        "Offers": listed,
    }


def page_token(offset: int, keywords: list[str], marketplace: str) -> str:
    text = json.dumps([offset, marketplace, keywords], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def token_offset(token: str | None, keywords: list[str], marketplace: str) -> int:
    if not token:
        return 0
    try:
        offset, where, words = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, TypeError):
        raise InvalidInput("pageToken is not valid.", "pageToken") from None
    if where != marketplace or words != keywords or not isinstance(offset, int) or offset < 0:
        raise InvalidInput("pageToken was issued for another search.", "pageToken")
    return offset
