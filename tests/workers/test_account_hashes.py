"""Which account settings count in the hashes per field group, and how they fold into a product's hashes."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from catalog.product import Product
from workers.account_hashes import fold, settings_digests
from workers.drift import differences

HASHES = {"content": "c" * 64, "price": "p" * 64, "quantity": "q" * 64, "images": "i" * 64}

PRODUCT = Product.model_validate(
    {
        "sku": "MUG-1",
        "title": "Stoneware Coffee Mug",
        "description": "A hand-glazed stoneware mug.",
        "currency": "USD",
        "price": "12.50",
        "quantity": 5,
        "image_urls": ["https://img.example/mug.png"],
        "localized": {"zh-CN": {"title": "粗陶咖啡杯"}},
        "ebay": {"title": "Stoneware Mug, hand glazed"},
    }
).model_dump(mode="json")


def test_an_account_at_its_defaults_folds_nothing_so_stored_hashes_stay_valid() -> None:
    assert settings_digests("amazon", ["ATVPDKIKX0DER"], {}) == {}
    assert settings_digests("amazon", [], {"default_product_type": "PRODUCT", "language_tag": "en_US"}) == {}
    assert settings_digests("tmall", [], {"rounding": "cent", "state": "浙江", "city": "杭州"}) == {}
    assert fold(HASHES, {}) == HASHES


def test_settings_that_change_no_payload_do_not_count() -> None:
    quiet = {
        "token_url": "https://other.example/token",
        "scopes": ["https://api.ebay.com/oauth/api_scope"],
        "sign_method": "md5",
        "poll_interval": 0.2,
        "feed_threshold": 10,
        "seller_id": "A2SELLER",
        "client_secret": "s3cret",
    }
    for marketplace in ("amazon", "ebay", "tmall"):
        assert settings_digests(marketplace, [], quiet) == {}, marketplace


def test_ebay_offer_settings_reach_no_update_so_they_do_not_count() -> None:
    policies = {"fulfillment_policy_id": "1", "payment_policy_id": "2", "merchant_location_key": "w"}
    assert settings_digests("ebay", ["EBAY_GB"], policies) == {}


def test_the_cny_rate_table_feeds_tmalls_price_group_alone() -> None:
    digests = settings_digests("tmall", [], {"rates": {"USD": "7.12"}})
    assert set(digests) == {"price"}
    assert settings_digests("tmall", [], {"rates": {"usd": 7.120}}) == digests  # the same payload
    assert settings_digests("tmall", [], {"rates": {"USD": "7.12"}, "rounding": "cent"}) == digests
    assert settings_digests("tmall", [], {"rates": {"USD": "7.50"}}) != digests
    assert settings_digests("tmall", [], {"rates": {"USD": "7.12"}, "rounding": "yuan"}) != digests
    assert set(settings_digests("tmall", [], {"state": "上海", "city": "上海"})) == {"content"}


def test_amazons_site_feeds_every_group_and_its_language_the_content_alone() -> None:
    assert set(settings_digests("amazon", ["A1F83G8C2ARO7P"], {})) == set(HASHES)
    assert set(settings_digests("amazon", [], {"language_tag": "en_GB"})) == {"content"}
    assert set(settings_digests("amazon", [], {"default_product_type": "HOME"})) == {"content"}


def test_folding_changes_exactly_the_groups_with_a_digest() -> None:
    folded = fold(HASHES, settings_digests("tmall", [], {"rates": {"USD": "7.12"}}))
    assert {g for g in HASHES if folded[g] != HASHES[g]} == {"price"}
    assert fold(HASHES, settings_digests("tmall", [], {"rates": {"USD": "7.12"}})) == folded
    assert fold(HASHES, settings_digests("tmall", [], {"rates": {"USD": "7.50"}}))["price"] != folded["price"]


def live(title: str | None, price: str | None = "12.50", quantity: int | None = 5) -> SimpleNamespace:
    return SimpleNamespace(title=title, price=price, quantity=quantity)


@pytest.mark.parametrize(
    ("marketplace", "title"),
    [("amazon", "Stoneware Coffee Mug"), ("ebay", "Stoneware Mug, hand glazed"), ("tmall", "粗陶咖啡杯")],
)
def test_drift_compares_the_title_the_marketplace_is_sent(marketplace: str, title: str) -> None:
    price = None if marketplace == "tmall" else "12.50"
    assert differences(live(title, price), PRODUCT, marketplace) == []
    assert differences(live(title + " (edited)", price), PRODUCT, marketplace) == ["content"]
    assert differences(live(None, price), PRODUCT, marketplace) == []  # not read back: not compared
    assert differences(live("Other", price, 0), PRODUCT, marketplace) == ["quantity", "content"]
