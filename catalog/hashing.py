"""Content hashes of a product per field group, so that a planner can tell what changed without the old copy.

Groups (a marketplace override goes with the group it affects; `sku` is the key, in no group):

- content: title, description, brand, gtin, mpn, condition, localized, attributes, parent_sku,
  variation_theme, amazon.product_type, amazon.title, amazon.enabled, ebay.category_id, ebay.title,
  ebay.enabled, tmall.cid, tmall.props, tmall.enabled
- price: currency, price, amazon.price, ebay.price, tmall.price_cny
- quantity: quantity, amazon.quantity_buffer
- images: image_urls (in order: the first is the main image)

Each group is written as canonical JSON (keys sorted, no blanks, UTF-8, absent values and empty collections
left out, a marketplace's `enabled` left out while it is true, decimals as plain strings with no exponent or
trailing zeros, no floats anywhere) and hashed with SHA-256. Nothing depends on `hash()` or on the order a
seller gave things in, so the digests are the same in every process.

`canonical_json` (the standard library's encoder) defines the bytes. Imports hash every row, so the groups
are built already in key order and written by pydantic-core's serializer, which gives the same bytes for
such data; tests hold the two equal over generated products, and golden digests catch any drift.
"""

from __future__ import annotations

import json
from decimal import Decimal
from hashlib import sha256
from typing import TYPE_CHECKING, Any

from pydantic_core import to_json

if TYPE_CHECKING:
    from catalog.product import Product

GROUPS = ("content", "price", "quantity", "images")

_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def plain(value: Decimal) -> str:
    """A decimal's canonical text: 12.50 -> "12.5", 1E+2 -> "100", 0.0 -> "0"."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def canonical_json(value: Any) -> bytes:
    """The canonical UTF-8 JSON of plain data (dicts, lists, str, int, bool): the definition of the hashes."""
    return _ENCODER.encode(value).encode("utf-8")


def _fast_json(value: Any) -> bytes:
    """`canonical_json` for data whose dicts are already in key order, from pydantic-core's serializer.

    Its output equals the standard library's for such data (compact separators, the same escapes, UTF-8
    kept as is); a test holds the two equal, and the golden digests pin them.
    """
    return to_json(value)


def _localized(text: Any) -> dict[str, str]:
    out = {}
    if text.description is not None:
        out["description"] = text.description
    if text.title is not None:
        out["title"] = text.title
    return out


def groups(product: Product) -> dict[str, dict[str, Any]]:
    """The canonical plain-data form of each field group of `product`, every dict built in key order.

    Straight-line code rather than a generic walk, because it runs for every imported row; a test checks
    that its output is what sorting the keys would give.
    """
    f = product.__dict__
    a, e, t = f["amazon"], f["ebay"], f["tmall"]
    content: dict[str, Any] = {}
    if a is not None:
        part: dict[str, Any] = {}
        if not a.enabled:
            part["enabled"] = False
        if a.product_type is not None:
            part["product_type"] = a.product_type
        if a.title is not None:
            part["title"] = a.title
        if part:
            content["amazon"] = part
    if f["attributes"]:
        content["attributes"] = dict(sorted(f["attributes"].items()))
    if f["brand"] is not None:
        content["brand"] = f["brand"]
    content["condition"] = f["condition"].value
    if f["description"] is not None:
        content["description"] = f["description"]
    if e is not None:
        part = {}
        if e.category_id is not None:
            part["category_id"] = e.category_id
        if not e.enabled:
            part["enabled"] = False
        if e.title is not None:
            part["title"] = e.title
        if part:
            content["ebay"] = part
    if f["gtin"] is not None:
        content["gtin"] = f["gtin"]
    if f["localized"]:
        content["localized"] = {tag: _localized(text) for tag, text in sorted(f["localized"].items())}
    if f["mpn"] is not None:
        content["mpn"] = f["mpn"]
    if f["parent_sku"] is not None:
        content["parent_sku"] = f["parent_sku"]
    content["title"] = f["title"]
    if t is not None:
        part = {}
        if t.cid is not None:
            part["cid"] = t.cid
        if not t.enabled:
            part["enabled"] = False
        if t.props is not None:
            part["props"] = t.props
        if part:
            content["tmall"] = part
    if f["variation_theme"] is not None:
        content["variation_theme"] = f["variation_theme"]

    price: dict[str, Any] = {}
    if a is not None and a.price is not None:
        price["amazon"] = {"price": plain(a.price)}
    price["currency"] = f["currency"]
    if e is not None and e.price is not None:
        price["ebay"] = {"price": plain(e.price)}
    price["price"] = plain(f["price"])
    if t is not None and t.price_cny is not None:
        price["tmall"] = {"price_cny": plain(t.price_cny)}

    quantity: dict[str, Any] = {}
    if a is not None and a.quantity_buffer is not None:
        quantity["amazon"] = {"quantity_buffer": a.quantity_buffer}
    quantity["quantity"] = f["quantity"]
    return {
        "content": content,
        "price": price,
        "quantity": quantity,
        "images": {"image_urls": f["image_urls"]},
    }


def content_hashes(product: Product) -> dict[str, str]:
    """SHA-256 hex digest of each field group's canonical JSON, keyed by group name."""
    g = groups(product)
    return {
        "content": sha256(_fast_json(g["content"])).hexdigest(),
        "price": sha256(_fast_json(g["price"])).hexdigest(),
        "quantity": sha256(_fast_json(g["quantity"])).hexdigest(),
        "images": sha256(_fast_json(g["images"])).hexdigest(),
    }
