"""Inventory items over HTTP: put / get / delete / list, the bulk calls, and refusals in eBay's shape."""

from __future__ import annotations

from typing import Any

import pytest
from ebay_client import EbayClient, matches_model

from connectors.sandbox.ebay import EbaySandbox
from connectors.sandbox.ebay.handlers import HANDLERS


def test_an_item_put_is_answered_204_and_read_back_with_its_sku_and_locale(
    ebay_client: EbayClient, item: dict[str, Any]
) -> None:
    assert ebay_client.call("PUT", "/inventory_item/MUG-1", item).status_code == 204
    answer = ebay_client.call("GET", "/inventory_item/MUG-1")
    assert answer.status_code == 200
    assert answer.json() == {**item, "sku": "MUG-1", "locale": "en_US"}
    assert matches_model("getInventoryItem", 200, answer.json()) == []


def test_a_put_replaces_the_whole_item(ebay_client: EbayClient, item: dict[str, Any]) -> None:
    ebay_client.call("PUT", "/inventory_item/MUG-1", item)
    ebay_client.call("PUT", "/inventory_item/MUG-1", {"product": {"title": "Renamed"}})
    assert ebay_client.call("GET", "/inventory_item/MUG-1").json() == {
        "product": {"title": "Renamed"},
        "sku": "MUG-1",
        "locale": "en_US",
    }


def test_the_retired_manufacturer_refurbished_condition_is_stored_as_certified(
    ebay_client: EbayClient, item: dict[str, Any]
) -> None:
    ebay_client.call("PUT", "/inventory_item/R-1", {**item, "condition": "MANUFACTURER_REFURBISHED"})
    assert ebay_client.call("GET", "/inventory_item/R-1").json()["condition"] == "CERTIFIED_REFURBISHED"


def test_an_unknown_item_is_not_found_with_eBays_error(ebay_client: EbayClient) -> None:
    answer = ebay_client.call("GET", "/inventory_item/NOPE")
    assert answer.status_code == 404
    assert answer.json()["errors"][0]["errorId"] == 25710
    assert ebay_client.call("DELETE", "/inventory_item/NOPE").status_code == 404


def test_a_refused_write_answers_in_eBays_error_shape_and_changes_nothing(
    ebay: EbaySandbox, seller: str, ebay_client: EbayClient, item: dict[str, Any]
) -> None:
    item["product"]["title"] = "x" * 81
    answer = ebay_client.call("PUT", "/inventory_item/MUG-1", item, headers={"Content-Language": "english"})
    assert answer.status_code == 400
    errors = answer.json()["errors"]
    assert [(e["errorId"], e["domain"], e["category"]) for e in errors] == [
        (25709, "API_INVENTORY", "REQUEST"),
        (25709, "API_INVENTORY", "REQUEST"),
    ]
    assert {e["parameters"][0]["value"] for e in errors} == {"header Content-Language", "product.title"}
    assert ebay.inventory(seller) == {}
    assert ebay.ledger.all(seller) == {}


def test_a_body_that_is_not_json_is_refused_as_an_invalid_request(ebay_client: EbayClient) -> None:
    headers = {"Content-Type": "application/json", "Content-Language": "en-US"}
    answer = ebay_client.call("PUT", "/inventory_item/MUG-1", None, data=b"{not json", headers=headers)
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["errorId"] == 2004


def test_deleting_an_item_removes_it(ebay_client: EbayClient, item: dict[str, Any]) -> None:
    ebay_client.call("PUT", "/inventory_item/MUG-1", item)
    assert ebay_client.call("DELETE", "/inventory_item/MUG-1").status_code == 204
    assert ebay_client.call("GET", "/inventory_item/MUG-1").status_code == 404


