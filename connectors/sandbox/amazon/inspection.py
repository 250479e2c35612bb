"""`/_sandbox/...`: what the sandbox holds, as JSON, for the standalone mode, the demo and people."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from connectors.sandbox.amazon.errors import json_response
from connectors.sandbox.amazon.marketplaces import MARKETPLACES, US
from connectors.sandbox.amazon.requirements import PRODUCT_TYPES, required_attributes

if TYPE_CHECKING:
    from connectors.sandbox.amazon.app import AmazonSandbox

INDEX = {
    "GET /_sandbox": "this index",
    "GET /_sandbox/stats": "listings live, accepted writes, throttled calls, faults injected",
    "GET /_sandbox/sellers/{sellerId}/credentials": "LWA client id, secret and the seller's refresh token",
    "GET /_sandbox/sellers/{sellerId}/listings?marketplaceId=": "the seller's live listings (full Items)",
    "GET /_sandbox/sellers/{sellerId}/ledger": "per SKU: creates, updates, ends accepted",
    "GET /_sandbox/sellers/{sellerId}/feeds": "the seller's feeds",
    "GET /_sandbox/feeds/{feedId}/report": "a finished feed's processing report",
    "POST /_sandbox/expire-tokens": "expire every access token issued so far",
    "POST /_sandbox/reset": "forget listings, seeded offers, feeds, documents, ledger, rate-limit state",
    "POST /_sandbox/seed": "plant other sellers' offers for catalog search: {listings: [...]}",
}


def routes(sandbox: AmazonSandbox) -> list[Route]:
    """The inspection routes, bound to `sandbox`."""

    async def index(request: Request) -> Response:
        product_types = {
            name: required_attributes(kind, "LISTING") for name, kind in sorted(PRODUCT_TYPES.items())
        }
        return json_response(
            {
                "sandbox": "amazon",
                "endpoints": INDEX,
                "marketplaces": {m.marketplace_id: m.country for m in MARKETPLACES.values()},
                "productTypes": product_types,
            }
        )

    async def stats(request: Request) -> Response:
        return json_response(sandbox.stats())

    async def credentials(request: Request) -> Response:
        return json_response(sandbox.credentials_for(request.path_params["seller_id"]))

    async def listings(request: Request) -> Response:
        marketplace = request.query_params.get("marketplaceId", US)
        if marketplace not in MARKETPLACES:
            return json_response({"error": f"{marketplace!r} is not an Amazon marketplace id"}, 400)
        items = sandbox.listings(request.path_params["seller_id"], marketplace)
        return json_response({"marketplaceId": marketplace, "listings": list(items.values())})

    async def ledger(request: Request) -> Response:
        counts = sandbox.ledger.all(request.path_params["seller_id"])
        return json_response({sku: asdict(c) for sku, c in sorted(counts.items())})

    async def feeds(request: Request) -> Response:
        return json_response({"feeds": sandbox.feeds(request.path_params["seller_id"])})

    async def report(request: Request) -> Response:
        feed_id = request.path_params["feed_id"]
        if feed_id not in sandbox.feedstore.feeds:
            return json_response({"error": f"no feed {feed_id!r}"}, 404)
        found = sandbox.feed_report(feed_id)
        if found is None:
            return json_response({"error": f"feed {feed_id} has no report yet"}, 404)
        return json_response(found)

    async def expire(request: Request) -> Response:
        sandbox.expire_tokens()
        return json_response({"expired": True})

    async def reset(request: Request) -> Response:
        sandbox.reset()
        return json_response({"reset": True})

    return [
        Route("/_sandbox", index),
        Route("/_sandbox/", index),
        Route("/_sandbox/stats", stats),
        Route("/_sandbox/sellers/{seller_id}/credentials", credentials),
        Route("/_sandbox/sellers/{seller_id}/listings", listings),
        Route("/_sandbox/sellers/{seller_id}/ledger", ledger),
        Route("/_sandbox/sellers/{seller_id}/feeds", feeds),
        Route("/_sandbox/feeds/{feed_id}/report", report),
        Route("/_sandbox/expire-tokens", expire, methods=["POST"]),
        Route("/_sandbox/reset", reset, methods=["POST"]),
    ]
