"""Which operation each connector request is, for the shared limiter."""

from __future__ import annotations

from workers.throttle import AMAZON, limit_for, operation


def test_amazon_requests_are_named_by_their_usage_plan() -> None:
    items = "https://sp.example/listings/2021-08-01/items/SELLER/SKU-1?marketplaceIds=X"
    assert operation("amazon", "PUT", items) == "putListingsItem"
    assert operation("amazon", "PATCH", items) == "patchListingsItem"
    assert operation("amazon", "POST", "https://sp.example/feeds/2021-06-30/feeds") == "createFeed"
    assert operation("amazon", "GET", "https://sp.example/feeds/2021-06-30/feeds/123") == "getFeed"
    assert operation("amazon", "POST", "https://sp.example/auth/o2/token") is None


def test_top_requests_are_named_by_their_method() -> None:
    url = "http://top.example/router/rest?method=taobao.item.add&sign=x"
    assert operation("tmall", "POST", url) == "taobao.item.add"
    assert limit_for("tmall", "taobao.item.add") is not None
    assert operation("ebay", "POST", "https://api.example/sell/inventory/v1/offer") is None


def test_every_limit_stays_under_what_the_marketplace_allows() -> None:
    assert all(
        limit.per_second < 5.0 and limit.burst < 5 for name, limit in AMAZON.items() if "Listings" in name
    )
    # at most 5 JSON_LISTINGS_FEED submissions in any 300 s: burst + 300 s / interval
    create = AMAZON["createFeed"]
    assert create.burst + 300 * create.per_second <= 5
