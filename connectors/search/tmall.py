"""Taobao/Tmall keyword search through TOP's `taobao.tbk.item.get`, signed like every TOP call."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import requests
from requests.auth import AuthBase

from connectors.errors import TransientError
from connectors.http import DEFAULT_TIMEOUT, HttpClient
from connectors.search.result import BadListing, FoundListing, RateGate, Search, money, text
from connectors.tmall import ROUTER, response_key, top_error

METHOD = "taobao.tbk.item.get"
FIELDS = "num_iid,title,pict_url,small_images,zk_final_price,nick,seller_id,item_url"
MAX_PAGE, MAX_PAGE_NO = 100, 100


def absolute(url: str) -> str:
    """TOP gives image and item links without a scheme (`//img.alicdn.com/...`); make them https."""
    return "https:" + url if url.startswith("//") else url


class TmallSearch(Search):
    """Pages through `taobao.tbk.item.get` (`page_no`, `page_size`) until `total_results` are read."""

    marketplace = "tmall"

    def __init__(
        self,
        base_url: str,
        auth: AuthBase,
        *,
        page_size: int = MAX_PAGE,
        session: requests.Session | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        rate_gate: RateGate | None = None,
    ) -> None:
        super().__init__(rate_gate)
        if not 1 <= page_size <= MAX_PAGE:
            raise ValueError(f"page_size must be 1..{MAX_PAGE}")
        self.page_size = page_size
        self.http = HttpClient(base_url, auth, session=session, timeout=timeout)

    def call(self, params: dict[str, str]) -> dict[str, Any]:
        self.wait_turn(METHOD)
        body = self.http.json("POST", ROUTER, params={"method": METHOD}, data=params)
        if "error_response" in body:
            raise top_error(METHOD, body["error_response"])
        answer = body.get(response_key(METHOD))
        if not isinstance(answer, dict):
            raise TransientError(f"{METHOD}: answer without {response_key(METHOD)}")
        return answer

    def search(self, keyword: str, *, limit: int | None = None) -> Iterator[FoundListing]:
        found = 0
        for page_no in range(1, MAX_PAGE_NO + 1):
            answer = self.call(
                {"q": keyword, "fields": FIELDS, "page_no": str(page_no), "page_size": str(self.page_size)}
            )
            items = (answer.get("results") or {}).get("n_tbk_item") or []
            for item in items:
                if limit is not None and found >= limit:
                    return
                listing = self._read(item)
                if listing is not None:
                    found += 1
                    yield listing
            try:
                total = int(answer.get("total_results") or 0)
            except (TypeError, ValueError):
                raise TransientError(f"{METHOD}: total_results is not a number") from None
            if not items or page_no * self.page_size >= total:
                return

    def _read(self, item: Any) -> FoundListing | None:
        num_iid = str(item.get("num_iid") or "?") if isinstance(item, dict) else "?"
        try:
            if not isinstance(item, dict):
                raise BadListing("n_tbk_item[]", "is not an object")
            smalls = (item.get("small_images") or {}).get("string") or []
            urls = [text(item.get("pict_url"), "pict_url"), *(str(u) for u in smalls if u)]
            seller_id = str(item.get("seller_id") or "")
            return FoundListing(
                marketplace=self.marketplace,
                listing_id=text(item.get("num_iid"), "num_iid"),
                title=text(item.get("title"), "title"),
                seller=str(item.get("nick") or "") or text(seller_id, "seller_id"),
                price=money(item.get("zk_final_price"), "zk_final_price"),
                currency="CNY",
                image_urls=tuple(absolute(u) for u in urls),
                url=absolute(str(item.get("item_url") or "")),
                ids={"num_iid": num_iid, "seller_id": seller_id},
            )
        except BadListing as bad:
            self.skip(num_iid, bad)
            return None
