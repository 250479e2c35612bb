"""Product -> Amazon listing attributes (Listings Items 2021-08-01 and JSON_LISTINGS_FEED messages)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from connectors.errors import PermanentError

if TYPE_CHECKING:
    from catalog.product import Product

MAX_OTHER_IMAGES = 8

CONDITIONS = {
    "new": "new_new",
    "used_like_new": "used_like_new",
    "used_very_good": "used_very_good",
    "used_good": "used_good",
    "used_acceptable": "used_acceptable",
    "refurbished": "refurbished_refurbished",
}

_BULLET = re.compile(r"^bullet(?:_point)?(?:_(\d+))?$")

# Catalogue attributes (matched case-insensitively, spaces as "_") sent as Amazon's plain text attributes;
# product types such as SHOES or LUGGAGE require some of them.
TEXT_ATTRIBUTES = frozenset(
    {"color", "size", "material", "department", "style", "pattern", "model_name", "model_number"}
)


@dataclass(frozen=True)
class AmazonListing:
    """What a put (or a feed UPDATE message) sends for one SKU."""

    sku: str
    product_type: str
    attributes: dict[str, Any]


def identifier_type(gtin: str) -> str:
    """Amazon's name for a GTIN by its length: UPC-12, EAN-8/13, GTIN-14."""
    return {12: "upc", 13: "ean", 8: "ean", 14: "gtin"}.get(len(gtin), "gtin")


def price_value(price: Decimal) -> float:
    """A JSON number for a price: Amazon's model types `value_with_tax` as number."""
    return float(price)


def offer_attributes(product: Product, marketplace_id: str) -> dict[str, Any]:
    """The sales terms alone: price and quantity (what a price/quantity patch replaces)."""
    ov = product.amazon
    price = ov.price if ov is not None and ov.price is not None else product.price
    buffer = ov.quantity_buffer if ov is not None and ov.quantity_buffer else 0
    return {
        "purchasable_offer": [
            {
                "marketplace_id": marketplace_id,
                "currency": product.currency,
                "our_price": [{"schedule": [{"value_with_tax": price_value(price)}]}],
            }
        ],
        "fulfillment_availability": [
            {"fulfillment_channel_code": "DEFAULT", "quantity": max(0, product.quantity - buffer)}
        ],
    }


def title(product: Product) -> str:
    """The item name: `amazon.title` when set, else the catalogue title."""
    ov = product.amazon
    return ov.title if ov is not None and ov.title else product.title


def attributes(product: Product, marketplace_id: str, language_tag: str = "en_US") -> dict[str, Any]:
    """Every attribute listing-sync manages for `product`, in Amazon's array-of-objects form."""
    text = {"language_tag": language_tag, "marketplace_id": marketplace_id}
    out: dict[str, Any] = {
        "item_name": [{"value": title(product), **text}],
        "condition_type": [{"value": CONDITIONS[str(product.condition)], "marketplace_id": marketplace_id}],
    }
    if product.brand:
        out["brand"] = [{"value": product.brand, **text}]
    if product.gtin:
        out["externally_assigned_product_identifier"] = [
            {"type": identifier_type(product.gtin), "value": product.gtin, "marketplace_id": marketplace_id}
        ]
    if product.mpn:
        out["part_number"] = [{"value": product.mpn, "marketplace_id": marketplace_id}]
    if product.description:
        out["product_description"] = [{"value": product.description, **text}]
    bullets = sorted(
        ((int(m.group(1) or 0), v) for k, v in (product.attributes or {}).items() if (m := _BULLET.match(k))),
        key=lambda kv: kv[0],
    )
    if bullets:
        out["bullet_point"] = [{"value": v, **text} for _, v in bullets]
    for key, value in sorted((product.attributes or {}).items()):
        name = key.strip().lower().replace(" ", "_")
        if name in TEXT_ATTRIBUTES and name not in out:
            out[name] = [{"value": value, **text}]
    out.update(offer_attributes(product, marketplace_id))
    images = list(product.image_urls or [])
    if images:
        out["main_product_image_locator"] = [{"media_location": images[0], "marketplace_id": marketplace_id}]
        for i, url in enumerate(images[1 : 1 + MAX_OTHER_IMAGES], start=1):
            out[f"other_product_image_locator_{i}"] = [
                {"media_location": url, "marketplace_id": marketplace_id}
            ]
    return out


def product_type(product: Product, default: str) -> str:
    """The Amazon product type: the seller's override, else the connector's default."""
    ov = product.amazon
    return ov.product_type if ov is not None and ov.product_type else default


def listing(
    product: Product, marketplace_id: str, default_product_type: str, language_tag: str = "en_US"
) -> AmazonListing:
    """The full listing for a put or feed UPDATE."""
    if not product.title and not (product.amazon and product.amazon.title):
        raise PermanentError("MISSING_TITLE", f"SKU {product.sku} has no title", "title")
    return AmazonListing(
        product.sku,
        product_type(product, default_product_type),
        attributes(product, marketplace_id, language_tag),
    )


def offer_patches(product: Product, marketplace_id: str) -> list[dict[str, Any]]:
    """JSON Patch operations replacing price and quantity only."""
    return [
        {"op": "replace", "path": f"/attributes/{name}", "value": value}
        for name, value in offer_attributes(product, marketplace_id).items()
    ]
