"""The TOP search client (`taobao.tbk.item.get`) against the TOP sandbox over real HTTP."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from connectors.base import Action, Change
from connectors.errors import AuthError, TransientError
from connectors.http import make_session
from connectors.search import TmallSearch, build_search


def searcher(market, credentials=None, session=None, **settings) -> TmallSearch:
    creds = credentials or market.sandbox.credentials_for(market.seller)
    found = build_search(
        "tmall",
        endpoint=market.server.url,
        credentials=creds,
        session=session or market.session,
        settings=settings,
    )
    assert isinstance(found, TmallSearch)
    return found


def test_seeded_items_are_found_across_pages(tmall, make_photo) -> None:
    planted = [
        tmall.sandbox.seed(
            title=f"粗陶咖啡杯 仿 {n}",
            seller=f"店铺{n}",
            price=f"{n + 10}.80",
            images=[make_photo(n), make_photo(n + 9)],
        )
        for n in range(5)
    ]
    tmall.sandbox.seed(title="不锈钢水壶", seller="other", price="30", images=[make_photo(20)])
    search = searcher(tmall, page_size=2)
    found = list(search.search("咖啡杯"))
    assert search.calls == 3
    assert [f.listing_id for f in found] == [str(p["num_iid"]) for p in planted]
    first = found[0]
    assert (first.marketplace, first.seller, first.price, first.currency) == (
        "tmall",
        "店铺0",
        Decimal("10.80"),
        "CNY",
    )
    assert len(first.image_urls) == 2 and first.image_urls[0].startswith(tmall.server.url)
    assert first.url == f"{tmall.server.url}/item.htm?id={first.listing_id}"
    assert first.ids["seller_id"] == str(planted[0]["seller_id"])


def test_our_sellers_items_on_sale_are_found(tmall, make_product, image_host) -> None:
    product = make_product("MUG-3", image_urls=[f"{image_host.url}/mug.png"])
    [result] = tmall.connector().push([Change(Action.CREATE, "MUG-3", product)])
    assert result.error is None, result.error
    [found] = list(searcher(tmall).search("咖啡杯"))
    assert (found.listing_id, found.seller) == (result.ids["num_iid"], tmall.seller)


def test_flow_control_is_transient_with_the_ban_seconds(make_sandbox, make_photo) -> None:
    frozen = time.time()  # a clock that stands still: the second call of the second is refused
    market = make_sandbox("tmall", limits=True, method_qps=1.0, clock=lambda: frozen)
    for n in range(3):
        market.sandbox.seed(title=f"Silk scarf {n}", seller="s", price="9", images=[make_photo(n)])
    with pytest.raises(TransientError) as caught:
        list(searcher(market, page_size=1).search("scarf"))
    assert caught.value.retry_after == 1.0


def test_a_wrong_app_secret_is_an_auth_error(tmall) -> None:
    creds = {**tmall.sandbox.credentials_for(tmall.seller), "app_secret": "not-the-secret"}
    # a session of its own: this request is wrong on purpose and stays out of the contract check
    with pytest.raises(AuthError) as caught:
        list(searcher(tmall, creds, make_session(1)).search("mug"))
    assert "not-the-secret" not in str(caught.value)
