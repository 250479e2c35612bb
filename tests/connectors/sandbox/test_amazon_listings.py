"""Listings Items over HTTP: Amazon's answers, headers and submission issues, and the ledger behind them."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from amazon_helpers import US, AmazonClient, FakeClock, amazon_attributes

from connectors.sandbox.amazon.spec import definition_validator
from connectors.sandbox.amazon.state import iso


def assert_shaped(answer: requests.Response, definition: str) -> dict[str, Any]:
    """The answer's body validates against the model's definition; it is returned parsed."""
    body = answer.json()
    errors = [e.message for e in definition_validator("listings", definition).iter_errors(body)]
    assert errors == []
    return body


def live_attributes(client: AmazonClient, sku: str) -> dict[str, Any]:
    listing = client.sandbox.listing(client.seller_id, sku)
    assert listing is not None
    return listing["attributes"]


def codes(body: dict[str, Any]) -> list[tuple[str, str, list[str]]]:
    return [
        (i["code"], i["severity"], i["attributeNames"]) for i in body["issues"] if i["severity"] == "ERROR"
    ]


def test_a_complete_listing_is_accepted_with_amazons_shape_and_headers(amazon: AmazonClient) -> None:
    answer = amazon.put("SKU-1")
    assert answer.status_code == 200
    body = assert_shaped(answer, "ListingsItemSubmissionResponse")
    assert (body["sku"], body["status"], body["issues"]) == ("SKU-1", "ACCEPTED", [])
    assert answer.headers["x-amzn-RateLimit-Limit"] == "5.0"
    assert answer.headers["x-amzn-RequestId"]
    assert amazon.counts("SKU-1") == (1, 0, 0)


def test_putting_the_same_sku_again_updates_and_never_creates_a_duplicate(amazon: AmazonClient) -> None:
    for price in (10, 11, 12):
        offer = [{"currency": "USD", "our_price": [{"schedule": [{"value_with_tax": price}]}]}]
        assert amazon.put("SKU-1", amazon_attributes(purchasable_offer=offer)).json()["status"] == "ACCEPTED"
    assert amazon.counts("SKU-1") == (1, 2, 0)
    assert list(amazon.sandbox.listings(amazon.seller_id)) == ["SKU-1"]
    assert amazon.sandbox.offers(amazon.seller_id)["SKU-1"][0]["price"] == {
        "currencyCode": "USD",
        "amount": "12.0",
    }


def test_a_missing_condition_type_is_issue_90220_and_nothing_is_saved(amazon: AmazonClient) -> None:
    body = assert_shaped(
        amazon.put("SKU-1", amazon_attributes(condition_type=None)), "ListingsItemSubmissionResponse"
    )
    assert body["status"] == "INVALID"
    (issue,) = body["issues"]
    assert issue == {
        "code": "90220",
        "message": "'condition_type' is required but not supplied.",
        "severity": "ERROR",
        "attributeNames": ["condition_type"],
        "categories": ["MISSING_ATTRIBUTE"],
    }
    assert amazon.sandbox.listing(amazon.seller_id, "SKU-1") is None
    assert amazon.writes() == 0


@pytest.mark.parametrize(
    ("changes", "code", "attribute", "category"),
    [
        ({"externally_assigned_product_identifier": [{"type": "ean", "value": "4006381333932"}]}, "4000003",
         "externally_assigned_product_identifier", "INVALID_ATTRIBUTE"),
        ({"externally_assigned_product_identifier": [{"type": "upc", "value": "4006381333931"}]}, "4000003",
         "externally_assigned_product_identifier", "INVALID_ATTRIBUTE"),
        ({"condition_type": [{"value": "brand_new"}]}, "4000001", "condition_type", "INVALID_ATTRIBUTE"),
        ({"purchasable_offer": [{"currency": "EUR", "our_price": [{"schedule": [{"value_with_tax": 5}]}]}]},
         "4000001", "purchasable_offer", "INVALID_PRICE"),
        ({"purchasable_offer": [{"currency": "USD", "our_price": [{"schedule": [{"value_with_tax": -1}]}]}]},
         "4000001", "purchasable_offer", "INVALID_PRICE"),
        ({"fulfillment_availability": [{"fulfillment_channel_code": "DEFAULT", "quantity": -2}]}, "4000001",
         "fulfillment_availability", "INVALID_ATTRIBUTE"),
        ({"main_product_image_locator": [{"media_location": "file:///etc/passwd"}]}, "4000001",
         "main_product_image_locator", "INVALID_IMAGE"),
        ({"item_name": []}, "99022", "item_name", "INVALID_ATTRIBUTE"),
        ({"item_name": [{"value": "x" * 201}]}, "4000001", "item_name", "INVALID_ATTRIBUTE"),
        ({"brand": [{"value": "Acme", "marketplace_id": "A1F83G8C2ARO7P"}]}, "4000001", "brand",
         "INVALID_ATTRIBUTE"),
    ],
)  # fmt: skip
def test_a_bad_value_is_an_issue_with_its_own_code_and_category(
    amazon: AmazonClient, changes: dict[str, Any], code: str, attribute: str, category: str
) -> None:
    body = assert_shaped(amazon.put("SKU-1", amazon_attributes(**changes)), "ListingsItemSubmissionResponse")
    assert body["status"] == "INVALID"
    (issue,) = [i for i in body["issues"] if i["severity"] == "ERROR"]
    assert (issue["code"], issue["attributeNames"], issue["categories"]) == (code, [attribute], [category])


def test_a_gtin_exemption_replaces_the_identifier(amazon: AmazonClient) -> None:
    attributes = amazon_attributes(
        externally_assigned_product_identifier=None,
        supplier_declared_has_product_identifier_exemption=[{"value": True, "marketplace_id": US}],
    )
    assert amazon.put("SKU-1", attributes).json()["status"] == "ACCEPTED"
    assert codes(
        amazon.put("SKU-2", amazon_attributes(externally_assigned_product_identifier=None)).json()
    ) == [("90220", "ERROR", ["externally_assigned_product_identifier"])]


def test_product_types_require_their_own_attributes(amazon: AmazonClient) -> None:
    body = amazon.put("SKU-1", productType="SHOES").json()
    assert sorted(c[2][0] for c in codes(body)) == ["color", "department", "size"]
    extra = {name: [{"value": "x", "marketplace_id": US}] for name in ("color", "department", "size")}
    assert amazon.put("SKU-1", amazon_attributes(**extra), productType="SHOES").json()["status"] == "ACCEPTED"
    unknown = amazon.put("SKU-2", productType="SPACESHIP").json()
    assert (unknown["status"], unknown["issues"][0]["code"]) == ("INVALID", "4000002")


def test_missing_recommended_attributes_are_a_warning_that_still_accepts(amazon: AmazonClient) -> None:
    body = amazon.put("SKU-1", amazon_attributes(bullet_point=None)).json()
    assert body["status"] == "ACCEPTED"
    assert [(i["code"], i["severity"], i["attributeNames"]) for i in body["issues"]] == [
        ("18448", "WARNING", ["bullet_point"])
    ]
    assert amazon.get("SKU-1", includedData="issues").json()["issues"][0]["code"] == "18448"


def test_validation_preview_validates_without_saving(amazon: AmazonClient) -> None:
    answer = amazon.put("SKU-1", mode="VALIDATION_PREVIEW", includedData="issues,identifiers")
    body = assert_shaped(answer, "ListingsItemSubmissionResponse")
    assert body["status"] == "VALID"
    assert body["identifiers"][0]["marketplaceId"] == US
    assert body["identifiers"][0]["asin"].startswith("B0")
    bad = amazon.put("SKU-1", amazon_attributes(brand=None), mode="VALIDATION_PREVIEW").json()
    assert bad["status"] == "INVALID"
    assert amazon.get("SKU-1").status_code == 404
    assert amazon.writes() == 0


def test_a_request_breaking_the_model_is_refused_with_an_error_list(amazon: AmazonClient) -> None:
    answer = amazon.call("PUT", amazon.item_path("SKU-1"), json={"productType": "PRODUCT", "attributes": {}})
    assert answer.status_code == 400
    body = assert_shaped(answer, "ErrorList")
    assert body["errors"][0]["code"] == "InvalidInput"
    assert "marketplaceIds" in body["errors"][0]["message"]
    as_text = amazon.call(
        "PUT",
        amazon.item_path("SKU-1"),
        params={"marketplaceIds": US},
        data="{}",
        headers={"Content-Type": "text/plain"},
    )
    assert as_text.status_code == 415
    assert_shaped(as_text, "ErrorList")


def test_patch_replaces_merges_and_deletes_top_level_attributes(amazon: AmazonClient) -> None:
    amazon.put("SKU-1")
    quantity = [{"fulfillment_channel_code": "DEFAULT", "quantity": 0}]
    answer = amazon.patch(
        "SKU-1", [{"op": "replace", "path": "/attributes/fulfillment_availability", "value": quantity}]
    )
    assert assert_shaped(answer, "ListingsItemSubmissionResponse")["status"] == "ACCEPTED"
    item = amazon.get("SKU-1", includedData="summaries,fulfillmentAvailability").json()
    assert item["fulfillmentAvailability"] == [{"fulfillmentChannelCode": "DEFAULT", "quantity": 0}]
    assert item["summaries"][0]["status"] == ["DISCOVERABLE"]  # no stock: no longer buyable

    merge = [
        {
            "op": "merge",
            "path": "/attributes/item_name",
            "value": [{"value": "New name", "language_tag": "en_US", "marketplace_id": US}],
        }
    ]
    assert amazon.patch("SKU-1", merge).json()["status"] == "ACCEPTED"
    assert (
        amazon.get("SKU-1", includedData="attributes").json()["attributes"]["item_name"] == merge[0]["value"]
    )

    delete = [{"op": "delete", "path": "/attributes/bullet_point"}]
    assert amazon.patch("SKU-1", delete).json()["status"] == "ACCEPTED"
    assert "bullet_point" not in live_attributes(amazon, "SKU-1")
    assert amazon.counts("SKU-1") == (1, 3, 0)


def test_a_patch_that_would_leave_a_required_attribute_out_is_invalid(amazon: AmazonClient) -> None:
    amazon.put("SKU-1")
    body = amazon.patch("SKU-1", [{"op": "delete", "path": "/attributes/condition_type"}]).json()
    assert codes(body) == [("90220", "ERROR", ["condition_type"])]
    assert "condition_type" in live_attributes(amazon, "SKU-1")


def test_a_patch_of_a_sku_that_is_not_listed_is_invalid(amazon: AmazonClient) -> None:
    body = amazon.patch("NOPE", [{"op": "delete", "path": "/attributes/bullet_point"}]).json()
    assert (body["status"], body["issues"][0]["code"]) == ("INVALID", "4000004")
    assert amazon.writes() == 0


def test_get_returns_the_included_data_in_the_item_shape(amazon: AmazonClient) -> None:
    amazon.put("SKU-1")
    summary_only = assert_shaped(amazon.get("SKU-1"), "Item")
    assert set(summary_only) == {"sku", "summaries"}
    summary = summary_only["summaries"][0]
    assert (summary["itemName"], summary["conditionType"], summary["status"]) == (
        "Trail runner, red", "new_new", ["BUYABLE", "DISCOVERABLE"]
    )  # fmt: skip
    everything = (
        "summaries,attributes,issues,offers,fulfillmentAvailability,procurement,relationships,productTypes"
    )
    item = assert_shaped(amazon.get("SKU-1", includedData=everything), "Item")
    assert item["offers"][0]["price"] == {"currencyCode": "USD", "amount": "59.5"}
    assert item["fulfillmentAvailability"] == [{"fulfillmentChannelCode": "DEFAULT", "quantity": 7}]
    assert item["productTypes"] == [{"marketplaceId": US, "productType": "PRODUCT"}]


def test_get_of_an_unknown_sku_is_a_404_error_list(amazon: AmazonClient) -> None:
    answer = amazon.get("NOPE")
    assert answer.status_code == 404
    assert assert_shaped(answer, "ErrorList")["errors"][0]["code"] == "NOT_FOUND"
    assert answer.headers["x-amzn-RateLimit-Limit"] == "5.0"


def test_delete_ends_the_listing_once(amazon: AmazonClient) -> None:
    amazon.put("SKU-1")
    for _ in range(2):
        answer = amazon.delete("SKU-1")
        assert assert_shaped(answer, "ListingsItemSubmissionResponse")["status"] == "ACCEPTED"
    assert amazon.get("SKU-1").status_code == 404
    assert amazon.counts("SKU-1") == (1, 0, 1)


def test_listings_are_per_marketplace(amazon: AmazonClient) -> None:
    uk = "A1F83G8C2ARO7P"
    amazon.put("SKU-1")
    assert amazon.call("GET", amazon.item_path("SKU-1"), params={"marketplaceIds": uk}).status_code == 404
    assert amazon.sandbox.listings(amazon.seller_id, uk) == {}


def test_skus_with_reserved_characters_round_trip(amazon: AmazonClient) -> None:
    sku = "RED/42 #1"
    path = f"/listings/2021-08-01/items/{amazon.seller_id}/" + requests.utils.quote(sku, safe="")
    body = {"productType": "PRODUCT", "attributes": amazon_attributes()}
    assert amazon.call("PUT", path, params={"marketplaceIds": US}, json=body).json()["sku"] == sku
    assert list(amazon.sandbox.listings(amazon.seller_id)) == [sku]


def test_search_finds_listings_by_sku_and_pages(amazon: AmazonClient) -> None:
    for n in range(5):
        amazon.put(f"SKU-{n}")
    path = f"/listings/2021-08-01/items/{amazon.seller_id}"
    found = amazon.call(
        "GET", path, params={"marketplaceIds": US, "identifiers": "SKU-1,SKU-3", "identifiersType": "SKU"}
    )
    body = assert_shaped(found, "ItemSearchResults")
    assert sorted(item["sku"] for item in body["items"]) == ["SKU-1", "SKU-3"]
    page = amazon.call(
        "GET", path, params={"marketplaceIds": US, "pageSize": 2, "sortBy": "sku", "sortOrder": "ASC"}
    ).json()
    assert (page["numberOfResults"], [i["sku"] for i in page["items"]]) == (5, ["SKU-0", "SKU-1"])
    following = amazon.call(
        "GET", path, params={"marketplaceIds": US, "pageSize": 2, "sortBy": "sku", "sortOrder": "ASC",
                             "pageToken": page["pagination"]["nextToken"]}
    ).json()  # fmt: skip
    assert [i["sku"] for i in following["items"]] == ["SKU-2", "SKU-3"]


def test_search_filters_by_dates_and_status(amazon: AmazonClient, amazon_clock: FakeClock) -> None:
    amazon.put("OLD")
    amazon_clock.advance(60)
    cutoff = iso(amazon_clock.now - 30)
    amazon.put(
        "NEW",
        amazon_attributes(fulfillment_availability=[{"fulfillment_channel_code": "DEFAULT", "quantity": 0}]),
    )
    path = f"/listings/2021-08-01/items/{amazon.seller_id}"

    def skus(**params: str) -> list[str]:
        answer = amazon.call(
            "GET", path, params={"marketplaceIds": US, "sortBy": "sku", "sortOrder": "ASC", **params}
        )
        assert answer.status_code == 200, answer.text
        return [item["sku"] for item in answer.json()["items"]]

    assert skus(createdAfter=cutoff) == ["NEW"]
    assert skus(lastUpdatedBefore=cutoff) == ["OLD"]
    assert skus(withStatus="BUYABLE") == ["OLD"]
    assert skus(withoutStatus="BUYABLE") == ["NEW"]
    assert skus(variationParentSku="OLD") == []
