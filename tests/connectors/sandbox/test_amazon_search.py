"""The Amazon sandbox's searchCatalogItems and getItemOffers: shapes, paging, rate limits, seeding, images."""

from __future__ import annotations

import base64
from decimal import Decimal

import requests
from amazon_helpers import AmazonClient, amazon_attributes

from connectors.sandbox.amazon.marketplaces import US

SEARCH = "/catalog/2022-04-01/items"


def search(client: AmazonClient, **params: object) -> requests.Response:
    query = {"marketplaceIds": US, "includedData": "images,summaries", **params}
    return client.call("GET", SEARCH, params=query)


def offers(client: AmazonClient, asin: str, **params: object) -> requests.Response:
    query = {"MarketplaceId": US, "ItemCondition": "New", **params}
    return client.call("GET", f"/products/pricing/v0/items/{asin}/offers", params=query)


def test_a_seeded_offer_is_found_by_keyword_with_images_and_summary(start_amazon, make_photo) -> None:
    sandbox, url = start_amazon()
    client = AmazonClient(sandbox, url, "ASCANNER1")
    planted = sandbox.seed(
        title="Harbor Clay Speckled Mug", seller="A3COPYCAT", price="4.99", brand="Harbor Clay",
        images=[make_photo(1, "JPEG"), make_photo(2)],
    )  # fmt: skip
    answer = search(client, keywords="harbor,mug")
    assert answer.status_code == 200, answer.text
    assert answer.headers["x-amzn-RateLimit-Limit"] == "2.0"
    body = answer.json()
    assert body["numberOfResults"] == 1 and body["pagination"] == {}
    assert body["refinements"]["brands"] == [{"numberOfResults": 1, "brandName": "Harbor Clay"}]
    [item] = body["items"]
    assert item["asin"] == planted["asin"]
    assert item["summaries"] == [
        {"marketplaceId": US, "itemName": "Harbor Clay Speckled Mug", "brand": "Harbor Clay"}
    ]
    [group] = item["images"]
    assert [i["variant"] for i in group["images"]] == ["MAIN", "PT01"]
    assert (group["images"][0]["width"], group["images"][0]["height"]) == (48, 48)
    image = requests.get(group["images"][0]["link"])
    assert (image.headers["content-type"], image.content) == ("image/jpeg", make_photo(1, "JPEG"))


def test_get_item_offers_names_every_seller_of_an_asin(start_amazon, make_photo) -> None:
    sandbox, url = start_amazon()
    client = AmazonClient(sandbox, url, "ASCANNER2")
    first = sandbox.seed(title="Walnut cutting board", seller="A1GENUINE", price="30", images=[make_photo(3)])
    sandbox.seed(title="ignored", seller="A2CHEAP", price="7.50", asin=first["asin"], images=[make_photo(4)])
    answer = offers(client, first["asin"])
    assert answer.status_code == 200, answer.text
    assert answer.headers["x-amzn-RateLimit-Limit"] == "0.5"
    payload = answer.json()["payload"]
    assert (payload["ASIN"], payload["status"], payload["ItemCondition"]) == (first["asin"], "Success", "New")
    assert payload["Summary"]["TotalOfferCount"] == 2
    by_seller = {o["SellerId"]: o["ListingPrice"] for o in payload["Offers"]}
    assert by_seller == {
        "A2CHEAP": {"Amount": 7.5, "CurrencyCode": "USD"},
        "A1GENUINE": {"Amount": 30.0, "CurrencyCode": "USD"},
    }
    assert offers(client, "B000NOSUCH").status_code == 404
    assert offers(client, first["asin"], ItemCondition="Shiny").json()["errors"][0]["code"] == "InvalidInput"


def test_search_pages_with_next_tokens(start_amazon, make_photo) -> None:
    sandbox, url = start_amazon()
    client = AmazonClient(sandbox, url, "ASCANNER3")
    for n in range(5):
        sandbox.seed(title=f"Linen napkin set {n}", seller=f"A{n}", price="2", images=[make_photo(n)])
    seen: list[str] = []
    params: dict[str, object] = {"keywords": "napkin", "pageSize": 2}
    while True:
        body = search(client, **params).json()
        assert body["numberOfResults"] == 5
        seen += [i["asin"] for i in body["items"]]
        token = body["pagination"].get("nextToken")
        if not token:
            break
        params["pageToken"] = token
    assert len(seen) == len(set(seen)) == 5