def test_items_are_listed_a_page_at_a_time(ebay_client: EbayClient, item: dict[str, Any]) -> None:
    for n in range(3):
        ebay_client.call("PUT", f"/inventory_item/P-{n}", item)
    first = ebay_client.call("GET", "/inventory_item", params={"limit": "2"}).json()
    second = ebay_client.call("GET", "/inventory_item", params={"limit": "2", "offset": "1"}).json()
    assert [i["sku"] for i in first["inventoryItems"]] == ["P-0", "P-1"]
    assert [i["sku"] for i in second["inventoryItems"]] == ["P-2"]
    assert (first["total"], "next" in first, "next" in second) == (3, True, False)
    assert matches_model("getInventoryItems", 200, first) == []


def test_a_bulk_put_of_good_items_answers_200_for_each(ebay_client: EbayClient, item: dict[str, Any]) -> None:
    entries = [{**item, "sku": f"B-{n}", "locale": "en_US"} for n in range(25)]
    answer = ebay_client.call("POST", "/bulk_create_or_replace_inventory_item", {"requests": entries})
    assert answer.status_code == 200
    assert [r["statusCode"] for r in answer.json()["responses"]] == [200] * 25
    assert matches_model("bulkCreateOrReplaceInventoryItem", 200, answer.json()) == []


def test_a_bulk_put_with_one_bad_entry_answers_207_and_keeps_the_good_ones(
    ebay: EbaySandbox, seller: str, ebay_client: EbayClient, item: dict[str, Any]
) -> None:
    entries = [{**item, "sku": f"B-{n}", "locale": "en_US"} for n in range(3)]
    entries[1]["product"] = {**item["product"], "imageUrls": ["http://insecure.example.com/1.jpg"]}
    answer = ebay_client.call("POST", "/bulk_create_or_replace_inventory_item", {"requests": entries})
    assert answer.status_code == 207
    responses = answer.json()["responses"]
    assert [(r["sku"], r["statusCode"]) for r in responses] == [("B-0", 200), ("B-1", 400), ("B-2", 200)]
    assert responses[1]["errors"][0]["errorId"] == 25015
    assert sorted(ebay.inventory(seller)) == ["B-0", "B-2"]


def test_a_bulk_put_of_26_is_refused_whole(ebay_client: EbayClient, item: dict[str, Any]) -> None:
    entries = [{**item, "sku": f"B-{n}", "locale": "en_US"} for n in range(26)]
    answer = ebay_client.call("POST", "/bulk_create_or_replace_inventory_item", {"requests": entries})
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["errorId"] == 25727


def test_a_bulk_get_reports_found_and_missing_skus(ebay_client: EbayClient, item: dict[str, Any]) -> None:
    ebay_client.call("PUT", "/inventory_item/G-1", item)
    answer = ebay_client.call(
        "POST", "/bulk_get_inventory_item", {"requests": [{"sku": "G-1"}, {"sku": "G-2"}]}
    )
    assert answer.status_code == 207
    found, missing = answer.json()["responses"]
    assert (found["statusCode"], found["inventoryItem"]["sku"]) == (200, "G-1")
    assert (missing["statusCode"], missing["errors"][0]["errorId"]) == (404, 25702)
    assert matches_model("bulkGetInventoryItem", 200, answer.json()) == []


def test_an_operation_the_sandbox_does_not_implement_says_so(ebay_client: EbayClient) -> None:
    answer = ebay_client.call("GET", "/inventory_item/MUG-1/product_compatibility")
    assert answer.status_code == 501
    assert "getProductCompatibility" in answer.json()["errors"][0]["message"]


def test_a_path_eBay_does_not_have_is_answered_in_eBays_shape(ebay_client: EbayClient) -> None:
    answer = ebay_client.session.get(f"{ebay_client.url}/sell/inventory/v2/inventory_item/MUG-1")
    assert answer.status_code == 404
    assert answer.json()["errors"][0]["errorId"] == 2002


def test_a_failure_inside_the_sandbox_is_answered_as_eBays_system_error(
    ebay_client: EbayClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(store: Any, call: Any) -> Any:
        raise RuntimeError("bug")

    monkeypatch.setitem(HANDLERS, "getInventoryItem", broken)
    answer = ebay_client.call("GET", "/inventory_item/MUG-1")
    assert (answer.status_code, answer.json()["errors"][0]["errorId"]) == (500, 25001)
