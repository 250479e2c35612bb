"""Marketplace search: find listings by sellers who are not ours, with each marketplace's own search call.

    search = build_search("ebay", endpoint=url, credentials={...})
    for listing in search.search("harbor clay mug"):
        ...  # a FoundListing

The account description is the one `connectors.registry.build_connector` takes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import requests

from connectors.http import DEFAULT_TIMEOUT, shared_session
from connectors.registry import (
    DEFAULT_ENDPOINTS,
    DEFAULT_MARKETPLACE_IDS,
    AccountError,
    lwa_auth,
    token_url,
    top_auth,
)
from connectors.search.amazon import AmazonSearch
from connectors.search.ebay import EbayAppAuth, EbaySearch
from connectors.search.result import FoundListing, LocalRateLimiter, RateGate, Search, Skipped
from connectors.search.tmall import TmallSearch

__all__ = [
    "AmazonSearch",
    "EbayAppAuth",
    "EbaySearch",
    "FoundListing",
    "LocalRateLimiter",
    "RateGate",
    "Search",
    "Skipped",
    "TmallSearch",
    "build_search",
]

NEEDED = {
    "amazon": ("client_id", "client_secret", "refresh_token"),
    "ebay": ("client_id", "client_secret"),
    "tmall": ("app_key", "app_secret", "session"),
}


def build_search(
    marketplace: str,
    *,
    credentials: Mapping[str, str],
    endpoint: str | None = None,
    marketplace_ids: Sequence[str] = (),
    settings: Mapping[str, Any] | None = None,
    session: requests.Session | None = None,
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    rate_gate: RateGate | None = None,
) -> Search:
    """A search for one account. A sandbox account sets `endpoint`; its token endpoint and product pages
    are then on the same host unless `settings` says otherwise (`token_url`, `product_site`). `settings`
    may also set `page_size` (listings a call) and, for TOP, `sign_method`."""
    if marketplace not in NEEDED:
        raise AccountError(f"unknown marketplace {marketplace!r}: expected one of {', '.join(NEEDED)}")
    missing = [k for k in NEEDED[marketplace] if not credentials.get(k)]
    if missing:
        raise AccountError(f"{marketplace} account is missing credentials: {', '.join(missing)}")
    settings = dict(settings or {})
    session = session or shared_session()
    base = (endpoint or DEFAULT_ENDPOINTS[marketplace]).rstrip("/")
    ids = list(marketplace_ids) or DEFAULT_MARKETPLACE_IDS[marketplace]
    http: dict[str, Any] = {"session": session, "timeout": timeout, "rate_gate": rate_gate}
    if "page_size" in settings:
        http["page_size"] = int(settings["page_size"])
    if marketplace == "amazon":
        auth = lwa_auth(credentials, token_url("amazon", base, endpoint, settings), session, timeout)
        site = settings.get("product_site") or (base if endpoint else None)
        return AmazonSearch(base, auth, marketplace_id=ids[0], product_site=site, **http)
    if marketplace == "ebay":
        app = EbayAppAuth(
            token_url("ebay", base, endpoint, settings),
            credentials["client_id"],
            credentials["client_secret"],
            session=session,
            timeout=timeout,
        )
        return EbaySearch(base, app, marketplace_id=ids[0] if ids else "EBAY_US", **http)
    return TmallSearch(base, top_auth(credentials, settings), **http)
