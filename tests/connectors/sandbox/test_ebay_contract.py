"""The contract check alone: calls shaped as eBay's model says pass, calls that break it are named."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import requests

from connectors.sandbox.ebay import check_prepared, check_request
from connectors.sandbox.ebay.model import MODEL_PATH, MODEL_SHA256, load

WRITE = {"Authorization": "Bearer token", "Content-Type": "application/json", "Content-Language": "en-US"}
BASE = "/sell/inventory/v1"


def ids(problems: list[Any]) -> list[int]:
    return [p.error_id for p in problems]


def test_the_packaged_model_is_the_official_file_unchanged() -> None:
    assert hashlib.sha256(MODEL_PATH.read_bytes()).hexdigest() == MODEL_SHA256


def test_every_operation_of_the_model_is_known_with_its_required_headers() -> None:
    model = load()
    assert len(model.operations) == 36
    put = model.by_id["createOrReplaceInventoryItem"]
    assert set(put.headers) == {"Content-Type", "Content-Language"}
    assert put.write and not model.by_id["getInventoryItem"].write


def test_a_complete_inventory_item_passes(item: dict[str, Any]) -> None:
    assert check_request("PUT", f"{BASE}/inventory_item/MUG-1", None, WRITE, json.dumps(item)) == []


def test_a_complete_offer_passes(offer: dict[str, Any]) -> None:
    assert check_request("POST", f"{BASE}/offer", None, WRITE, {**offer, "sku": "MUG-1"}) == []


def test_a_write_without_content_language_is_refused_naming_the_header(item: dict[str, Any]) -> None:
    headers = {k: v for k, v in WRITE.items() if k != "Content-Language"}
    problems = check_request("PUT", f"{BASE}/inventory_item/MUG-1", None, headers, item)
    assert ids(problems) == [25709]
    assert problems[0].message == "Invalid value for header Content-Language"


def test_a_body_sent_as_form_data_is_refused_for_its_content_type(item: dict[str, Any]) -> None:
    headers = {**WRITE, "Content-Type": "application/x-www-form-urlencoded"}
    assert ids(check_request("PUT", f"{BASE}/inventory_item/MUG-1", None, headers, item)) == [25709]


def test_a_missing_authorization_header_is_reported_as_eBay_reports_it(item: dict[str, Any]) -> None:
    problems = check_request("GET", f"{BASE}/inventory_item/MUG-1", None, {})
    assert [(p.error_id, p.status) for p in problems] == [(1002, 401)]


def test_a_misspelt_field_is_refused_by_name(item: dict[str, Any]) -> None:
    item["product"]["imageURLs"] = item["product"].pop("imageUrls")
    problems = check_request("PUT", f"{BASE}/inventory_item/MUG-1", None, WRITE, item)
    assert ids(problems) == [2004]
    assert problems[0].field == "product.imageURLs"
    assert problems[0].as_error()["parameters"][0]["name"] == "reason"


def test_a_wrongly_typed_or_unknown_enumerated_value_is_refused(item: dict[str, Any]) -> None:
    item["availability"]["shipToLocationAvailability"]["quantity"] = "5"
    item["condition"] = "BRAND_NEW"
    problems = check_request("PUT", f"{BASE}/inventory_item/MUG-1", None, WRITE, item)
    assert sorted(p.field for p in problems) == [
        "availability.shipToLocationAvailability.quantity",
        "condition",
    ]


def test_documented_lengths_and_quantities_are_enforced(item: dict[str, Any]) -> None:
    item["product"]["title"] = "x" * 81
    item["product"]["aspects"]["Brand"] = ["y" * 51]
    item["availability"]["shipToLocationAvailability"]["quantity"] = -1
    problems = check_request("PUT", f"{BASE}/inventory_item/MUG-1", None, WRITE, item)
    assert ids(problems) == [25709, 25709, 25709]
    assert {p.field for p in problems} == {
        "product.title",
        "product.aspects.Brand[0]",
        "availability.shipToLocationAvailability.quantity",
    }
    assert "At most 80 characters." in next(p.message for p in problems if p.field == "product.title")


def test_pictures_must_be_https_and_at_most_24(item: dict[str, Any]) -> None:
    item["product"]["imageUrls"] = ["http://images.example.com/1.jpg"] + [
        f"https://images.example.com/{i}.jpg" for i in range(24)
    ]
    problems = check_request("PUT", f"{BASE}/inventory_item/MUG-1", None, WRITE, item)
    assert sorted(ids(problems)) == [25014, 25015]
    assert next(p for p in problems if p.error_id == 25015).field == "product.imageUrls[0]"


def test_a_sku_with_a_space_or_over_50_characters_is_refused() -> None:
    assert ids(check_request("GET", f"{BASE}/inventory_item/MUG-1_blue.v2", None, WRITE)) == []
    assert ids(check_request("GET", f"{BASE}/inventory_item/A%20B", None, WRITE)) == [25707]
    assert ids(check_request("GET", f"{BASE}/inventory_item/{'x' * 51}", None, WRITE)) == [25707]
    assert ids(check_request("GET", f"{BASE}/offer", {"sku": "A B"}, WRITE)) == [25707]


def test_unknown_query_parameters_and_bad_paging_are_refused() -> None:
    problems = check_request("GET", f"{BASE}/inventory_item?limit=500&page=2", None, WRITE)
    assert sorted(ids(problems)) == [25706, 25709]


def test_a_path_the_model_does_not_have_is_not_found() -> None:
    problems = check_request("GET", f"{BASE}/listing/123", None, WRITE)
    assert [(p.error_id, p.status) for p in problems] == [(2002, 404)]


def test_a_bulk_call_of_more_than_25_is_refused_whole(item: dict[str, Any]) -> None:
    entries = [{**item, "sku": f"S-{i}", "locale": "en_US"} for i in range(26)]
    problems = check_request(
        "POST", f"{BASE}/bulk_create_or_replace_inventory_item", None, WRITE, {"requests": entries}
    )
    assert [(p.error_id, p.item) for p in problems] == [(25727, None)]


def test_a_bulk_entry_at_fault_is_marked_so_only_it_fails(item: dict[str, Any]) -> None:
    entries = [{**item, "sku": f"S-{i}", "locale": "en_US"} for i in range(3)]
    entries[1] = {**entries[1], "product": {**item["product"], "imageUrls": ["ftp://x/y.jpg"]}}
    problems = check_request(
        "POST", f"{BASE}/bulk_create_or_replace_inventory_item", None, WRITE, {"requests": entries}
    )
    assert [(p.error_id, p.item) for p in problems] == [(25015, 1)]


def test_a_bulk_call_naming_a_sku_twice_is_refused(item: dict[str, Any]) -> None:
    entries = [{**item, "sku": "SAME", "locale": "en_US"}] * 2
    problems = check_request(
        "POST", f"{BASE}/bulk_create_or_replace_inventory_item", None, WRITE, {"requests": entries}
    )
    assert ids(problems) == [25728]


def test_listing_formats_only_take_their_own_fields(offer: dict[str, Any]) -> None:
    fixed = {
        **offer,
        "sku": "A",
        "pricingSummary": {**offer["pricingSummary"], "auctionStartPrice": offer["pricingSummary"]["price"]},
    }
    assert ids(check_request("POST", f"{BASE}/offer", None, WRITE, fixed)) == [25758]
    auction = {**offer, "sku": "A", "format": "AUCTION", "availableQuantity": 1}
    assert sorted(ids(check_request("POST", f"{BASE}/offer", None, WRITE, auction))) == [25755, 25757, 25762]


def test_prices_must_be_decimal_amounts(offer: dict[str, Any]) -> None:
    offer["pricingSummary"]["price"]["value"] = "12,50"
    problems = check_request("POST", f"{BASE}/offer", None, WRITE, {**offer, "sku": "A"})
    assert [(p.error_id, p.field) for p in problems] == [(25709, "pricingSummary.price.value")]


def test_a_prepared_request_is_checked_as_sent(item: dict[str, Any]) -> None:
    good = requests.Request(
        "PUT", "https://api.ebay.com/sell/inventory/v1/inventory_item/MUG-1", headers=WRITE, json=item
    ).prepare()
    assert check_prepared(good) == []
    bare = requests.Request("PUT", "https://api.ebay.com/sell/inventory/v1/inventory_item/MUG-1", json=item)
    assert sorted(ids(check_prepared(bare.prepare()))) == [1002, 25709]


def test_token_requests_are_checked_as_eBay_documents_them() -> None:
    auth = ("app", "secret")
    form = {"grant_type": "refresh_token", "refresh_token": "v^1.1#token"}
    good = requests.Request("POST", "https://api.ebay.com/identity/v1/oauth2/token", auth=auth, data=form)
    assert check_prepared(good.prepare()) == []
    bad = requests.Request(
        "POST",
        "https://api.ebay.com/identity/v1/oauth2/token",
        data={"grant_type": "password"},
        headers={"Content-Type": "application/json"},
    )
    assert sorted(p.message.split(":")[0] for p in check_prepared(bad.prepare())) == [
        "invalid_client",
        "invalid_request",
        "unsupported_grant_type",
    ]
