"""Browse API `GET /buy/browse/v1/item_summary/search`: keyword search over every seller's live listings.

No official model of the Browse API ships in `api-models/`, so the shape followed is written out here, from
eBay's Browse API reference (developer.ebay.com/api-docs/buy/browse/resources/item_summary/methods/search
and the types SearchPagedCollection and ItemSummary):

- query: `q` (keywords, required here: the sandbox serves no category, ePID or GTIN search), `limit`
  (1..200, default 50), `offset` (0..9,999, and `limit + offset` at most 10,000); header
  `X-EBAY-C-MARKETPLACE-ID` (default EBAY_US);
- auth: an application token (client-credentials grant) or a user token, either carrying the scope
  `https://api.ebay.com/oauth/api_scope`;
- answer: `{href, total, limit, offset, next?, prev?, itemSummaries?: [ItemSummary]}`; `itemSummaries` is
  left out when nothing matches. An ItemSummary carries `itemId` (`v1|<legacy id>|0`), `legacyItemId`,
  `title`, `price {value, currency}`, `image {imageUrl}`, `additionalImages [{imageUrl}]`,
  `seller {username, feedbackPercentage, feedbackScore}`, `condition`, `conditionId`, `buyingOptions`,
  `itemHref`, `itemWebUrl`;
- refusals in eBay's error shape, domain API_BROWSE: errorId 12001 for a bad `limit`, 12003 for a bad
  `offset`, 12002 when no keywords are given (the sandbox's numbering after eBay's Browse error table);
  1001/1002 for a bad or missing token, 1100 for a token without the scope, 2001 (429) past the quota;
- the call limit: 5,000 Browse calls a day for an application on the default tier (eBay's API call limits
  page), counted per application and eBay calendar day, configurable (`browse_daily_quota`).

A listing matches when every keyword is a word of its title, case-insensitively. Listings are our sellers'
published, in-stock ones (in the order they were published) followed by seeded listings of other sellers.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from html import escape
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from connectors.sandbox.base import base_url
from connectors.sandbox.ebay import errors
from connectors.sandbox.ebay.auth import API_SCOPE
from connectors.sandbox.ebay.problems import Problem
from connectors.sandbox.ebay.responses import malformed, refuse, respond
from connectors.sandbox.ebay.state import ACTIVE
from connectors.sandbox.faults import Fault
from connectors.sandbox.seeding import Seed, SeedError, Shelf, matches, plant_seeds

if TYPE_CHECKING:
    from connectors.sandbox.ebay.sandbox import EbaySandbox

SEARCH_PATH = "/buy/browse/v1/item_summary/search"
ITEM_PATH = "/buy/browse/v1/item/"
BROWSE = "API_BROWSE"
DEFAULT_LIMIT, MAX_LIMIT, MAX_WINDOW = 50, 200, 10_000
BROWSE_DAILY_QUOTA = 5_000
FIRST_SEEDED_ID = 390_000_000_001


@dataclass(frozen=True)
class Seeded:
    """Another seller's listing: what was seeded, with its legacy item id and image ids (main first)."""

    legacy_id: str
    seed: Seed
    image_ids: tuple[str, ...]
    feedback_score: int
    feedback_percentage: str


class Board:
    """Seeded listings and their images."""

    def __init__(self) -> None:
        self.shelf = Shelf()
        self.listings: dict[str, Seeded] = {}
        self._ids = itertools.count(FIRST_SEEDED_ID)
        self.lock = threading.Lock()

    def add(self, seed: Seed, index: int = 0) -> Seeded:
        """Plant a checked seed; `SeedError` (naming record `index`) for bad feedback figures."""
        score, percentage = (
            seed.extras.get("feedback_score", 0),
            seed.extras.get("feedback_percentage", "100.0"),
        )
        if not isinstance(score, int) or score < 0:
            raise SeedError(index, "feedback_score", "must be a whole number, 0 or more")
        try:
            if not 0 <= float(percentage) <= 100:
                raise ValueError(percentage)
        except (TypeError, ValueError):
            raise SeedError(index, "feedback_percentage", "must be a number from 0 to 100") from None
        pictures = [self.shelf.put(data) for data in seed.images]
        with self.lock:
            listing = Seeded(
                str(next(self._ids)), seed, tuple(p.image_id for p in pictures), score, str(percentage)
            )
            self.listings[listing.legacy_id] = listing
        return listing


