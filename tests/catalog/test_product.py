"""The shared schema: what it accepts, how it normalises, and what it tells a seller when it refuses."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from catalog_helpers import records
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from catalog.checks import MINOR_UNITS, gtin_check_digit
from catalog.errors import FieldError, field_errors
from catalog.product import Condition, Product


def errors_of(data: dict[str, Any]) -> list[FieldError]:
    with pytest.raises(ValidationError) as caught:
        Product.model_validate(data)
    return field_errors(caught.value)


def test_a_full_record_round_trips_through_its_json_form(record: dict[str, Any]) -> None:
    product = Product.model_validate(record)
    dumped = product.model_dump(mode="json", exclude_none=True)
    assert Product.model_validate(dumped) == product
    assert dumped["price"] == "129.50"
    assert dumped["tmall"]["price_cny"] == "899.00"
    assert product.condition is Condition.NEW


@settings(max_examples=150, deadline=None)
@given(records())
def test_any_valid_record_round_trips_with_the_same_hashes(record: dict[str, Any]) -> None:
    product = Product.model_validate(record)
    again = Product.model_validate(product.model_dump(mode="json", exclude_none=True))
    assert again == product
    assert again.content_hashes() == product.content_hashes()


def test_prices_are_kept_to_the_currency_minor_units(record: dict[str, Any]) -> None:
    assert str(Product.model_validate({**record, "price": "12.5"}).price) == "12.50"
    assert str(Product.model_validate({**record, "price": "12.500"}).price) == "12.50"
    jpy = Product.model_validate({**record, "currency": "JPY", "price": "1200.00", "amazon": None})
    assert str(jpy.price) == "1200"
    assert str(Product.model_validate({**record, "currency": "KWD", "price": "1.5"}).price) == "1.500"


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(sorted(MINOR_UNITS)), st.integers(1, 10**7), st.integers(0, 5))
def test_a_price_is_refused_exactly_when_it_has_more_decimals_than_its_currency(
    currency: str, units: int, places: int
) -> None:
    price = Decimal(units).scaleb(-places)
    decimals = max(0, -price.normalize().as_tuple().exponent)  # type: ignore[operator]
    data = {
        "sku": "P-1",
        "title": "T",
        "currency": currency,
        "price": str(price),
        "quantity": 1,
        "image_urls": ["https://a.test/1.jpg"],
    }
    if decimals <= MINOR_UNITS[currency]:
        assert Product.model_validate(data).price == price
    else:
        [error] = errors_of(data)
        assert error.field == "price"
        assert error.message.endswith(
            f"has {decimals} decimal{'s' if decimals > 1 else ''}; {currency} allows "
            f"{MINOR_UNITS[currency] or 'none'}"
        )


def test_too_many_decimals_are_explained_with_the_currency(record: dict[str, Any]) -> None:
    assert errors_of({**record, "price": "12.345"}) == [
        FieldError("price", "price 12.345 has 3 decimals; USD allows 2")
    ]


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from([7, 11, 12, 13]).flatmap(lambda n: st.text("0123456789", min_size=n, max_size=n)),
    st.integers(0, 9),
)
def test_a_gtin_is_accepted_exactly_when_its_check_digit_is_right(body: str, last: int) -> None:
    data = {
        "sku": "G-1",
        "title": "T",
        "currency": "USD",
        "price": "1",
        "quantity": 1,
        "image_urls": ["https://a.test/1.jpg"],
        "gtin": body + str(last),
    }
    right = gtin_check_digit(body)
    if last == right:
        assert Product.model_validate(data).gtin == body + str(last)
    else:
        assert errors_of(data) == [FieldError("gtin", f"gtin {body}{last}: check digit should be {right}")]


@pytest.mark.parametrize(
    ("gtin", "message"),
    [
        ("4006381333931", None),
        ("012345678905", None),
        ("96385074", None),
        ("10012345678902", None),
        ("12345678901", "gtin 12345678901 has 11 digits; a GTIN has 8, 12, 13 or 14"),
        ("40063813339X1", "gtin '40063813339X1' must be digits only"),
        ("４００６３８１３３３９３１", "gtin '４００６３８１３３３９３１' must be digits only"),
    ],
)
def test_gtin_lengths_and_digits(record: dict[str, Any], gtin: str, message: str | None) -> None:
    if message is None:
        assert Product.model_validate({**record, "gtin": gtin}).gtin == gtin
    else:
        assert errors_of({**record, "gtin": gtin}) == [FieldError("gtin", message)]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"sku": "A B"}, "sku", "sku 'A B' may only use letters, digits, '-', '_' and '.'"),
        ({"sku": "S" * 41}, "sku", "sku has 41 characters; at most 40 are allowed"),
        ({"title": " "}, "title", "title is empty"),
        ({"title": "T" * 201}, "title", "title has 201 characters; at most 200 are allowed"),
        (
            {"description": "d" * 25_001},
            "description",
            "description has 25,001 characters; at most 25,000 are allowed",
        ),
        ({"currency": "usd"}, None, None),
        (
            {"currency": "US"},
            "currency",
            "currency 'US' is not an ISO 4217 currency code (like USD, EUR, CNY, JPY)",
        ),
        ({"price": "-1"}, "price", "price -1 must be more than 0"),
        ({"price": "1e12"}, "price", "price 1e12 is too large; it must be below 1,000,000,000"),
        (
            {"price": "12,99"},
            "price",
            "price '12,99' is not a number; write it like 12.99 (no currency sign, no separators)",
        ),
        ({"price": "NaN"}, "price", "price 'NaN' is not a number"),
        ({"quantity": 2.5}, "quantity", "quantity 2.5 is not a whole number"),
        ({"image_urls": []}, "image_urls", "image_urls needs at least 1 item"),
        (
            {"image_urls": [f"https://a.test/{i}.jpg" for i in range(13)]},
            "image_urls",
            "image_urls has 13 items; at most 12 are allowed",
        ),
        (
            {"image_urls": ["/relative.jpg"]},
            "image_urls[0]",
            "image_urls[0] '/relative.jpg' is not an absolute http:// or https:// URL",
        ),
        (
            {"image_urls": ["https://a.test/a b.jpg"]},
            "image_urls[0]",
            "image_urls[0] 'https://a.test/a b.jpg' is not an absolute http:// or https:// URL",
        ),
        (
            {"condition": "mint"},
            "condition",
            "condition 'mint' is not one of: 'new', 'used_like_new', 'used_very_good', 'used_good', "
            "'used_acceptable' or 'refurbished'",
        ),
        (
            {"parent_sku": "NW-JKT-001"},
            "parent_sku",
            "parent_sku is the product's own sku; leave it out for a product without a parent",
        ),
        ({"localized": {"zh-CN": {}}}, "localized.zh-CN", "localized.zh-CN needs a title or a description"),
        (
            {"localized": {"zh_CN": {"title": "x"}}},
            "localized",
            "localized key 'zh_CN' is not a language tag like zh-CN or en-US",
        ),
        ({"attributes": {"colour": ""}}, "attributes.colour", "attributes.colour is empty"),
        ({"ebay": {"title": "E" * 81}}, "ebay.title", "ebay.title has 81 characters; at most 80 are allowed"),
        (
            {"ebay": {"category_id": "abc"}},
            "ebay.category_id",
            "ebay.category_id 'abc' is not an eBay category id (digits only)",
        ),
        (
            {"amazon": {"product_type": "coat!"}},
            "amazon.product_type",
            "amazon.product_type 'coat!' is not an Amazon product type like LUGGAGE or SHIRT",
        ),
        (
            {"tmall": {"price_cny": "1.001"}},
            "tmall.price_cny",
            "tmall.price_cny 1.001 has 3 decimals; CNY allows 2",
        ),
        ({"tmall": {"cid": 0}}, "tmall.cid", "tmall.cid 0 must be more than 0"),
        ({"colour": "red"}, "colour", "colour is not a known field"),
    ],
)
def test_each_refusal_names_the_field_in_a_sellers_words(
    record: dict[str, Any], change: dict[str, Any], field: str | None, message: str | None
) -> None:
    data = {**record, **change}
    if field is None:
        Product.model_validate(data)
    else:
        assert errors_of(data) == [FieldError(field, message or "")]


def test_locales_and_codes_are_normalised(record: dict[str, Any]) -> None:
    product = Product.model_validate(
        {
            **record,
            "currency": "eur",
            "localized": {"zh-hant-tw": {"title": "夾克"}},
            "amazon": {"product_type": "coat"},
        }
    )
    assert product.currency == "EUR"
    assert list(product.localized) == ["zh-Hant-TW"]
    assert product.amazon is not None and product.amazon.product_type == "COAT"


def test_a_product_is_immutable(record: dict[str, Any]) -> None:
    product = Product.model_validate(record)
    with pytest.raises(ValidationError):
        product.quantity = 3  # type: ignore[misc]
    assert product.model_copy(update={"quantity": 3}).quantity == 3


def test_every_missing_required_field_is_reported_at_once() -> None:
    assert [e.field for e in errors_of({})] == ["sku", "title", "currency", "price", "quantity", "image_urls"]
    assert errors_of({"sku": 5})[0] == FieldError("sku", "sku must be text, not 5")