def test_bad_parameters_are_refused_in_amazons_error_shape(start_amazon) -> None:
    sandbox, url = start_amazon()
    client = AmazonClient(sandbox, url, "ASCANNER4")
    for params in (
        {"keywords": "mug", "pageSize": 21},
        {"marketplaceIds": "XX"},
        {"keywords": "a", "pageToken": "zz"},
    ):
        answer = search(client, **params)
        assert answer.status_code == 400
        [error] = answer.json()["errors"]
        assert set(error) == {"code", "message", "details"} and error["code"] == "InvalidInput"
    assert client.http.get(url + SEARCH, params={"keywords": "mug", "marketplaceIds": US}).status_code == 403


def test_the_documented_rates_throttle_with_quota_exceeded(start_amazon, amazon_clock, make_photo) -> None:
    sandbox, url = start_amazon(limits=True)
    client = AmazonClient(sandbox, url, "ASCANNER5")
    asin = sandbox.seed(title="Throttle test kettle", seller="A9", price="8", images=[make_photo()])["asin"]
    assert [search(client, keywords="kettle").status_code for _ in range(3)] == [200, 200, 429]
    assert [offers(client, asin).status_code for _ in range(2)] == [200, 429]
    throttled = offers(client, asin).json()["errors"][0]
    assert throttled["code"] == "QuotaExceeded"
    amazon_clock.advance(2.0)  # 0.5 requests a second: one token back after two seconds
    assert [offers(client, asin).status_code for _ in range(2)] == [200, 429]


def test_our_sellers_listings_are_in_the_catalogue_with_their_offers(start_amazon, make_photo) -> None:
    sandbox, url = start_amazon()
    ours = AmazonClient(sandbox, url, "AOURSELLER")
    assert ours.put("SHOE-1", amazon_attributes()).status_code == 200
    scanner = AmazonClient(sandbox, url, "ASCANNER6")
    name = amazon_attributes()["item_name"][0]["value"]
    [item] = search(scanner, keywords=name.split()[0]).json()["items"]
    assert item["summaries"][0]["itemName"] == name
    listed = offers(scanner, item["asin"]).json()["payload"]["Offers"]
    assert [(o["SellerId"], Decimal(str(o["ListingPrice"]["Amount"]))) for o in listed] == [
        ("AOURSELLER", Decimal("59.5"))
    ]


def test_seeding_over_http_names_bad_records(start_amazon, make_photo) -> None:
    sandbox, url = start_amazon()
    image = base64.b64encode(make_photo()).decode()
    records = [
        {"title": "Wool socks", "seller": "A7", "price": "3", "images": [image]},
        {"title": "x", "images": []},
    ]
    body = requests.post(url + "/_sandbox/seed", json={"listings": records}).json()
    assert [p["index"] for p in body["listings"]] == [0]
    assert body["errors"] == [{"index": 1, "field": "seller", "message": "is required"}]
    odd = [{**records[0], "asin": "not-an-asin"}, {**records[0], "marketplace_id": "NOWHERE"}]
    errors = requests.post(url + "/_sandbox/seed", json={"listings": odd}).json()["errors"]
    assert [(e["index"], e["field"]) for e in errors] == [(0, "asin"), (1, "marketplace_id")]
    sandbox.reset()
    client = AmazonClient(sandbox, url, "ASCANNER7")
    assert search(client, keywords="socks").json()["numberOfResults"] == 0


def test_the_contract_check_covers_both_operations() -> None:
    from connectors.sandbox.amazon import CapturedRequest, check_request

    token = {"x-amz-access-token": "Atza|x"}
    good = "keywords=mug,blue&marketplaceIds=ATVPDKIKX0DER&includedData=images,summaries&pageSize=20"
    assert check_request(CapturedRequest("GET", SEARCH, good, token)) == []
    [bad] = check_request(CapturedRequest("GET", SEARCH, good.replace("images", "pictures"), token))
    assert (bad.location, bad.name) == ("query", "includedData")
    offers_path = "/products/pricing/v0/items/B000000001/offers"
    assert (
        check_request(CapturedRequest("GET", offers_path, f"MarketplaceId={US}&ItemCondition=New", token))
        == []
    )
    [missing] = check_request(CapturedRequest("GET", offers_path, f"MarketplaceId={US}&ItemCondition=New"))
    assert missing.name == "x-amz-access-token"
