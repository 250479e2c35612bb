"""Catalog Items 2022-04-01 `searchCatalogItems` and Product Pricing v0 `getItemOffers`, for scans.

The shapes are written out in `catalog_wire.py`. A catalog item matches when every keyword is a word of its
name, case-insensitively. Items are seeded listings of other sellers and our sellers' listings (grouped by
ASIN); a seed may name an existing `asin` to offer it too, as a seller does on Amazon.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re
import threading
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from connectors.sandbox.amazon import catalog_wire as wire
from connectors.sandbox.amazon.errors import (
    AmazonSandboxError,
    InternalFailure,
    NotFound,
    QuotaExceeded,
    dumps,
    json_response,
)
from connectors.sandbox.amazon.marketplaces import MARKETPLACES, US
from connectors.sandbox.base import base_url
from connectors.sandbox.faults import Fault
from connectors.sandbox.seeding import Seed, SeedError, Shelf, matches, plant_seeds

NOMINAL_SIZE = 1000
ASIN = re.compile(r"[A-Z0-9]{10}")

if TYPE_CHECKING:
    from connectors.sandbox.amazon.app import AmazonSandbox
    from connectors.sandbox.amazon.state import Listing


@dataclass
class CatalogItem:
    """A seeded catalog item: its name, brand, images (ids, main first) and other sellers' offers."""

    asin: str
    marketplace_id: str
    name: str
    brand: str
    image_ids: tuple[str, ...]
    offers: dict[str, tuple[Decimal, str]] = field(default_factory=dict)  # seller id -> (price, currency)


class Catalog:
    """Seeded catalog items by (marketplace, ASIN), and their images."""

    def __init__(self) -> None:
        self.shelf = Shelf()
        self.items: dict[tuple[str, str], CatalogItem] = {}
        self.lock = threading.Lock()

    def add(self, seed: Seed) -> CatalogItem:
        marketplace = str(seed.extras.get("marketplace_id") or US)
        pictures = [self.shelf.put(data) for data in seed.images]
        with self.lock:
            asin = str(seed.extras.get("asin") or _new_asin(seed, len(self.items)))
            item = self.items.get((marketplace, asin))
            if item is None:
                brand = str(seed.extras.get("brand") or "")
                ids = tuple(p.image_id for p in pictures)
                item = self.items[(marketplace, asin)] = CatalogItem(
                    asin, marketplace, seed.title, brand, ids
                )
            item.offers[seed.seller] = (seed.price, seed.currency)
            return item

    def reset(self) -> None:
        with self.lock:
            self.items.clear()
        self.shelf.clear()


def _new_asin(seed: Seed, n: int) -> str:
    digest = hashlib.sha256(f"seed|{n}|{seed.seller}|{seed.title}".encode()).digest()
    return "B0" + base64.b32encode(digest).decode("ascii")[:8]


def image_link(base: str, image_id: str, extension: str) -> str:
    return f"{base}/images/I/{image_id}.{extension}"


def _ours(listing: Listing) -> tuple[str, list[str], tuple[Decimal, str] | None]:
    """Name, image links and offer of one of our sellers' listings."""
    attrs = listing.attributes

    def first(name: str) -> Any:
        entries = [e for e in attrs.get(name) or [] if isinstance(e, dict)]
        return entries[0] if entries else {}

    links = [first("main_product_image_locator").get("media_location")]
    links += [first(f"other_product_image_locator_{n}").get("media_location") for n in range(1, 9)]
    offers = listing.offers()
    offer = None
    if offers and listing.quantity() > 0:
        offer = (Decimal(offers[0]["price"]["amount"]), str(offers[0]["price"]["currencyCode"]))
    return str(first("item_name").get("value") or ""), [str(u) for u in links if u], offer


