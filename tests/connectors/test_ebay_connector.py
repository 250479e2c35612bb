"""The eBay connector against the eBay sandbox over real HTTP: bulk calls, offers, 207s, error classes."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
import requests
from connector_support import ebay_validator

from connectors.base import Action, Change
from connectors.errors import PermanentError, TransientError
from connectors.sandbox.faults import FaultPlan


@pytest.fixture
def seller_ebay(ebay):
    """The eBay sandbox with the seller's warehouse location set up."""
    ebay.connector().ensure_location("warehouse-1", "US", "95125")
    return ebay


def creates(make_product, n: int, prefix: str = "EB") -> list[Change]:
    return [Change(Action.CREATE, f"{prefix}-{i}", make_product(f"{prefix}-{i}")) for i in range(n)]


def test_creates_go_live_through_bulk_calls_of_25(seller_ebay, make_product):
    ebay = seller_ebay
    results = ebay.connector().push(creates(make_product, 30))
    assert all(r.ok for r in results), [r.error for r in results if not r.ok][:3]
    assert all(r.ids["offer_id"] and r.ids["listing_id"] for r in results)
    assert len(ebay.sent("/bulk_create_or_replace_inventory_item", "POST")) == 2
    assert len(ebay.sent("/bulk_create_offer", "POST")) == 2
    assert len(ebay.sent("/bulk_publish_offer", "POST")) == 2
    assert len(ebay.sent("/sell/inventory/v1/offer?", "GET")) == 30  # getOffers by SKU before creating
    assert len(ebay.sandbox.live(ebay.seller)) == 30


def test_a_repeated_create_reuses_the_offer_instead_of_a_second_one(seller_ebay, make_product):
    ebay = seller_ebay
    connector = ebay.connector()
    first = connector.push(creates(make_product, 2, "AGAIN"))
    again = connector.push(creates(make_product, 2, "AGAIN"))
    assert [r.ids for r in again] == [r.ids for r in first]
    assert len(ebay.sent("/bulk_create_offer", "POST")) == 1
    assert ebay.sandbox.ledger.counts(ebay.seller, "AGAIN-0").creates == 1


def test_a_mixed_bulk_answer_gives_per_sku_results(seller_ebay, make_product):
    ebay = seller_ebay
    changes = creates(make_product, 3, "MIX")
    changes[1] = Change(Action.CREATE, "MIX-1", make_product("MIX-1", brand=None))  # Brand is required
    results = ebay.connector().push(changes)
    assert results[0].ok and results[2].ok
    assert isinstance(results[1].error, PermanentError)
    assert "Brand" in str(results[1].error)


def test_a_price_and_quantity_change_uses_bulk_update_price_quantity(seller_ebay, make_product):
    ebay = seller_ebay
    connector = ebay.connector()
    created = connector.push(creates(make_product, 1, "PQ"))[0]
    cheaper = make_product("PQ-0", price="11.00", quantity=2)
    result = connector.push([Change(Action.UPDATE_OFFER, "PQ-0", cheaper, ids=created.ids)])[0]
    assert result.ok, result.error
    assert len(ebay.sent("/bulk_update_price_quantity", "POST")) == 1
    live = connector.fetch("PQ-0")
    assert live is not None
    assert (live.price, live.quantity) == (Decimal("11.00"), 2)


def test_a_content_change_replaces_the_inventory_item(seller_ebay, make_product):
    ebay = seller_ebay
    connector = ebay.connector()
    connector.push(creates(make_product, 1, "CT"))
    result = connector.push(
        [Change(Action.UPDATE_CONTENT, "CT-0", make_product("CT-0", title="A new title"))]
    )[0]
    assert result.ok, result.error
    assert ebay.sandbox.inventory(ebay.seller)["CT-0"]["product"]["title"] == "A new title"


def test_a_revised_offer_sends_new_policies_and_category_with_update_offer_alone(seller_ebay, make_product):
    ebay = seller_ebay
    created = ebay.connector().push(creates(make_product, 1, "RV"))[0]
    before = ebay.sandbox.history(ebay.seller, "RV-0")
    connector = ebay.connector(payment_policy_id="6196939999")
    moved = make_product("RV-0", ebay={"category_id": "9355"})
    result = connector.push([Change(Action.REVISE_OFFER, "RV-0", moved, ids=created.ids)])[0]
    assert result.ok, result.error
    assert result.ids == created.ids
    [offer] = ebay.sandbox.offers(ebay.seller, "RV-0")
    assert (offer["categoryId"], offer["listingPolicies"]["paymentPolicyId"]) == ("9355", "6196939999")
    assert offer["status"] == "PUBLISHED"
    [listing] = ebay.sandbox.live(ebay.seller)
    assert (listing["categoryId"], listing["offerId"]) == ("9355", created.ids["offer_id"])
    [put] = ebay.sent("/offer/", "PUT")
    assert put.path_url == f"/sell/inventory/v1/offer/{created.ids['offer_id']}"
    assert len(ebay.sent("/bulk_")) == 3  # the create's item, offer and publish: nothing more
    after = ebay.sandbox.history(ebay.seller, "RV-0")
    assert {k: after.get(k, 0) - before.get(k, 0) for k in after} == {
        **{k: 0 for k in after},
        "offer_updated": 1,
    }


