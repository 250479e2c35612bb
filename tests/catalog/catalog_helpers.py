"""Helpers for the catalogue tests: hypothesis strategies for valid product records, and `outcome`."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from catalog.checks import MINOR_UNITS, gtin_check_digit
from catalog.importer import ImportRow

# Text a seller might paste: letters, marks, digits, punctuation, symbols, spaces, control and format
# characters (no lone surrogates), with something other than blanks in it.
text_chars = st.characters(categories=("L", "M", "N", "P", "S", "Zs", "Cc", "Cf"))
CONDITIONS = ["new", "used_like_new", "used_very_good", "used_good", "used_acceptable", "refurbished"]


def text(max_size: int) -> st.SearchStrategy[str]:
    return st.text(text_chars, min_size=1, max_size=max_size).map(str.strip).filter(bool)


skus = st.from_regex(r"[A-Za-z0-9._-]{1,40}", fullmatch=True)
gtins = st.sampled_from([7, 11, 12, 13]).flatmap(
    lambda n: st.text("0123456789", min_size=n, max_size=n).map(
        lambda body: body + str(gtin_check_digit(body))
    )
)
urls = st.builds(
    lambda scheme, host, path: f"{scheme}://{host}/{path}",
    st.sampled_from(["http", "https"]),
    st.from_regex(r"[a-z0-9]{1,12}(\.[a-z]{2,5}){0,2}(:[0-9]{2,5})?", fullmatch=True),
    st.from_regex(r"[A-Za-z0-9._~/-]{0,30}", fullmatch=True),
)


@st.composite
def prices(draw: st.DrawFn, currency: str) -> Decimal:
    places = MINOR_UNITS[currency]
    cents = draw(st.integers(1, 10**8))
    return Decimal(cents).scaleb(-places)


@st.composite
def records(draw: st.DrawFn) -> dict[str, Any]:
    currency = draw(st.sampled_from(["USD", "EUR", "CNY", "JPY", "KWD", "GBP"]))
    record: dict[str, Any] = {
        "sku": draw(skus),
        "title": draw(text(200)),
        "currency": currency,
        "price": str(draw(prices(currency))),
        "quantity": draw(st.integers(0, 10**6)),
        "image_urls": draw(st.lists(urls, min_size=1, max_size=12, unique=True)),
        "condition": draw(st.sampled_from(CONDITIONS)),
    }
    optional = {
        "description": text(500),
        "brand": text(100),
        "gtin": gtins,
        "mpn": text(100),
        "attributes": st.dictionaries(text(100), text(100), max_size=5),
        "localized": st.dictionaries(
            st.sampled_from(["zh-CN", "ja-JP", "de-DE"]),
            st.fixed_dictionaries({"title": text(200)}, optional={"description": text(300)}),
            max_size=2,
        ),
        "amazon": st.fixed_dictionaries(
            {},
            optional={
                "product_type": st.sampled_from(["COAT", "TEA"]),
                "price": prices(currency),
                "quantity_buffer": st.integers(0, 50),
                "enabled": st.booleans(),
            },
        ),
        "ebay": st.fixed_dictionaries(
            {},
            optional={
                "category_id": st.from_regex(r"[0-9]{1,10}", fullmatch=True),
                "title": text(80),
                "enabled": st.booleans(),
            },
        ),
        "tmall": st.fixed_dictionaries(
            {},
            optional={
                "cid": st.integers(1, 10**9),
                "props": st.just("20000:33564;1627207:28326"),
                "price_cny": prices("CNY"),
                "enabled": st.booleans(),
            },
        ),
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            record[key] = draw(strategy)
    for override in ("amazon", "ebay", "tmall"):
        if override in record:
            record[override] = {
                k: str(v) if isinstance(v, Decimal) else v for k, v in record[override].items()
            }
    return record


def outcome(rows: Iterable[ImportRow]) -> list[tuple[int, str | None, str | tuple[str, str]]]:
    """Each row as (row, sku, "ok") or, per error, (row, sku, (field, message)): easy to compare whole."""
    out: list[tuple[int, str | None, str | tuple[str, str]]] = []
    for row in rows:
        if row.product is not None:
            assert not row.errors
            out.append((row.row, row.sku, "ok"))
        else:
            assert row.errors
            out.extend((row.row, row.sku, (e.field, e.message)) for e in row.errors)
    return out
