"""Product -> Amazon attributes: golden payloads, overrides, images and identifiers."""

from __future__ import annotations

import pytest

from connectors.mapping import amazon

US = "ATVPDKIKX0DER"


def test_a_full_product_projects_to_the_golden_attributes(make_product, golden):
    listing = amazon.listing(make_product(), US, "PRODUCT")
    golden(
        "amazon_listing_full",
        {"sku": listing.sku, "productType": listing.product_type, "attributes": listing.attributes},
    )


def test_a_minimal_product_projects_to_the_golden_attributes(make_product, golden):
    p = make_product(
        "MIN-1",
        description=None,
        brand=None,
        gtin=None,
        mpn=None,
        attributes={},
        amazon=None,
        condition="used_good",
        image_urls=["https://images.example.com/min.png"],
    )
    listing = amazon.listing(p, US, "HOME")
    golden(
        "amazon_listing_minimal",
        {"sku": listing.sku, "productType": listing.product_type, "attributes": listing.attributes},
    )


def test_overrides_win_over_the_catalogue(make_product):
    p = make_product(
        amazon={"product_type": "MUG", "title": "Amazon title", "price": "16.99", "quantity_buffer": 5}
    )
    attrs = amazon.listing(p, US, "PRODUCT").attributes
    assert attrs["item_name"][0]["value"] == "Amazon title"
    assert attrs["purchasable_offer"][0]["our_price"][0]["schedule"][0]["value_with_tax"] == 16.99
    assert attrs["fulfillment_availability"][0]["quantity"] == 35
    assert amazon.listing(p, US, "PRODUCT").product_type == "MUG"


def test_a_quantity_buffer_never_goes_below_zero(make_product):
    p = make_product(quantity=2, amazon={"quantity_buffer": 5})
    assert amazon.offer_attributes(p, US)["fulfillment_availability"][0]["quantity"] == 0


def test_images_beyond_main_and_eight_others_are_left_out(make_product):
    urls = [f"https://images.example.com/{n}.jpg" for n in range(12)]
    attrs = amazon.attributes(make_product(image_urls=urls), US)
    assert attrs["main_product_image_locator"][0]["media_location"] == urls[0]
    others = sorted(k for k in attrs if k.startswith("other_product_image_locator_"))
    assert others == [f"other_product_image_locator_{n}" for n in range(1, 9)]
    assert attrs["other_product_image_locator_8"][0]["media_location"] == urls[8]


@pytest.mark.parametrize(
    ("gtin", "kind"), [("012345678905", "upc"), ("4006381333931", "ean"), ("96385074", "ean")]
)
def test_the_identifier_type_follows_the_gtin_length(make_product, gtin, kind):
    attrs = amazon.attributes(make_product(gtin=gtin), US)
    assert attrs["externally_assigned_product_identifier"] == [
        {"type": kind, "value": gtin, "marketplace_id": US}
    ]


def test_a_price_patch_replaces_only_offer_and_quantity(make_product):
    patches = amazon.offer_patches(make_product(price="21.00", quantity=3), US)
    assert [p["path"] for p in patches] == [
        "/attributes/purchasable_offer",
        "/attributes/fulfillment_availability",
    ]
    assert all(p["op"] == "replace" for p in patches)
    assert patches[1]["value"][0]["quantity"] == 3
