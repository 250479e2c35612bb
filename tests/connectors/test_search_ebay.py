"""The eBay search client against the eBay sandbox over real HTTP (and a scripted server for odd answers)."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import parse_qsl

import pytest
from connector_support import Answer

from connectors.errors import AuthError, TransientError
from connectors.http import make_session
from connectors.search import EbayAppAuth, EbaySearch, build_search


def searcher(market, **settings) -> EbaySearch:
    creds = market.sandbox.credentials_for(market.seller)
    found = build_search(
        "ebay", endpoint=market.server.url, credentials=creds, session=market.session, settings=settings
    )
    assert isinstance(found, EbaySearch)
    return found


def test_seeded_listings_are_found_across_pages(ebay, make_photo) -> None:
    for n in range(7):
        ebay.sandbox.seed(
            title=f"Harbor Clay mug copy {n}", seller=f"copier{n}", price=f"{n + 1}.50",
            images=[make_photo(n), make_photo(n + 10)],
        )  # fmt: skip
    ebay.sandbox.seed(title="Garden hose", seller="hoses", price="9", images=[make_photo(30)])
    search = searcher(ebay, page_size=3)
    found = list(search.search("harbor clay"))
    assert search.calls == 3
    assert len({f.listing_id for f in found}) == 7
    first = found[0]
    assert (first.marketplace, first.title, first.seller) == ("ebay", "Harbor Clay mug copy 0", "copier0")
    assert (first.price, first.currency) == (Decimal("1.50"), "USD")
    assert len(first.image_urls) == 2 and first.image_urls[0].startswith(ebay.server.url)
    assert first.url.endswith(f"/itm/{first.ids['legacyItemId']}")
    assert first.listing_id == f"v1|{first.ids['legacyItemId']}|0"


def test_one_application_token_serves_every_page(ebay, make_photo) -> None:
    for n in range(4):
        ebay.sandbox.seed(title=f"Speckled vase {n}", seller="s", price="2", images=[make_photo(n)])
    search = searcher(ebay, page_size=2)
    assert len(list(search.search("vase"))) == 4
    assert isinstance(search.http.auth, EbayAppAuth) and search.http.auth.refreshes == 1
    [grant] = ebay.sent("/identity/v1/oauth2/token")
    assert dict(parse_qsl(grant.body))["grant_type"] == "client_credentials"


def test_limit_stops_reading_early(ebay, make_photo) -> None:
    for n in range(5):
        ebay.sandbox.seed(title=f"Tea towel {n}", seller="s", price="2", images=[make_photo(n)])
    search = searcher(ebay, page_size=2)
    assert len(list(search.search("towel", limit=3))) == 3
    assert search.calls == 2


def test_the_daily_quota_is_a_transient_error(make_sandbox) -> None:
    market = make_sandbox("ebay", limits=True, browse_daily_quota=1)
    search = searcher(market)
    assert list(search.search("anything")) == []
    with pytest.raises(TransientError) as caught:
        list(search.search("anything"))
    assert caught.value.status == 429


def test_refused_app_credentials_are_an_auth_error(ebay) -> None:
    creds = {**ebay.sandbox.credentials_for(ebay.seller), "client_secret": "wrong"}
    search = build_search("ebay", endpoint=ebay.server.url, credentials=creds, session=make_session(1))
    with pytest.raises(AuthError) as caught:
        list(search.search("mug"))
    assert "wrong" not in str(caught.value)


def test_an_unreadable_listing_is_skipped_and_the_rest_are_kept(scripted) -> None:
    good = {
        "itemId": "v1|1|0", "title": "Mug", "price": {"value": "3.00", "currency": "USD"},
        "image": {"imageUrl": "https://i.example/1.jpg"}, "seller": {"username": "u"}, "itemWebUrl": "w",
    }  # fmt: skip
    bad = {**good, "itemId": "v1|2|0", "price": {"value": "free", "currency": "USD"}}
    scripted.answer(
        Answer(200, {"access_token": "t", "expires_in": 7200}),
        Answer(200, {"total": 2, "limit": 50, "offset": 0, "itemSummaries": [bad, good]}),
    )
    auth = EbayAppAuth(f"{scripted.url}/identity/v1/oauth2/token", "id", "secret")
    search = EbaySearch(scripted.url, auth)
    assert [f.listing_id for f in search.search("mug")] == ["v1|1|0"]
    [skipped] = search.skipped
    assert (skipped.listing_id, skipped.field) == ("v1|2|0", "price.value")
    assert dict(parse_qsl(scripted.seen[1].path.split("?", 1)[1])) == {
        "q": "mug",
        "limit": "200",
        "offset": "0",
    }
