"""Which account settings count in the hashes per field group, and how they fold into a product's hashes."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from catalog.product import Product
from connectors.base import Action
from connectors.registry import rate_table
from workers.account_hashes import fold, for_account, settings_digests
from workers.drift import differences
from workers.planner import ListingState, ProductState, decide
from workers.store.models import ListingStatus

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


EBAY_POLICIES = {"fulfillment_policy_id": "1", "payment_policy_id": "2", "merchant_location_key": "w"}


def test_ebay_offer_settings_feed_the_offer_group_alone_and_the_site_none() -> None:
    digests = settings_digests("ebay", ["EBAY_GB"], EBAY_POLICIES)
    assert set(digests) == {"offer"}
    assert settings_digests("ebay", ["EBAY_GB"], {}) == {}  # updateOffer cannot move an offer to a site
    assert settings_digests("ebay", [], {**EBAY_POLICIES, "return_policy_id": ""}) == digests  # unset
    for name, value in (("payment_policy_id", "3"), ("default_category_id", "9355")):
        assert settings_digests("ebay", [], {**EBAY_POLICIES, name: value}) != digests, name


def test_an_ebay_products_offer_group_follows_its_category_and_the_accounts_offer_settings() -> None:
    digests = settings_digests("ebay", [], EBAY_POLICIES)
    assert for_account("ebay", HASHES, None, {}) == HASHES  # nothing set: the stored hashes as they are
    plain = for_account("ebay", HASHES, None, digests)
    assert set(plain) == {*HASHES, "offer"}
    assert {g: plain[g] for g in HASHES} == HASHES
    assert for_account("ebay", HASHES, "9355", digests)["offer"] not in (plain["offer"], None)
    assert (
        for_account("ebay", HASHES, "9355", {})["offer"]
        != for_account("ebay", HASHES, "9355", digests)["offer"]
    )
    other = settings_digests("ebay", [], {**EBAY_POLICIES, "payment_policy_id": "3"})
    assert for_account("ebay", HASHES, None, other)["offer"] != plain["offer"]
    assert for_account("amazon", HASHES, "9355", {}) == HASHES  # eBay's alone


def state(hashes: dict[str, str]) -> ProductState:
    return ProductState(hashes, deleted=False)


def listed(hashes: dict[str, str]) -> ListingState:
    return ListingState(ListingStatus.LIVE, hashes, {"offer_id": "1"})


def test_a_changed_offer_group_is_revised_with_updateoffer_and_nothing_else() -> None:
    was = {**HASHES, "offer": "o" * 64}
    assert decide("ebay", state(was), listed(was), None) == []
    assert decide("ebay", state({**was, "offer": "n" * 64}), listed(was), None) == [Action.REVISE_OFFER]
    both = {**was, "offer": "n" * 64, "price": "x" * 64}
    assert decide("ebay", state(both), listed(was), None) == [Action.UPDATE_OFFER, Action.REVISE_OFFER]
    assert decide("ebay", state({**both, "content": "y" * 64}), listed(was), None) == [
        Action.UPDATE_CONTENT,
        Action.UPDATE_OFFER,
        Action.REVISE_OFFER,
    ]
    # unchanged for the groups every marketplace has
    changed = {**HASHES, "content": "y" * 64, "price": "x" * 64}
    assert decide("amazon", state(changed), listed(HASHES), None) == [Action.UPDATE_CONTENT]
    assert decide("tmall", state(changed), listed(HASHES), None) == [
        Action.UPDATE_CONTENT,
        Action.UPDATE_OFFER,
    ]


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


def test_drift_compares_tmalls_cny_price_converted_as_the_connector_converts_it() -> None:
    rates = rate_table({"rates": {"USD": "7.12"}})
    assert differences(live("粗陶咖啡杯", "89.00"), PRODUCT, "tmall", rates) == []  # 12.50 USD at 7.12
    assert differences(live("粗陶咖啡杯", "80.00"), PRODUCT, "tmall", rates) == ["price"]
    assert differences(live("粗陶咖啡杯", "80.00"), PRODUCT, "tmall") == []  # no rate table: not compared
    yuan = rate_table({"rates": {"USD": "7.15"}, "rounding": "yuan"})  # 89.375 rounds to 89
    assert differences(live("粗陶咖啡杯", "89.00"), PRODUCT, "tmall", yuan) == []
    assert differences(
        live("粗陶咖啡杯", "89.00"), PRODUCT, "tmall", rate_table({"rates": {"USD": "7.15"}})
    ) == ["price"]
    override = {**PRODUCT, "tmall": {"price_cny": "99.00"}}
    assert differences(live("粗陶咖啡杯", "99.00"), override, "tmall", rates) == []
    assert differences(live("粗陶咖啡杯", "89.00"), override, "tmall", rates) == ["price"]
