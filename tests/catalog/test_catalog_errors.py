"""Seller-facing errors: short, printable, naming the field the way the seller wrote it."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from catalog.csvimport import column_of
from catalog.errors import ROW, FieldError, field_errors, printable, readable
from catalog.product import Product

GOOD = {
    "sku": "E-1",
    "title": "T",
    "currency": "USD",
    "price": "1",
    "quantity": 1,
    "image_urls": ["https://a.test/1"],
}


def errors_of(data: Any, **kwargs: Any) -> list[FieldError]:
    with pytest.raises(ValidationError) as caught:
        Product.model_validate(data)
    return field_errors(caught.value, **kwargs)


def test_a_long_value_is_quoted_back_short() -> None:
    [error] = errors_of({**GOOD, "condition": "n" * 10_000})
    assert error.field == "condition"
    assert len(error.message) < 250
    assert "…" in error.message


def test_bytes_that_were_not_utf8_never_reach_a_message() -> None:
    [error] = errors_of({**GOOD, "sku": "caf\udce9 1"})
    assert error == FieldError("sku", "sku has bytes that are not UTF-8 text; save the file as UTF-8")
    assert printable("caf\udce9") == "caf\ufffd"
    assert readable("  caf\udce9  ") == "caf\ufffd"
    assert readable("   ") is None


def test_csv_names_point_at_the_column_and_say_which_item() -> None:
    data = {
        **GOOD,
        "image_urls": ["https://a.test/1", "mailto:x@y"],
        "localized": {"zh-CN": {"title": "t" * 201}},
        "amazon": {"price": "1.234"},
        "attributes": {"colour": "c" * 1001},
    }
    assert errors_of(data, names=column_of) == [
        FieldError("image_urls", "image_urls item 2 'mailto:x@y' is not an absolute http:// or https:// URL"),
        FieldError("title_zh", "title_zh has 201 characters; at most 200 are allowed"),
        FieldError("attributes", "attributes 'colour' has 1,001 characters; at most 1,000 are allowed"),
    ]
    assert errors_of({**GOOD, "amazon": {"price": "1.234"}}, names=column_of) == [
        FieldError("amazon_price", "amazon_price 1.234 has 3 decimals; USD allows 2")
    ]


def test_a_record_that_is_not_an_object_is_an_error_of_the_row() -> None:
    assert errors_of("just text") == [FieldError(ROW, "record must be an object")]
