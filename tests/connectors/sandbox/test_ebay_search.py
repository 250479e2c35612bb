"""The eBay sandbox's Browse search: application tokens, shape, paging, limits, seeding and images."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from connectors.sandbox.ebay import EbaySandbox
from connectors.sandbox.seeding import SeedError
from connectors.sandbox.server import BackgroundServer

SEARCH = "/buy/browse/v1/item_summary/search"


class Browser:
    """A buyer-side client: an application token from the client-credentials grant, then searches."""

    def __init__(self, sandbox: EbaySandbox, url: str) -> None:
        self.url = url
        self.http = requests.Session()
        creds = sandbox.credentials_for("buyer-app")
        answer = self.http.post(
            f"{url}/identity/v1/oauth2/token",
            auth=(creds["client_id"], creds["client_secret"]),
            data={"grant_type": "client_credentials", "scope": "https://api.ebay.com/oauth/api_scope"},
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["token_type"] == "Application Access Token"
        self.token = answer.json()["access_token"]

    def search(self, token: str | None = None, **params: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {token or self.token}"}
        return self.http.get(f"{self.url}{SEARCH}", params=params, headers=headers)


@pytest.fixture
def browse() -> Iterator[Callable[..., tuple[EbaySandbox, Browser]]]:
    servers: list[BackgroundServer] = []

    def start(**options: Any) -> tuple[EbaySandbox, Browser]:
        sandbox = EbaySandbox(**options)
        server = sandbox.serve()
        servers.append(server)
        return sandbox, Browser(sandbox, server.url)

    yield start
    for server in servers:
        server.stop()


def test_an_application_token_finds_a_seeded_listing_in_the_browse_shape(browse, make_photo) -> None:
    sandbox, browser = browse()
    ids = sandbox.seed(
        title="Harbor Clay Speckled Mug",
        seller="cheap_mugs_88",
        price="4.99",
        images=[make_photo(1), make_photo(2)],
    )
    sandbox.seed(title="Garden hose 20 m", seller="hoses", price="19.00", images=[make_photo(3)])
    answer = browser.search(q="harbor CLAY")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["total"], body["limit"], body["offset"]) == (1, 50, 0)
    assert "next" not in body
    [item] = body["itemSummaries"]
    assert item["itemId"] == ids["itemId"] == f"v1|{ids['legacyItemId']}|0"
    assert item["title"] == "Harbor Clay Speckled Mug"
    assert item["price"] == {"value": "4.99", "currency": "USD"}
    assert item["seller"]["username"] == "cheap_mugs_88"
    assert set(item["seller"]) == {"username", "feedbackPercentage", "feedbackScore"}
    assert item["image"]["imageUrl"].startswith(browser.url)
    assert len(item["additionalImages"]) == 1
    assert item["itemWebUrl"] == f"{browser.url}/itm/{ids['legacyItemId']}"
    assert requests.get(item["itemWebUrl"]).status_code == 200


def test_seeded_images_are_served_by_the_sandbox_with_their_type(browse, make_photo) -> None:
    sandbox, browser = browse()
    jpeg, png = make_photo(5, "JPEG"), make_photo(6, "PNG")
    sandbox.seed(title="Copied lamp", seller="lamps", price="9.00", images=[jpeg, png])
    [item] = browser.search(q="lamp").json()["itemSummaries"]
    main = requests.get(item["image"]["imageUrl"])
    extra = requests.get(item["additionalImages"][0]["imageUrl"])
    assert (main.headers["content-type"], main.content) == ("image/jpeg", jpeg)
    assert (extra.headers["content-type"], extra.content) == ("image/png", png)


def test_search_pages_through_results_with_next_links(browse, make_photo) -> None:
    sandbox, browser = browse()
    for n in range(5):
        sandbox.seed(title=f"Blue vase number {n}", seller=f"s{n}", price="3.00", images=[make_photo(n)])
    first = browser.search(q="vase", limit=2).json()
    assert first["total"] == 5 and len(first["itemSummaries"]) == 2
    seen = [i["itemId"] for i in first["itemSummaries"]]
    link = first["next"]
    while link:
        page = browser.http.get(link, headers={"Authorization": f"Bearer {browser.token}"}).json()
        seen += [i["itemId"] for i in page["itemSummaries"]]
        link = page.get("next")
    assert len(seen) == len(set(seen)) == 5


def test_a_bad_limit_is_refused_in_ebays_error_shape(browse) -> None:
    _, browser = browse()
    answer = browser.search(q="mug", limit=500)
    assert answer.status_code == 400
    [error] = answer.json()["errors"]
    assert (error["errorId"], error["domain"], error["category"]) == (12001, "API_BROWSE", "REQUEST")
    assert browser.search(limit=5).json()["errors"][0]["errorId"] == 12002


def test_the_daily_browse_quota_answers_eBays_throttle(browse) -> None:
    _, browser = browse(browse_daily_quota=2)
    assert [browser.search(q="mug").status_code for _ in range(3)] == [200, 200, 429]
    assert browser.search(q="mug").json()["errors"][0]["errorId"] == 2001


def test_a_missing_token_is_refused_and_a_user_token_also_searches(browse, item, offer) -> None:
    sandbox, browser = browse()
    assert browser.http.get(f"{browser.url}{SEARCH}", params={"q": "mug"}).status_code == 401
    creds = sandbox.credentials_for("seller-9")
    user = browser.http.post(
        f"{browser.url}/identity/v1/oauth2/token",
        auth=(creds["client_id"], creds["client_secret"]),
        data={"grant_type": "refresh_token", "refresh_token": creds["refresh_token"]},
    ).json()["access_token"]
    assert browser.search(token=user, q="mug").status_code == 200
    narrow = browser.http.post(
        f"{browser.url}/identity/v1/oauth2/token",
        auth=(creds["client_id"], creds["client_secret"]),
        data={
            "grant_type": "refresh_token",
            "refresh_token": creds["refresh_token"],
            "scope": "https://api.ebay.com/oauth/api_scope/sell.inventory",
        },
    ).json()["access_token"]
    assert browser.search(token=narrow, q="mug").status_code == 403


def test_our_sellers_published_listings_show_up_beside_seeded_ones(browse, item, offer, make_photo) -> None:
    from ebay_client import EbayClient

    sandbox, browser = browse()
    seller = EbayClient(browser.url, sandbox.credentials_for("our-seller")).login()
    seller.location()
    _, listing_id = seller.listed("MUG-1", item, offer)
    sandbox.seed(title="Enamel mug camping blue", seller="other", price="2.00", images=[make_photo(1)])
    found = browser.search(q="enamel mug").json()["itemSummaries"]
    assert (found[0]["seller"]["username"], found[0]["legacyItemId"]) == ("our-seller", listing_id)
    assert [i["seller"]["username"] for i in found] == ["our-seller", "other"]
    assert found[0]["image"]["imageUrl"] == item["product"]["imageUrls"][0]


def test_seeding_over_http_keeps_good_records_and_names_bad_ones(browse, make_photo) -> None:
    sandbox, browser = browse()
    good = {
        "title": "Silk scarf",
        "seller": "x",
        "price": "5",
        "images": [base64.b64encode(make_photo()).decode()],
    }
    bad = {**good, "price": "free"}
    answer = requests.post(f"{browser.url}/_sandbox/seed", json={"listings": [bad, good]})
    assert answer.status_code == 201
    body = answer.json()
    assert body["errors"] == [
        {"index": 0, "field": "price", "message": "must be a decimal number, got 'free'"}
    ]
    assert [p["index"] for p in body["listings"]] == [1]
    assert browser.search(q="scarf").json()["total"] == 1
    with pytest.raises(SeedError, match="feedback_score"):
        sandbox.seed(title="t", seller="s", price="1", images=[make_photo()], feedback_score="lots")
    with pytest.raises(SeedError, match="images"):
        sandbox.seed(title="t", seller="s", price="1", images=[b"not an image"])


def test_the_contract_check_names_what_a_search_request_gets_wrong() -> None:
    from connectors.sandbox.ebay import check_request

    url = "http://127.0.0.1/buy/browse/v1/item_summary/search"
    bearer = {"Authorization": "Bearer token"}
    assert check_request("GET", f"{url}?q=mug&limit=200&offset=0", None, bearer) == []
    assert [p.error_id for p in check_request("GET", f"{url}?q=mug&limit=0", None, bearer)] == [12001]
    assert [p.field for p in check_request("GET", f"{url}?q=mug", None, {})] == ["Authorization"]
