"""Product -> eBay inventory item and offer: golden payloads, conditions, identifiers and limits."""

from __future__ import annotations

import pytest

from connectors.errors import PermanentError
from connectors.mapping import ebay

SETTINGS = ebay.OfferSettings(
    marketplace_id="EBAY_US",
    fulfillment_policy_id="6196932000",
    payment_policy_id="6196933000",
    return_policy_id="6196934000",
    merchant_location_key="warehouse-1",
)


def test_a_full_product_projects_to_the_golden_item_and_offer(make_product, golden):
    p = make_product()
    golden("ebay_inventory_item_full", ebay.inventory_item(p))
    golden("ebay_offer_full", ebay.offer(p, SETTINGS))


def test_a_minimal_product_projects_to_the_golden_item(make_product, golden):
    p = make_product(
        "MIN-1", description=None, brand=None, gtin=None, mpn=None, attributes={}, condition="refurbished"
    )
    golden("ebay_inventory_item_minimal", ebay.inventory_item(p))


@pytest.mark.parametrize(
    ("condition", "enum"),
    [
        ("new", "NEW"),
        ("used_like_new", "LIKE_NEW"),
        ("used_good", "USED_GOOD"),
        ("refurbished", "SELLER_REFURBISHED"),
    ],
)
def test_conditions_map_to_ebay_enums(make_product, condition, enum):
    assert ebay.inventory_item(make_product(condition=condition))["condition"] == enum


def test_a_upc_goes_in_upc_and_an_ean_in_ean(make_product):
    assert ebay.inventory_item(make_product(gtin="012345678905"))["product"]["upc"] == ["012345678905"]
    assert ebay.inventory_item(make_product(gtin="4006381333931"))["product"]["ean"] == ["4006381333931"]


def test_overrides_win_for_title_price_and_category(make_product):
    p = make_product(ebay={"category_id": "99", "title": "eBay title", "price": "17.25"})
    assert ebay.inventory_item(p)["product"]["title"] == "eBay title"
    offer = ebay.offer(p, SETTINGS)
    assert offer["categoryId"] == "99"
    assert offer["pricingSummary"]["price"] == {"value": "17.25", "currency": "USD"}


def test_a_missing_category_names_the_field_to_set(make_product):
    with pytest.raises(PermanentError) as info:
        ebay.offer(make_product(ebay=None), SETTINGS)
    assert info.value.field == "ebay.category_id"


def test_an_over_long_title_names_the_field_to_set(make_product):
    with pytest.raises(PermanentError) as info:
        ebay.inventory_item(make_product(title="x" * 81))
    assert info.value.field == "title"
    assert "80" in str(info.value)


def test_a_price_quantity_request_carries_the_offer(make_product):
    body = ebay.price_quantity(make_product(price="9.99", quantity=0), "123")
    assert body["offers"] == [
        {"offerId": "123", "availableQuantity": 0, "price": {"value": "9.99", "currency": "USD"}}
    ]
    assert body["shipToLocationAvailability"] == {"quantity": 0}


def test_an_offer_update_is_the_whole_offer_without_its_keys(make_product, golden):
    p = make_product("MUG-001")
    body = ebay.offer_update(p, SETTINGS)
    golden("ebay_offer_update_full", body)
    created = ebay.offer(p, SETTINGS)
    assert {k: v for k, v in created.items() if k not in ("sku", "marketplaceId", "format")} == {
        k: v for k, v in body.items() if k not in ("listingDescription", "listingDuration")
    }
    assert (body["listingDescription"], body["listingDuration"]) == (p.description, "GTC")


def test_an_offer_update_without_a_description_names_the_field_to_set(make_product):
    with pytest.raises(PermanentError) as info:
        ebay.offer_update(make_product("MUG-001", description=None), SETTINGS)
    assert (info.value.code, info.value.field) == ("MISSING_DESCRIPTION", "description")
    assert "MUG-001" in info.value.plain
