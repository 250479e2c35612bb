"""eBay Browse API keyword search (`item_summary/search`) with an application token."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import requests
from requests.auth import AuthBase

from connectors.auth import TokenAuth
from connectors.http import DEFAULT_TIMEOUT, HttpClient
from connectors.search.result import BadListing, FoundListing, RateGate, Search, money, text

SEARCH_PATH = "/buy/browse/v1/item_summary/search"
API_SCOPE = "https://api.ebay.com/oauth/api_scope"
MAX_PAGE = 200


class EbayAppAuth(TokenAuth):
    """eBay's client-credentials grant: an application token (no seller consent) for the Buy APIs."""

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        scopes: tuple[str, ...] = (API_SCOPE,),
        **kw: Any,
    ) -> None:
        super().__init__(token_url, **kw)
        self.client_id = client_id
        self._secret = client_secret
        self.scopes = scopes

    def grant(self) -> tuple[dict[str, str], dict[str, str]]:
        basic = base64.b64encode(f"{self.client_id}:{self._secret}".encode()).decode()
        form = {"grant_type": "client_credentials", "scope": " ".join(self.scopes)}
        return form, {"Authorization": f"Basic {basic}"}

    def apply(self, r: requests.PreparedRequest, token: str) -> None:
        r.headers["Authorization"] = f"Bearer {token}"


class EbaySearch(Search):
    """Pages through `item_summary/search` by its `next` links, `page_size` listings a call."""

    marketplace = "ebay"

    def __init__(
        self,
        base_url: str,
        auth: AuthBase,
        *,
        marketplace_id: str = "EBAY_US",
        page_size: int = MAX_PAGE,
        session: requests.Session | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        rate_gate: RateGate | None = None,
    ) -> None:
        super().__init__(rate_gate)
        if not 1 <= page_size <= MAX_PAGE:
            raise ValueError(f"page_size must be 1..{MAX_PAGE}")
        self.marketplace_id = marketplace_id
        self.page_size = page_size
        headers = {"X-EBAY-C-MARKETPLACE-ID": marketplace_id, "Accept": "application/json"}
        self.http = HttpClient(base_url, auth, session=session, timeout=timeout, headers=headers)

    def search(self, keyword: str, *, limit: int | None = None) -> Iterator[FoundListing]:
        found = 0
        path: str | None = SEARCH_PATH
        params: dict[str, Any] | None = {"q": keyword, "limit": self.page_size, "offset": 0}
        while path is not None:
            self.wait_turn("search")
            body = self.http.json("GET", path, params=params)
            for summary in body.get("itemSummaries") or []:
                if limit is not None and found >= limit:
                    return
                listing = self._read(summary)
                if listing is not None:
                    found += 1
                    yield listing
            path, params = body.get("next"), None  # the next link carries the query

    def _read(self, summary: Any) -> FoundListing | None:
        item_id = str(summary.get("itemId") or "?") if isinstance(summary, dict) else "?"
        try:
            if not isinstance(summary, dict):
                raise BadListing("itemSummaries[]", "is not an object")
            price = summary.get("price") or {}
            urls = [(summary.get("image") or {}).get("imageUrl")]
            urls += [(extra or {}).get("imageUrl") for extra in summary.get("additionalImages") or []]
            seller = summary.get("seller") or {}
            ids = {"itemId": item_id}
            if summary.get("legacyItemId"):
                ids["legacyItemId"] = str(summary["legacyItemId"])
            return FoundListing(
                marketplace=self.marketplace,
                listing_id=text(summary.get("itemId"), "itemId"),
                title=text(summary.get("title"), "title"),
                seller=text(seller.get("username"), "seller.username"),
                price=money(price.get("value"), "price.value"),
                currency=text(price.get("currency"), "price.currency"),
                image_urls=tuple(str(u) for u in urls if u),
                url=str(summary.get("itemWebUrl") or ""),
                ids=ids,
            )
        except BadListing as bad:
            self.skip(item_id, bad)
            return None
