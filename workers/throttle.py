"""Every request a connector sends waits for a token from the shared limiter first.

The connectors decide the calls; this transport adapter (mounted on the account's endpoint) names each call's
operation from its method and path and waits for a slot of that (account, operation) in Redis, so all workers
together stay under the documented rates. The rates are the ones the sandboxes enforce (FACTS.md, TOP.md),
with a safety margin: 90 % of the rate, and calls spaced evenly (burst 1) where they come in long streams.
A slot is reserved in Redis but used a moment later by a thread that may stall (a busy CPU, a slow image
fetch); even spacing absorbs a stall of most of a second before arrivals could bunch past the marketplace's
own burst, where reserving at its full burst would absorb none.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from requests.adapters import HTTPAdapter

from workers.ratelimit import Limit, SharedRateLimiter

MARGIN = 0.9


def _safe(per_second: float, burst: int) -> Limit:
    return Limit(per_second * MARGIN, max(1, burst - 1))


def _stream(per_second: float) -> Limit:
    return Limit(per_second * MARGIN, 1)


#: Amazon's usage plans (per selling-partner account). createFeed is held to JSON_LISTINGS_FEED's 5 per
#: 5 minutes as well: a GCRA of burst b and interval T allows b + W/T calls in any window W, so burst 4 at
#: one per 300 s never passes 5 in 300 s.
AMAZON: dict[str, Limit] = {
    "putListingsItem": _stream(5.0),
    "patchListingsItem": _stream(5.0),
    "deleteListingsItem": _stream(5.0),
    "getListingsItem": _stream(5.0),
    "createFeedDocument": _safe(0.5, 15),
    "createFeed": Limit(1 / 300, 4),
    "getFeed": _safe(2.0, 15),
    "getFeedDocument": _safe(0.0222, 10),
}
#: TOP: 5 calls a second per seller and method (the sandbox's figure; TOP.md gives none per method).
TOP_METHOD = _stream(5.0)
#: eBay publishes daily quotas (2,000,000 Inventory calls), no per-second rate: nothing to wait for.

_AMAZON_ITEMS = re.compile(r"^/listings/2021-08-01/items/")
_AMAZON_ITEM_OPS = {
    "PUT": "putListingsItem",
    "PATCH": "patchListingsItem",
    "DELETE": "deleteListingsItem",
    "GET": "getListingsItem",
}


def operation(marketplace: str, method: str, url: str, body: Any = None) -> str | None:
    """The rate-limited operation a request is, or None when it is not limited."""
    parts = urlsplit(url)
    path = parts.path
    if marketplace == "amazon":
        if _AMAZON_ITEMS.match(path):
            return _AMAZON_ITEM_OPS.get(method)
        if path == "/feeds/2021-06-30/documents" and method == "POST":
            return "createFeedDocument"
        if path.startswith("/feeds/2021-06-30/documents/") and method == "GET":
            return "getFeedDocument"
        if path == "/feeds/2021-06-30/feeds" and method == "POST":
            return "createFeed"
        if path.startswith("/feeds/2021-06-30/feeds/") and method == "GET":
            return "getFeed"
        return None
    if marketplace == "tmall" and path.endswith("/router/rest"):
        names = parse_qs(parts.query).get("method")
        return names[0] if names else None
    return None


def limit_for(marketplace: str, op: str) -> Limit | None:
    if marketplace == "amazon":
        return AMAZON.get(op)
    if marketplace == "tmall":
        return TOP_METHOD
    return None


class ThrottledAdapter(HTTPAdapter):
    """An HTTPAdapter that reserves a limiter slot for the request's operation before sending it."""

    def __init__(
        self,
        limiter: SharedRateLimiter,
        account: str,
        marketplace: str,
        *,
        limits: Mapping[str, Limit] | None = None,
        max_wait: float = 120.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.limiter = limiter
        self.account = account
        self.marketplace = marketplace
        self.limits = dict(limits or {})
        self.max_wait = max_wait

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        op = operation(self.marketplace, request.method or "GET", request.url or "")
        if op is not None:
            limit = self.limits.get(op) or limit_for(self.marketplace, op)
            if limit is not None:
                self.limiter.wait(self.account, op, limit, max_wait=self.max_wait)
        return super().send(request, *args, **kwargs)


def throttled_session(
    limiter: SharedRateLimiter,
    seller_id: str,
    marketplace: str,
    endpoint: str,
    *,
    pool: int = 16,
    mounts: Mapping[str, HTTPAdapter] | None = None,
) -> requests.Session:
    """A session whose requests to `endpoint` wait for the account's tokens; other hosts go straight."""
    session = requests.Session()
    plain = HTTPAdapter(pool_connections=8, pool_maxsize=pool, max_retries=0)
    session.mount("http://", plain)
    session.mount("https://", plain)
    adapter = ThrottledAdapter(
        limiter,
        f"{seller_id}:{marketplace}",
        marketplace,
        pool_connections=4,
        pool_maxsize=pool,
        max_retries=0,
    )
    session.mount(endpoint.rstrip("/") + "/", adapter)
    for prefix, other in (mounts or {}).items():
        session.mount(prefix, other)
    session.headers["User-Agent"] = "listing-sync/0.1"
    return session
