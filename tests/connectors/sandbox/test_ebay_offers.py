"""Offers and listings over HTTP: eBay's rules for creating, publishing, revising and ending listings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ebay_client import EbayClient, FakeClock, matches_model

from connectors.sandbox.ebay import EbaySandbox

Start = Callable[..., tuple[EbaySandbox, EbayClient]]


def error_ids(answer: Any) -> list[int]:
    return [e["errorId"] for e in answer.json()["errors"]]


def test_a_complete_offer_publishes_to_one_live_listing(
    ebay: EbaySandbox, seller: str, ebay_client: EbayClient, item: dict[str, Any], offer: dict[str, Any]
) -> None:
    ebay_client.location()
    offer_id, listing_id = ebay_client.listed("MUG-1", item, offer)
    live = ebay.live(seller)
    assert [(entry["sku"], entry["listingId"], entry["status"]) for entry in live] == [
        ("MUG-1", listing_id, "ACTIVE")
    ]
    assert ebay.ledger.counts(seller, "MUG-1").creates == 1
    answer = ebay_client.call("GET", f"/offer/{offer_id}")
    assert answer.json()["status"] == "PUBLISHED"
    assert answer.json()["listing"] == {"listingId": listing_id, "listingStatus": "ACTIVE", "soldQuantity": 0}
    assert matches_model("getOffer", 200, answer.json()) == []


def test_a_second_offer_for_the_same_sku_is_refused_naming_the_first(
    ebay_client: EbayClient, item: dict[str, Any], offer: dict[str, Any]
) -> None:
    ebay_client.call("PUT", "/inventory_item/MUG-1", item)
    first = ebay_client.call("POST", "/offer", {**offer, "sku": "MUG-1"}).json()["offerId"]
    again = ebay_client.call("POST", "/offer", {**offer, "sku": "MUG-1"})
    assert again.status_code == 400
    error = again.json()["errors"][0]
    assert error["errorId"] == 25002
    assert "Offer entity already exists" in error["message"]
    assert error["parameters"] == [{"name": "offerId", "value": first}]


def test_an_offer_needs_its_inventory_item(ebay_client: EbayClient, offer: dict[str, Any]) -> None:
    answer = ebay_client.call("POST", "/offer", {**offer, "sku": "GHOST"})
    assert (answer.status_code, error_ids(answer)) == (400, [25702])


def test_publishing_an_incomplete_offer_lists_everything_missing(
    ebay: EbaySandbox, seller: str, ebay_client: EbayClient
) -> None:
    ebay_client.call("PUT", "/inventory_item/BARE", {"product": {"title": "Bare"}})
    bare = {"sku": "BARE", "marketplaceId": "EBAY_US", "format": "FIXED_PRICE"}
    offer_id = ebay_client.call("POST", "/offer", bare).json()["offerId"]
    answer = ebay_client.call("POST", f"/offer/{offer_id}/publish")
    assert answer.status_code == 400
    assert sorted(error_ids(answer)) == [
        25002,
        25002,
        25003,
        25004,
        25005,
        25007,
        25008,
        25009,
        25012,
        25014,
        25021,
    ]
    assert ebay.live(seller) == []


def test_publishing_needs_a_location_the_seller_created(
    ebay_client: EbayClient, item: dict[str, Any], offer: dict[str, Any]
) -> None:
    ebay_client.call("PUT", "/inventory_item/MUG-1", item)
    offer_id = ebay_client.call("POST", "/offer", {**offer, "sku": "MUG-1"}).json()["offerId"]
    answer = ebay_client.call("POST", f"/offer/{offer_id}/publish")
    assert error_ids(answer) == [25012]
    ebay_client.location()
    assert ebay_client.call("POST", f"/offer/{offer_id}/publish").status_code == 200


def test_a_price_in_another_currency_than_the_marketplace_is_refused(
    ebay_client: EbayClient, item: dict[str, Any], offer: dict[str, Any]
) -> None:
    ebay_client.location()
    ebay_client.call("PUT", "/inventory_item/MUG-1", item)
    offer["pricingSummary"]["price"]["currency"] = "EUR"
    offer_id = ebay_client.call("POST", "/offer", {**offer, "sku": "MUG-1"}).json()["offerId"]
    assert error_ids(ebay_client.call("POST", f"/offer/{offer_id}/publish")) == [25003]


def test_withdrawing_ends_the_listing_and_republishing_makes_a_new_one(
    ebay: EbaySandbox, seller: str, ebay_client: EbayClient, item: dict[str, Any], offer: dict[str, Any]
) -> None:
    ebay_client.location()
    offer_id, first = ebay_client.listed("MUG-1", item, offer)
    withdrawn = ebay_client.call("POST", f"/offer/{offer_id}/withdraw")
    assert (withdrawn.status_code, withdrawn.json()["listingId"]) == (200, first)
    assert ebay.live(seller) == []
    second = ebay_client.call("POST", f"/offer/{offer_id}/publish").json()["listingId"]
    assert second != first
    counts = ebay.ledger.counts(seller, "MUG-1")
    assert (counts.creates, counts.ends) == (2, 1)
    assert error_ids(ebay_client.call("POST", "/offer/999/withdraw")) == [25713]


def test_publishing_a_live_offer_again_revises_it_without_a_second_listing(
    ebay: EbaySandbox, seller: str, ebay_client: EbayClient, item: dict[str, Any], offer: dict[str, Any]
) -> None:
    ebay_client.location()
    offer_id, listing_id = ebay_client.listed("MUG-1", item, offer)
    again = ebay_client.call("POST", f"/offer/{offer_id}/publish")
    assert again.json()["listingId"] == listing_id
    assert ebay.ledger.counts(seller, "MUG-1").creates == 1
    assert ebay.history(seller, "MUG-1")["revised"] == 1


def test_deleting_the_item_deletes_its_offers_and_ends_the_listing(
    ebay: EbaySandbox, seller: str, ebay_client: EbayClient, item: dict[str, Any], offer: dict[str, Any]
) -> None:
    ebay_client.location()
    offer_id, _ = ebay_client.listed("MUG-1", item, offer)
    assert ebay_client.call("DELETE", "/inventory_item/MUG-1").status_code == 204
    assert ebay.live(seller) == []
    assert ebay_client.call("GET", f"/offer/{offer_id}").status_code == 404
    assert ebay.ledger.counts(seller, "MUG-1").ends == 1


def test_offers_are_found_by_sku(
    ebay_client: EbayClient, item: dict[str, Any], offer: dict[str, Any]
) -> None:
    ebay_client.call("PUT", "/inventory_item/MUG-1", item)
    offer_id = ebay_client.call("POST", "/offer", {**offer, "sku": "MUG-1"}).json()["offerId"]
    found = ebay_client.call("GET", "/offer", params={"sku": "MUG-1"})
    assert [o["offerId"] for o in found.json()["offers"]] == [offer_id]
    assert matches_model("getOffers", 200, found.json()) == []
    ebay_client.call("PUT", "/inventory_item/MUG-2", item)
    assert error_ids(ebay_client.call("GET", "/offer", params={"sku": "MUG-2"})) == [25713]


def test_updating_a_live_offer_revises_the_listing_and_needs_its_description(
    ebay: EbaySandbox, seller: str, ebay_client: EbayClient, item: dict[str, Any], offer: dict[str, Any]
) -> None:
    ebay_client.location()
    offer_id, _ = ebay_client.listed("MUG-1", item, offer)
    fields = {k: v for k, v in offer.items() if k not in ("marketplaceId", "format")}
    fields["pricingSummary"] = {"price": {"value": "9.99", "currency": "USD"}}
    assert error_ids(ebay_client.call("PUT", f"/offer/{offer_id}", fields)) == [25709]
    fields["listingDescription"] = "A sturdy enamel mug."
    assert ebay_client.call("PUT", f"/offer/{offer_id}", fields).status_code == 204
    assert ebay.live(seller)[0]["price"] == {"value": "9.99", "currency": "USD"}


def test_bulk_offers_are_created_and_published_entry_by_entry(
    ebay: EbaySandbox, seller: str, ebay_client: EbayClient, item: dict[str, Any], offer: dict[str, Any]
) -> None:
    ebay_client.location()
    for sku in ("A", "B"):
        ebay_client.call("PUT", f"/inventory_item/{sku}", item)
    entries = [{**offer, "sku": sku} for sku in ("A", "B", "C")]
    created = ebay_client.call("POST", "/bulk_create_offer", {"requests": entries})
    assert created.status_code == 207
    assert [r["statusCode"] for r in created.json()["responses"]] == [200, 200, 400]
    assert matches_model("bulkCreateOffer", 200, created.json()) == []
    ids = [r["offerId"] for r in created.json()["responses"][:2]]
    published = ebay_client.call("POST", "/bulk_publish_offer", {"requests": [{"offerId": i} for i in ids]})
    assert published.status_code == 200
    assert all(r["listingId"] for r in published.json()["responses"])
    assert sorted(entry["sku"] for entry in ebay.live(seller)) == ["A", "B"]


def test_quantity_zero_keeps_the_listing_out_of_stock_with_out_of_stock_control(
    ebay: EbaySandbox, seller: str, ebay_client: EbayClient, item: dict[str, Any], offer: dict[str, Any]
) -> None:
    ebay_client.location()
    offer_id, _ = ebay_client.listed("MUG-1", item, offer)
    change = {"sku": "MUG-1", "shipToLocationAvailability": {"quantity": 0}}
    answer = ebay_client.call("POST", "/bulk_update_price_quantity", {"requests": [change]})
    assert answer.status_code == 200
    assert matches_model("bulkUpdatePriceQuantity", 200, answer.json()) == []
    assert [(e["status"], e["quantity"]) for e in ebay.live(seller)] == [("OUT_OF_STOCK", 0)]
    price = {"offers": [{"offerId": offer_id, "price": {"value": "11.00", "currency": "USD"}}]}
    ebay_client.call("POST", "/bulk_update_price_quantity", {"requests": [price]})
    assert ebay.live(seller)[0]["price"]["value"] == "11.00"


def test_quantity_zero_ends_the_listing_without_out_of_stock_control(
    serve_ebay: Start, item: dict[str, Any], offer: dict[str, Any]
) -> None:
    sandbox, client = serve_ebay(out_of_stock_control=False)
    client.login().location()
    client.listed("MUG-1", item, offer)
    change = {"sku": "MUG-1", "shipToLocationAvailability": {"quantity": 0}}
    client.call("POST", "/bulk_update_price_quantity", {"requests": [change]})
    assert sandbox.live("seller-x") == []
    assert sandbox.ledger.counts("seller-x", "MUG-1").ends == 1


def test_a_listing_is_revised_at_most_the_daily_limit_then_again_the_next_day(
    serve_ebay: Start, clock: FakeClock, item: dict[str, Any], offer: dict[str, Any]
) -> None:
    sandbox, client = serve_ebay(revisions_per_day=3, clock=clock)
    client.login().location()
    client.listed("MUG-1", item, offer)
    for quantity in (4, 3, 2):
        item["availability"]["shipToLocationAvailability"]["quantity"] = quantity
        assert client.call("PUT", "/inventory_item/MUG-1", item).status_code == 204
    item["availability"]["shipToLocationAvailability"]["quantity"] = 1
    refused = client.call("PUT", "/inventory_item/MUG-1", item)
    assert (refused.status_code, error_ids(refused)) == (400, [25002])
    assert sandbox.live("seller-x")[0]["quantity"] == 2
    clock.advance(24 * 3600)
    client.login()
    assert client.call("PUT", "/inventory_item/MUG-1", item).status_code == 204