def test_a_revised_offer_the_marketplace_refuses_is_a_permanent_error_naming_the_sku(
    seller_ebay, make_product
):
    ebay = seller_ebay
    created = ebay.connector().push(creates(make_product, 1, "RB"))[0]
    connector = ebay.connector(merchant_location_key="no-such-place")
    result = connector.push([Change(Action.REVISE_OFFER, "RB-0", make_product("RB-0"), ids=created.ids)])[0]
    assert isinstance(result.error, PermanentError)
    assert result.error.plain.startswith("SKU RB-0: ")
    assert "no-such-place" in result.error.plain
    [offer] = ebay.sandbox.offers(ebay.seller, "RB-0")
    assert offer["merchantLocationKey"] == "warehouse-1"  # refused as a whole: nothing changed


def test_a_create_retried_after_a_failed_publish_brings_the_left_offer_up_to_date(seller_ebay, make_product):
    ebay = seller_ebay
    [refused] = ebay.connector(merchant_location_key="no-such-place").push(creates(make_product, 1, "FX"))
    assert isinstance(refused.error, PermanentError) and "no-such-place" in refused.error.plain
    [left] = ebay.sandbox.offers(ebay.seller, "FX-0")
    assert left["status"] == "UNPUBLISHED"

    [fixed] = ebay.connector().push(creates(make_product, 1, "FX"))  # the account's location set right
    assert fixed.ok, fixed.error
    [offer] = ebay.sandbox.offers(ebay.seller, "FX-0")
    assert (offer["offerId"], offer["merchantLocationKey"]) == (left["offerId"], "warehouse-1")
    assert offer["status"] == "PUBLISHED"
    assert len(ebay.sent("/bulk_create_offer", "POST")) == 1


def test_the_recorder_checks_update_offer_against_the_model(ebay):
    url = f"{ebay.server.url}/sell/inventory/v1/offer/1"
    headers = {"Authorization": "Bearer t", "Content-Language": "en-US"}
    # updateOffer's body has no sku: the offer is named by the path
    bad = requests.Request("PUT", url, json={"sku": "X-1", "categoryId": "9355"}, headers=headers)
    assert any("sku" in p for p in ebay_validator(ebay.sandbox)(bad.prepare(), time.time()))


def test_an_end_withdraws_then_deletes(seller_ebay, make_product):
    ebay = seller_ebay
    connector = ebay.connector()
    connector.push(creates(make_product, 1, "END"))
    assert connector.push([Change(Action.END, "END-0")])[0].ok
    assert [r.method for r in ebay.sent("/withdraw")] == ["POST"]
    assert ebay.sandbox.live(ebay.seller) == []
    assert connector.fetch("END-0") is None
    assert connector.push([Change(Action.END, "END-0")])[0].ok  # ending twice is harmless


def test_an_expired_token_is_refreshed_without_the_caller_noticing(seller_ebay, make_product):
    ebay = seller_ebay
    connector = ebay.connector()
    connector.push(creates(make_product, 1, "TOK"))
    ebay.sandbox.expire_tokens()
    assert connector.push(creates(make_product, 1, "TOK2"))[0].ok
    assert connector.http.auth.refreshes == 2


def test_a_throttled_batch_is_transient(make_sandbox, make_product):
    ebay = make_sandbox("ebay", faults=FaultPlan(throttle_rate=1.0))
    with pytest.raises(TransientError) as info:
        ebay.connector().push(creates(make_product, 2, "TH"))
    assert info.value.status == 429


def test_5xx_answers_are_transient(make_sandbox, make_product):
    ebay = make_sandbox("ebay", faults=FaultPlan(error_rate=1.0))
    with pytest.raises(TransientError) as info:
        ebay.connector().push(creates(make_product, 2, "FIVE"))
    assert info.value.status is not None and info.value.status >= 500


def test_a_missing_category_is_refused_before_any_call(seller_ebay, make_product):
    ebay = seller_ebay
    before = len(ebay.sent())
    results = ebay.connector().push([Change(Action.CREATE, "NOCAT", make_product("NOCAT", ebay=None))])
    assert results[0].error.field == "ebay.category_id"
    assert len(ebay.sent()) == before


def test_a_hang_past_the_read_timeout_is_transient(make_sandbox, make_product):
    ebay = make_sandbox("ebay", faults=FaultPlan(hang_rate=1.0, hang_seconds=1.0))
    with pytest.raises(TransientError, match="no answer in time"):
        ebay.connector(timeout=(1.0, 0.2)).push(creates(make_product, 1, "HANG"))