def browse_error(
    error_id: int, message: str, parameter: str | None = None, status: int = 400
) -> errors.ApiError:
    entry = errors.error(
        error_id, message, domain=BROWSE, parameters={"parameterName": parameter} if parameter else None
    )
    entry["subdomain"] = "Browse"
    return errors.ApiError(status, [entry])


def _number(query: Any, name: str, default: int, low: int, high: int, error_id: int) -> int:
    raw = query.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise browse_error(error_id, f"The '{name}' value must be an integer from {low} to {high}.", name)
    return int(raw)


def read_query(query: Mapping[str, str]) -> tuple[str, int, int]:
    """`q`, `limit` and `offset` of a search; the Browse API's refusal for the first bad one."""
    keywords = (query.get("q") or "").strip()
    if not keywords:
        raise browse_error(12002, "The 'q' parameter (keywords) is required for this search.", "q")
    limit = _number(query, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT, 12001)
    offset = _number(query, "offset", 0, 0, MAX_WINDOW - 1, 12003)
    if limit + offset > MAX_WINDOW:
        raise browse_error(12003, f"'limit' plus 'offset' must not exceed {MAX_WINDOW}.", "offset")
    return keywords, limit, offset


def search_problems(method: str, query: Mapping[str, str], headers: Mapping[str, str]) -> list[Problem]:
    """How a captured search request breaks the shape above (for the connectors' contract checks)."""
    found = []
    if method.upper() != "GET":
        found.append(
            Problem(2002, f"{method} is not allowed on the search resource", "method", 405, domain=BROWSE)
        )
    auth = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
    if not auth.lower().startswith("bearer "):
        found.append(Problem(1002, "Missing access token", "Authorization", status=401, domain="OAuth"))
    try:
        read_query(query)
    except errors.ApiError as refusal:
        entry = refusal.errors[0]
        name = entry["parameters"][0]["value"]
        found.append(Problem(entry["errorId"], entry["message"], name, refusal.status, domain=BROWSE))
    return found


def image_url(base: str, image_id: str, extension: str) -> str:
    return f"{base}/images/g/{image_id}/s-l1600.{extension}"


def _seeded_summary(base: str, board: Board, listing: Seeded) -> dict[str, Any]:
    pictures = [board.shelf.get(i) for i in listing.image_ids]
    urls = [image_url(base, p.image_id, p.extension) for p in pictures if p is not None]
    seed = listing.seed
    return _summary(
        base, listing.legacy_id, seed.title, seed.price, seed.currency, urls,
        {"username": seed.seller, "feedbackPercentage": listing.feedback_percentage,
         "feedbackScore": listing.feedback_score},
    )  # fmt: skip


def _summary(
    base: str,
    legacy_id: str,
    title: str,
    price: Decimal | str,
    currency: str,
    urls: list[str],
    seller: dict[str, Any],
) -> dict[str, Any]:
    item_id = f"v1|{legacy_id}|0"
    summary: dict[str, Any] = {
        "itemId": item_id,
        "legacyItemId": legacy_id,
        "title": title,
        "price": {"value": str(price), "currency": currency},
        "seller": seller,
        "condition": "New",
        "conditionId": "1000",
        "buyingOptions": ["FIXED_PRICE"],
        "itemHref": f"{base}{ITEM_PATH}{quote(item_id, safe='')}",
        "itemWebUrl": f"{base}/itm/{legacy_id}",
    }
    if urls:
        summary["image"] = {"imageUrl": urls[0]}
        if urls[1:]:
            summary["additionalImages"] = [{"imageUrl": url} for url in urls[1:]]
    return summary


def _ours(sandbox: EbaySandbox, base: str, marketplace: str, keywords: str) -> list[dict[str, Any]]:
    """Our sellers' published, in-stock listings in `marketplace` that match, in publishing order."""
    found: list[tuple[int, dict[str, Any]]] = []
    with sandbox.store.lock:
        for seller_id, seller in sandbox.store.sellers.items():
            for listing in seller.listings.values():
                offer = seller.offers.get(listing.offer_id)
                item = seller.items.get(listing.sku)
                if listing.status != ACTIVE or offer is None or item is None:
                    continue
                product = item.data.get("product") or {}
                title = str(product.get("title") or "")
                if offer.marketplace_id != marketplace or not matches(keywords, title):
                    continue
                price = (offer.data.get("pricingSummary") or {}).get("price") or {}
                urls = [str(u) for u in product.get("imageUrls") or []]
                seller_info = {"username": seller_id, "feedbackPercentage": "100.0", "feedbackScore": 0}
                summary = _summary(
                    base, listing.listing_id, title, str(price.get("value", "")),
                    str(price.get("currency", "")), urls, seller_info,
                )  # fmt: skip
                found.append((int(listing.listing_id), summary))
    return [summary for _, summary in sorted(found, key=lambda pair: pair[0])]


