"""Product -> eBay Sell Inventory payloads: the inventory item and its fixed-price offer."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from connectors.errors import PermanentError

if TYPE_CHECKING:
    from catalog.product import Product

MAX_IMAGES = 24
MAX_TITLE = 80

CONDITIONS = {
    "new": "NEW",
    "used_like_new": "LIKE_NEW",
    "used_very_good": "USED_VERY_GOOD",
    "used_good": "USED_GOOD",
    "used_acceptable": "USED_ACCEPTABLE",
    "refurbished": "SELLER_REFURBISHED",
}

_BULLET = re.compile(r"^bullet(?:_point)?(?:_\d+)?$")


@dataclass(frozen=True)
class OfferSettings:
    """The account's offer defaults: site, business policies, inventory location, fallback category."""

    marketplace_id: str = "EBAY_US"
    fulfillment_policy_id: str | None = None
    payment_policy_id: str | None = None
    return_policy_id: str | None = None
    merchant_location_key: str | None = None
    default_category_id: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


def title(product: Product) -> str:
    """The listing title: `ebay.title` when set, else the catalogue title (unchecked)."""
    ov = product.ebay
    return ov.title if ov is not None and ov.title else product.title


def _title(product: Product) -> str:
    ov = product.ebay
    text = title(product)
    if len(text) > MAX_TITLE:
        field_name = "ebay.title" if ov is not None and ov.title else "title"
        raise PermanentError(
            "TITLE_TOO_LONG",
            f"SKU {product.sku}: eBay titles hold at most {MAX_TITLE} characters, this one has {len(text)}; "
            "set a shorter ebay.title",
            field_name,
        )
    return text


def identifiers(gtin: str | None) -> dict[str, list[str]]:
    """eBay's product identifier lists for a GTIN: UPC-12, else EAN (GTIN-14 with a leading 0 shortened)."""
    if not gtin:
        return {}
    if len(gtin) == 12:
        return {"upc": [gtin]}
    if len(gtin) == 14 and gtin.startswith("0"):
        gtin = gtin[1:]
    return {"ean": [gtin]}


def inventory_item(product: Product, locale: str = "en_US") -> dict[str, Any]:
    """One `requests[]` element of bulkCreateOrReplaceInventoryItem (sku, locale, product, condition...)."""
    aspects: dict[str, list[str]] = {
        k: [v] for k, v in sorted((product.attributes or {}).items()) if not _BULLET.match(k) and v
    }
    if product.brand:
        aspects.setdefault("Brand", [product.brand])
    if product.mpn:
        aspects.setdefault("MPN", [product.mpn])
    body: dict[str, Any] = {"title": _title(product)}
    if product.description:
        body["description"] = product.description
    if aspects:
        body["aspects"] = aspects
    if product.brand:
        body["brand"] = product.brand
    if product.mpn:
        body["mpn"] = product.mpn
    body.update(identifiers(product.gtin))
    if product.image_urls:
        body["imageUrls"] = list(product.image_urls[:MAX_IMAGES])
    return {
        "sku": product.sku,
        "locale": locale,
        "product": body,
        "condition": CONDITIONS[str(product.condition)],
        "availability": {"shipToLocationAvailability": {"quantity": product.quantity}},
    }


def price(product: Product) -> dict[str, str]:
    """eBay's Amount: the override price or the catalogue one, as a decimal string."""
    ov = product.ebay
    value = ov.price if ov is not None and ov.price is not None else product.price
    return {"value": f"{value:.2f}", "currency": product.currency}


def offer_details(product: Product, settings: OfferSettings) -> dict[str, Any]:
    """The offer's own fields (category, price, quantity, business policies, inventory location), as both
    bulkCreateOffer and updateOffer take them."""
    ov = product.ebay
    category = ov.category_id if ov is not None and ov.category_id else settings.default_category_id
    if not category:
        raise PermanentError(
            "MISSING_CATEGORY",
            f"SKU {product.sku}: eBay needs a category; set ebay.category_id",
            "ebay.category_id",
        )
    policies = {
        k: v
        for k, v in (
            ("fulfillmentPolicyId", settings.fulfillment_policy_id),
            ("paymentPolicyId", settings.payment_policy_id),
            ("returnPolicyId", settings.return_policy_id),
        )
        if v
    }
    body: dict[str, Any] = {
        "categoryId": category,
        "pricingSummary": {"price": price(product)},
        "availableQuantity": product.quantity,
    }
    if policies:
        body["listingPolicies"] = policies
    if settings.merchant_location_key:
        body["merchantLocationKey"] = settings.merchant_location_key
    return body


def offer(product: Product, settings: OfferSettings) -> dict[str, Any]:
    """One `requests[]` element of bulkCreateOffer: a fixed-price offer for the SKU."""
    head = {"sku": product.sku, "marketplaceId": settings.marketplace_id, "format": "FIXED_PRICE"}
    return {**head, **offer_details(product, settings)}


def offer_update(product: Product, settings: OfferSettings) -> dict[str, Any]:
    """The body of updateOffer for the SKU's fixed-price offer.

    updateOffer replaces the whole offer, so it carries every field the offer was created with, plus the
    two eBay filled in at publishing: the duration (GTC) and the description, which a published offer's
    update must carry (the product's description, as eBay took it from the inventory item).
    """
    if not product.description:
        raise PermanentError(
            "MISSING_DESCRIPTION",
            f"SKU {product.sku}: eBay needs a description to revise a live offer; set description",
            "description",
        )
    return {
        **offer_details(product, settings),
        "listingDescription": product.description,
        "listingDuration": "GTC",
    }


def price_quantity(product: Product, offer_id: str) -> dict[str, Any]:
    """One `requests[]` element of bulkUpdatePriceQuantity for a SKU and its offer."""
    return {
        "sku": product.sku,
        "shipToLocationAvailability": {"quantity": product.quantity},
        "offers": [{"offerId": offer_id, "availableQuantity": product.quantity, "price": price(product)}],
    }