class CatalogApi:
    """The two operations, the product pages, the images, and seeding over HTTP."""

    def __init__(self, sandbox: AmazonSandbox) -> None:
        self.sandbox = sandbox
        self.catalog = Catalog()

    def entries(self, base: str, marketplace: str, asin: str | None = None) -> list[wire.Entry]:
        """Every catalog item of the marketplace (or the one `asin`) with its offers: seeded items, then our
        sellers' ASINs."""
        found: dict[str, wire.Entry] = {}
        with self.catalog.lock:  # offers of seeded items may be added meanwhile from another thread
            if asin is None:
                seeded = [item for (m, _), item in self.catalog.items.items() if m == marketplace]
            else:
                one = self.catalog.items.get((marketplace, asin))
                seeded = [one] if one is not None else []
            for item in seeded:
                pictures = [self.catalog.shelf.get(i) for i in item.image_ids]
                images = [
                    (image_link(base, p.image_id, p.extension), p.width, p.height) for p in pictures if p
                ]
                found[item.asin] = wire.Entry(item.asin, item.name, item.brand, images, dict(item.offers))
        for listing in self.sandbox.store.in_marketplace(marketplace):
            if asin is not None and listing.asin != asin:
                continue
            name, links, offer = _ours(listing)
            entry = found.get(listing.asin)
            if entry is None:
                brand = listing.attributes.get("brand") or [{}]
                # the sandbox does not fetch a seller's image URLs, so it reports a nominal size
                images = [(link, NOMINAL_SIZE, NOMINAL_SIZE) for link in links]
                entry = found[listing.asin] = wire.Entry(
                    listing.asin, name, str(brand[0].get("value") or ""), images, {}
                )
            if offer is not None:
                entry.offers[listing.seller_id] = offer
        return list(found.values())

    async def guarded(
        self, request: Request, operation: str, work: Callable[[Request], Awaitable[Any]]
    ) -> Response:
        """Authenticate, throttle, draw the fault, then `work`: the path every SP-API call takes."""
        sandbox = self.sandbox
        request_id = str(uuid.uuid4())
        fault: Fault | None = None
        try:
            seller = sandbox.tokens.seller_of_access_token(request.headers.get("x-amz-access-token"))
            if sandbox.limiter.check(seller, operation):
                raise QuotaExceeded()
            fault = sandbox.faults.draw(operation, write=False)
            plan = sandbox.faults.plan
            wait = plan.latency_seconds + (plan.hang_seconds if fault is Fault.HANG else 0.0)
            if wait > 0:
                await asyncio.sleep(wait)
            if fault is Fault.ERROR:
                raise InternalFailure()
            if fault is Fault.THROTTLE:
                raise QuotaExceeded()
            payload = await work(request)
        except AmazonSandboxError as error:
            response = error.response(request_id)
            response.headers["x-amzn-RateLimit-Limit"] = sandbox.rate_header(operation)
            return response
        headers = {"x-amzn-RequestId": request_id, "x-amzn-RateLimit-Limit": sandbox.rate_header(operation)}
        content = dumps(payload)
        if fault is Fault.MALFORMED:
            content = content[: len(content) // 2]
        return Response(content, 200, headers, media_type="application/json")

    async def search(self, request: Request) -> Response:
        return await self.guarded(request, "searchCatalogItems", self._search)

    async def offers(self, request: Request) -> Response:
        return await self.guarded(request, "getItemOffers", self._offers)

    async def _search(self, request: Request) -> dict[str, Any]:
        asked = wire.read_search(request.query_params)
        found = [
            e for e in self.entries(base_url(request), asked.marketplace) if matches(asked.keywords, e.name)
        ]
        return wire.search_answer(asked, found)

    async def _offers(self, request: Request) -> dict[str, Any]:
        asin = request.path_params["asin"]
        marketplace, condition = wire.read_offers(request.query_params)
        entry = next(iter(self.entries(base_url(request), marketplace, asin)), None)
        if entry is None:
            raise NotFound(f"No catalog item found for ASIN {asin} in marketplace {marketplace}.")
        offers = entry.offers if condition == "New" else {}
        return {"payload": wire.offers_payload(asin, marketplace, condition, offers)}

    async def product_page(self, request: Request) -> Response:
        asin = request.path_params["asin"]
        entry = next(iter(self.entries(base_url(request), US, asin)), None)
        if entry is None:
            return HTMLResponse("<h1>Page not found</h1>", status_code=404)
        sellers = "".join(f"<li>{escape(s)}: {p} {c}</li>" for s, (p, c) in entry.offers.items())
        return HTMLResponse(f"<h1>{escape(entry.name)}</h1><ul>{sellers}</ul>")

    async def image(self, request: Request) -> Response:
        image_id = request.path_params["name"].rsplit(".", 1)[0]
        found = self.catalog.shelf.get(image_id)
        if found is None:
            return Response(status_code=404)
        return Response(found.data, media_type=found.content_type, headers={"Cache-Control": "max-age=86400"})

    async def seed_endpoint(self, request: Request) -> Response:
        try:
            payload = await request.json()
        except ValueError:
            payload = None
        status, body = plant_seeds(payload, self.seeded)
        return json_response(body, status)

    def seeded(self, seed: Seed, index: int = 0) -> dict[str, Any]:
        """Plant a checked seed; `SeedError` (naming record `index`) for a bad `asin` or `marketplace_id`."""
        asin, marketplace = seed.extras.get("asin"), seed.extras.get("marketplace_id")
        if asin is not None and not (isinstance(asin, str) and ASIN.fullmatch(asin)):
            raise SeedError(index, "asin", "must be 10 capital letters or digits")
        if marketplace is not None and marketplace not in MARKETPLACES:
            raise SeedError(index, "marketplace_id", "is not an Amazon marketplace id")
        item = self.catalog.add(seed)
        return {"asin": item.asin, "sellerId": seed.seller, "marketplaceId": item.marketplace_id}

    def routes(self) -> list[Route]:
        return [
            Route(wire.SEARCH_PATH, self.search, methods=["GET"]),
            Route(wire.OFFERS_PATH, self.offers, methods=["GET"]),
            Route("/dp/{asin}", self.product_page, methods=["GET"]),
            Route("/images/I/{name}", self.image, methods=["GET"]),
            Route("/_sandbox/seed", self.seed_endpoint, methods=["POST"]),
        ]


__all__ = ["CatalogApi"]