class BrowseApi:
    """The search endpoint, the listings' web pages, the seeded images, and seeding over HTTP."""

    def __init__(self, sandbox: EbaySandbox) -> None:
        self.sandbox = sandbox
        self.board = Board()

    def seed(self, seed: Seed, index: int = 0) -> dict[str, Any]:
        listing = self.board.add(seed, index)
        return {"itemId": f"v1|{listing.legacy_id}|0", "legacyItemId": listing.legacy_id}

    async def search(self, request: Request) -> Response:
        sandbox = self.sandbox
        sandbox.stats["search"] += 1
        if sandbox.faults.plan.latency_seconds:
            await asyncio.sleep(sandbox.faults.plan.latency_seconds)
        try:
            principal = sandbox.authenticate(request.headers.get("authorization"))
            if API_SCOPE not in principal.scopes:
                raise errors.access_denied()
            if not sandbox.quota.take(sandbox.credentials.client_id, "browse"):
                raise errors.too_many_requests()
            keywords, limit, offset = read_query(request.query_params)
            fault = sandbox.faults.draw("search", write=False)
            if fault is Fault.ERROR:
                raise errors.system_error("Please try again later.")
            if fault is Fault.THROTTLE:
                raise errors.too_many_requests()
            if fault is Fault.HANG:
                await asyncio.sleep(sandbox.faults.plan.hang_seconds)
            marketplace = request.headers.get("x-ebay-c-marketplace-id", "EBAY_US")
            answer = self._page(base_url(request), marketplace, keywords, limit, offset)
        except errors.EbaySandboxError as refusal:
            return refuse(refusal)
        if fault is Fault.MALFORMED:
            return malformed(answer)
        return respond(200, answer)

    def _page(self, base: str, marketplace: str, keywords: str, limit: int, offset: int) -> dict[str, Any]:
        found = _ours(self.sandbox, base, marketplace, keywords)
        with self.board.lock:
            seeded = [s for s in self.board.listings.values() if matches(keywords, s.seed.title)]
        found += [_seeded_summary(base, self.board, listing) for listing in seeded]

        def href(at: int) -> str:
            return f"{base}{SEARCH_PATH}?" + urlencode({"q": keywords, "limit": limit, "offset": at})

        answer: dict[str, Any] = {"href": href(offset), "total": len(found), "limit": limit, "offset": offset}
        if offset + limit < len(found) and offset + 2 * limit <= MAX_WINDOW:
            answer["next"] = href(offset + limit)
        if offset > 0:
            answer["prev"] = href(max(0, offset - limit))
        page = found[offset : offset + limit]
        if page:
            answer["itemSummaries"] = page
        return answer

    async def image(self, request: Request) -> Response:
        found = self.board.shelf.get(request.path_params["image_id"])
        if found is None:
            return Response(status_code=404)
        return Response(found.data, media_type=found.content_type, headers={"Cache-Control": "max-age=86400"})

    async def web_page(self, request: Request) -> Response:
        listing = self.board.listings.get(request.path_params["legacy_id"])
        if listing is None:
            return HTMLResponse("<h1>This listing is gone.</h1>", status_code=404)
        seed = listing.seed
        return HTMLResponse(
            f"<h1>{escape(seed.title)}</h1><p>{escape(seed.seller)}: {seed.price} {seed.currency}</p>"
        )

    async def seed_endpoint(self, request: Request) -> Response:
        try:
            payload = await request.json()
        except ValueError:
            payload = None
        base = base_url(request)

        def plant(seed: Seed, index: int) -> dict[str, Any]:
            ids = self.seed(seed, index)
            return _seeded_summary(base, self.board, self.board.listings[ids["legacyItemId"]])

        status, body = plant_seeds(payload, plant)
        return respond(status, body)

    def routes(self) -> list[Route]:
        return [
            Route(SEARCH_PATH, self.search, methods=["GET"]),
            Route("/images/g/{image_id}/{size}", self.image, methods=["GET"]),
            Route("/itm/{legacy_id}", self.web_page, methods=["GET"]),
            Route("/_sandbox/seed", self.seed_endpoint, methods=["POST"]),
        ]
