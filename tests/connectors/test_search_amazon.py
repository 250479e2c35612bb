"""The Amazon search client: catalog search then offers per ASIN, paced by a rate gate, over real HTTP."""

from __future__ import annotations

from decimal import Decimal

import pytest
from connector_support import Answer

from connectors.auth import LwaAuth
from connectors.base import Action, Change
from connectors.errors import AuthError, TransientError
from connectors.http import make_session
from connectors.sandbox.amazon import CapturedRequest, check_request
from connectors.search import AmazonSearch, LocalRateLimiter, build_search


def searcher(market, gate=None, **settings) -> AmazonSearch:
    creds = market.sandbox.credentials_for(market.seller)
    found = build_search(
        "amazon",
        endpoint=market.server.url,
        credentials=creds,
        session=market.session,
        settings=settings,
        rate_gate=gate or (lambda operation: None),
    )
    assert isinstance(found, AmazonSearch)
    return found


def test_every_seller_of_every_matching_asin_is_found_across_pages(amazon, make_photo) -> None:
    asins = [
        amazon.sandbox.seed(
            title=f"Harbor Clay mug {n}", seller=f"A{n}COPY", price=f"{n + 2}.25", brand="Harbor Clay",
            images=[make_photo(n, "JPEG"), make_photo(n + 20)],
        )["asin"]
        for n in range(5)
    ]  # fmt: skip
    amazon.sandbox.seed(title="x", seller="A9RESELL", price="30", asin=asins[0], images=[make_photo(40)])
    amazon.sandbox.seed(title="Garden hose", seller="A8", price="9", images=[make_photo(41)])
    calls: list[str] = []
    search = searcher(amazon, calls.append, page_size=2)
    found = list(search.search("harbor clay"))
    assert calls.count("searchCatalogItems") == 3 and calls.count("getItemOffers") == 5
    assert sorted(f.listing_id for f in found) == sorted(
        [f"{a}/A{n}COPY" for n, a in enumerate(asins)] + [f"{asins[0]}/A9RESELL"]
    )
    resold = next(f for f in found if f.seller == "A9RESELL")
    assert (resold.title, resold.price, resold.currency) == ("Harbor Clay mug 0", Decimal("30.0"), "USD")
    assert resold.image_urls[0].endswith(".jpg") and len(resold.image_urls) == 2
    assert resold.url == f"{amazon.server.url}/dp/{asins[0]}?smid=A9RESELL"
    assert resold.ids == {"asin": asins[0], "seller_id": "A9RESELL"}


def test_what_the_client_sends_keeps_to_the_written_contract(amazon, make_photo) -> None:
    amazon.sandbox.seed(title="Contract kettle", seller="A1", price="5", images=[make_photo()])
    assert len(list(searcher(amazon).search("contract kettle"))) == 1
    sent = amazon.sent("/catalog/") + amazon.sent("/products/pricing/")
    assert len(sent) == 2
    for request in sent:
        path, _, query = request.path_url.partition("?")
        assert check_request(CapturedRequest("GET", path, query, dict(request.headers))) == []


def test_a_throttled_offers_call_is_transient_with_the_wait_amazon_implies(
    amazon_limited, make_photo
) -> None:
    for n in range(2):
        amazon_limited.sandbox.seed(title=f"Copper pan {n}", seller="A1", price="5", images=[make_photo(n)])
    with pytest.raises(TransientError) as caught:
        list(searcher(amazon_limited).search("copper pan"))
    assert (caught.value.status, caught.value.retry_after) == (429, 2.0)


def test_the_local_limiter_waits_out_the_documented_rates() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    gate = LocalRateLimiter(
        {"getItemOffers": (0.5, 1), "searchCatalogItems": (2.0, 2)}, clock=lambda: now[0], sleep=sleep
    )
    for operation in ["searchCatalogItems"] * 3 + ["getItemOffers"] * 3 + ["unlimited"]:
        gate(operation)
    assert slept == [0.5, 2.0, 2.0]


def test_refused_credentials_are_an_auth_error(amazon) -> None:
    creds = {**amazon.sandbox.credentials_for(amazon.seller), "refresh_token": "Atzr|forged"}
    search = build_search("amazon", endpoint=amazon.server.url, credentials=creds, session=make_session(1))
    with pytest.raises(AuthError):
        list(search.search("mug"))


def test_our_sellers_listings_are_found_with_their_offer(amazon, make_product) -> None:
    connector = amazon.connector()
    [result] = connector.push([Change(Action.CREATE, "MUG-7", make_product("MUG-7"))])
    assert result.error is None, result.error
    [found] = list(searcher(amazon).search("stoneware speckled"))
    assert (found.seller, found.price) == (amazon.seller, Decimal("18.5"))
    assert found.image_urls[0] == make_product("MUG-7").image_urls[0]


def test_unreadable_items_and_vanished_asins_are_skipped(scripted) -> None:
    def item(asin: str, name: str | None) -> dict:
        summaries = [{"marketplaceId": "ATVPDKIKX0DER", "itemName": name}] if name else []
        return {"asin": asin, "summaries": summaries, "images": []}

    offer = {"SellerId": "A1", "ListingPrice": {"Amount": 4.5, "CurrencyCode": "USD"}}
    scripted.answer(
        Answer(200, {"access_token": "Atza|t", "expires_in": 3600}),
        Answer(
            200,
            {
                "numberOfResults": 3,
                "pagination": {},
                "items": [item("B0NONAME01", None), item("B0GONE0001", "Mug"), item("B0FINE0001", "Mug")],
            },
        ),
        Answer(404, {"errors": [{"code": "NotFound", "message": "gone", "details": ""}]}),
        Answer(200, {"payload": {"ASIN": "B0FINE0001", "Offers": [offer, {"SellerId": "A2"}]}}),
    )
    auth = LwaAuth(f"{scripted.url}/auth/o2/token", "id", "secret", "Atzr|r")
    search = AmazonSearch(
        scripted.url, auth, rate_gate=lambda operation: None, product_site="https://shop.example"
    )
    [found] = list(search.search("mug"))
    assert (found.listing_id, found.price, found.url) == (
        "B0FINE0001/A1",
        Decimal("4.5"),
        "https://shop.example/dp/B0FINE0001?smid=A1",
    )
    assert [(s.listing_id, s.field) for s in search.skipped] == [
        ("B0NONAME01", "summaries[].itemName"),
        ("B0GONE0001", "offers"),
        ("B0FINE0001/A2", "ListingPrice.Amount"),
    ]
