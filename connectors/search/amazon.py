"""Amazon keyword search: Catalog Items `searchCatalogItems`, then Product Pricing `getItemOffers` per ASIN.

Catalog search finds products, not sellers; each product's offers name the sellers. getItemOffers allows
0.5 requests a second (burst 1), so a scan of many ASINs is paced by the rate gate: the workers plug in their
shared Redis limiter, and a process on its own gets a `LocalRateLimiter` with the documented rates.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import requests
from requests.auth import AuthBase

from connectors.errors import PermanentError
from connectors.http import DEFAULT_TIMEOUT, HttpClient
from connectors.search.result import (
    BadListing,
    FoundListing,
    LocalRateLimiter,
    RateGate,
    Search,
    money,
    text,
)

SEARCH_PATH = "/catalog/2022-04-01/items"
OFFERS_PATH = "/products/pricing/v0/items/{asin}/offers"
RATES = {"searchCatalogItems": (2.0, 2), "getItemOffers": (0.5, 1)}
MAX_PAGE, MAX_KEYWORDS = 20, 20
RETAIL_SITES = {
    "ATVPDKIKX0DER": "https://www.amazon.com",
    "A2EUQ1WTGCTBG2": "https://www.amazon.ca",
    "A1F83G8C2ARO7P": "https://www.amazon.co.uk",
    "A1PA6795UKMFR9": "https://www.amazon.de",
    "A13V1IB3VIYZZH": "https://www.amazon.fr",
    "APJ6JRA9NG5V4": "https://www.amazon.it",
    "A1RKKUPIHCS9HS": "https://www.amazon.es",
    "A1VC38T7YXB528": "https://www.amazon.co.jp",
}


def keyword_list(keyword: str) -> str:
    """searchCatalogItems takes keywords as a comma-delimited list of at most 20 words."""
    words = [w for w in re.split(r"[\s,]+", keyword) if w]
    if not words:
        raise ValueError("a search needs at least one keyword")
    return ",".join(words[:MAX_KEYWORDS])


def main_first(item: dict[str, Any], marketplace_id: str) -> list[str]:
    """The item's image links in this marketplace: the largest of each variant, MAIN first."""
    best: dict[str, tuple[int, str]] = {}
    for group in item.get("images") or []:
        if group.get("marketplaceId") not in (None, marketplace_id):
            continue
        for image in group.get("images") or []:
            variant, link = str(image.get("variant") or ""), image.get("link")
            size = int(image.get("height") or 0) * int(image.get("width") or 0)
            if link and (variant not in best or size > best[variant][0]):
                best[variant] = (size, str(link))
    order = sorted(best, key=lambda v: (v != "MAIN", v))
    return [best[v][1] for v in order]


class AmazonSearch(Search):
    """Searches one marketplace's catalogue and yields one listing per (ASIN, seller) offering it."""

    marketplace = "amazon"

    def __init__(
        self,
        base_url: str,
        auth: AuthBase,
        *,
        marketplace_id: str = "ATVPDKIKX0DER",
        page_size: int = MAX_PAGE,
        item_condition: str = "New",
        product_site: str | None = None,
        session: requests.Session | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        rate_gate: RateGate | None = None,
    ) -> None:
        super().__init__(rate_gate or LocalRateLimiter(RATES))
        if not 1 <= page_size <= MAX_PAGE:
            raise ValueError(f"page_size must be 1..{MAX_PAGE}")
        self.marketplace_id = marketplace_id
        self.page_size = page_size
        self.item_condition = item_condition
        self.product_site = (
            product_site or RETAIL_SITES.get(marketplace_id, RETAIL_SITES["ATVPDKIKX0DER"])
        ).rstrip("/")
        self.http = HttpClient(base_url, auth, session=session, timeout=timeout)

    def search(self, keyword: str, *, limit: int | None = None) -> Iterator[FoundListing]:
        params: dict[str, Any] = {
            "keywords": keyword_list(keyword),
            "marketplaceIds": self.marketplace_id,
            "includedData": "images,summaries",
            "pageSize": self.page_size,
        }
        found = 0
        while True:
            self.wait_turn("searchCatalogItems")
            body = self.http.json("GET", SEARCH_PATH, params=params)
            for item in body.get("items") or []:
                if limit is not None and found >= limit:
                    return
                for listing in self._offers_of(item):
                    if limit is not None and found >= limit:
                        return
                    found += 1
                    yield listing
            token = (body.get("pagination") or {}).get("nextToken")
            if not token:
                return
            params = {**params, "pageToken": token}

    def _offers_of(self, item: Any) -> list[FoundListing]:
        asin = str(item.get("asin") or "?") if isinstance(item, dict) else "?"
        try:
            if not isinstance(item, dict):
                raise BadListing("items[]", "is not an object")
            text(item.get("asin"), "asin")
            summaries = [s for s in item.get("summaries") or [] if isinstance(s, dict)]
            summary = next((s for s in summaries if s.get("marketplaceId") == self.marketplace_id), None)
            title = text((summary or {}).get("itemName"), "summaries[].itemName")
        except BadListing as bad:
            self.skip(asin, bad)
            return []
        images = tuple(main_first(item, self.marketplace_id))
        self.wait_turn("getItemOffers")
        try:
            answer = self.http.json(
                "GET",
                OFFERS_PATH.format(asin=quote(asin, safe="")),
                params={"MarketplaceId": self.marketplace_id, "ItemCondition": self.item_condition},
            )
        except PermanentError as gone:
            if gone.status != 404:
                raise
            self.skip(asin, BadListing("offers", "the ASIN has no offers resource any more"))
            return []
        found = []
        for offer in (answer.get("payload") or {}).get("Offers") or []:
            seller = str(offer.get("SellerId") or "?") if isinstance(offer, dict) else "?"
            try:
                if not isinstance(offer, dict):
                    raise BadListing("Offers[]", "is not an object")
                price = offer.get("ListingPrice") or {}
                seller = text(offer.get("SellerId"), "SellerId")
                found.append(
                    FoundListing(
                        marketplace=self.marketplace,
                        listing_id=f"{asin}/{seller}",
                        title=title,
                        seller=seller,
                        price=money(price.get("Amount"), "ListingPrice.Amount"),
                        currency=text(price.get("CurrencyCode"), "ListingPrice.CurrencyCode"),
                        image_urls=images,
                        url=f"{self.product_site}/dp/{quote(asin, safe='')}?smid={quote(seller, safe='')}",
                        ids={"asin": asin, "seller_id": seller},
                    )
                )
            except BadListing as bad:
                self.skip(f"{asin}/{seller}", bad)
        return found
