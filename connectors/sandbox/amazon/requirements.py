"""What a listing must carry, per product type, and the value checks Amazon applies: issues in Amazon's shape.

Codes 90220 (missing), 99022 (not enough values), 18448 (recommended attributes missing) and 4000001 (invalid
value) are the ones Amazon uses for these cases; 4000002 (unknown product type) and 4000003 (invalid product
identifier) are this sandbox's own, in the same shape.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from connectors.sandbox.amazon.identifiers import identifier_problem
from connectors.sandbox.amazon.marketplaces import MARKETPLACES

MISSING, NOT_ENOUGH, RECOMMENDED, INVALID = "90220", "99022", "18448", "4000001"
UNKNOWN_PRODUCT_TYPE, BAD_IDENTIFIER = "4000002", "4000003"

CONDITIONS = (
    "new_new", "new_open_box", "new_oem", "refurbished_refurbished", "used_like_new", "used_very_good",
    "used_good", "used_acceptable", "collectible_like_new", "collectible_very_good", "collectible_good",
    "collectible_acceptable", "club_club",
)  # fmt: skip
IDENTIFIER = "externally_assigned_product_identifier"
EXEMPTION = "supplier_declared_has_product_identifier_exemption"
SUGGESTED_ASIN = "merchant_suggested_asin"
PRODUCT_FACTS = ("item_name", "brand", IDENTIFIER, "main_product_image_locator")
SALES_TERMS = ("condition_type", "purchasable_offer", "fulfillment_availability")
RECOMMENDED_FACTS = ("product_description", "bullet_point")
IMAGES = (
    "main_product_image_locator",
    "swatch_product_image_locator",
    *(f"other_product_image_locator_{i}" for i in range(1, 9)),
)
TEXT_LIMITS = {"item_name": 200, "brand": 100, "product_description": 2000, "bullet_point": 500}
LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}_[A-Z]{2}$")
ASIN = re.compile(r"^[A-Z0-9]{10}$")


@dataclass(frozen=True)
class ProductType:
    """A product type and the attributes it needs beyond the common ones."""

    name: str
    extra: tuple[str, ...] = ()


PRODUCT_TYPES: dict[str, ProductType] = {
    t.name: t
    for t in (
        ProductType("PRODUCT"),
        ProductType("SHOES", ("color", "size", "department")),
        ProductType("SHIRT", ("color", "size", "department")),
        ProductType("HANDBAG", ("color", "material")),
        ProductType("LUGGAGE", ("color", "material")),
        ProductType("WATCH", ("color", "material")),
        ProductType("SUNGLASSES", ("color",)),
        ProductType("HAT", ("color", "size")),
        ProductType("WALLET", ("color", "material")),
        ProductType("HOME", ()),
        ProductType("COAT", ("color", "size", "department")),
        ProductType("HEADPHONES", ("color",)),
        ProductType("SPEAKERS", ("color",)),
        ProductType("KITCHEN", ()),
        ProductType("TEA", ()),
        ProductType("TOY_BUILDING_BLOCK", ()),
    )
}


def issue(
    code: str, message: str, attribute: str | None, category: str, severity: str = "ERROR"
) -> dict[str, Any]:
    """One submission issue, shaped as the Listings Items model's `Issue`."""
    return {
        "code": code,
        "message": message,
        "severity": severity,
        "attributeNames": [attribute] if attribute else [],
        "categories": [category],
    }


def missing(attribute: str) -> dict[str, Any]:
    return issue(MISSING, f"'{attribute}' is required but not supplied.", attribute, "MISSING_ATTRIBUTE")


def invalid(attribute: str, why: str, category: str = "INVALID_ATTRIBUTE") -> dict[str, Any]:
    return issue(INVALID, f"The provided value for '{attribute}' is invalid: {why}", attribute, category)


def required_attributes(product_type: ProductType, requirements: str) -> list[str]:
    """The attributes a submission of `requirements` (LISTING, LISTING_PRODUCT_ONLY, ...) must carry."""
    facts = [*PRODUCT_FACTS, *product_type.extra]
    if requirements == "LISTING_PRODUCT_ONLY":
        return facts
    if requirements == "LISTING_OFFER_ONLY":
        return [IDENTIFIER, *SALES_TERMS]
    return [*facts, *SALES_TERMS]


def listing_issues(
    product_type: str,
    requirements: str,
    attributes: Mapping[str, Any],
    marketplace_ids: Sequence[str],
) -> list[dict[str, Any]]:
    """Every issue Amazon would raise for these attributes: errors make the submission INVALID."""
    kind = PRODUCT_TYPES.get(product_type)
    if kind is None:
        known = ", ".join(sorted(PRODUCT_TYPES))
        message = f"The product type '{product_type}' is not supported (this sandbox knows {known})."
        return [issue(UNKNOWN_PRODUCT_TYPE, message, None, "INVALID_ATTRIBUTE")]
    found: list[dict[str, Any]] = []
    for name, value in attributes.items():
        found.extend(_value_issues(name, value, marketplace_ids))
    for name in required_attributes(kind, requirements):
        if name in attributes:
            continue
        if name == IDENTIFIER and (_exempt(attributes) or SUGGESTED_ASIN in attributes):
            continue
        found.append(missing(name))
    if requirements != "LISTING_OFFER_ONLY":
        absent = [name for name in RECOMMENDED_FACTS if name not in attributes]
        if absent:
            message = (
                "Attributes tagged as relevant_attributes are incomplete. Provide values for the following "
                f"attribute(s): {', '.join(absent)}"
            )
            warning = issue(RECOMMENDED, message, None, "MISSING_ATTRIBUTE", "WARNING")
            warning["attributeNames"] = absent
            found.append(warning)
    return found


def _exempt(attributes: Mapping[str, Any]) -> bool:
    entries = attributes.get(EXEMPTION)
    return isinstance(entries, list) and any(isinstance(e, dict) and e.get("value") is True for e in entries)


def _value_issues(name: str, value: Any, marketplace_ids: Sequence[str]) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
        return [invalid(name, "an attribute is a list of objects")]
    if not value:
        message = (
            f"The field 'value' for the attribute '{name}' does not have enough values. "
            "The required minimum is '1' value(s)."
        )
        return [issue(NOT_ENOUGH, message, name, "INVALID_ATTRIBUTE")]
    found = []
    for entry in value:
        marketplace = entry.get("marketplace_id")
        if marketplace is not None and marketplace not in marketplace_ids:
            found.append(
                invalid(name, f"marketplace_id {marketplace!r} is not a marketplace of this submission")
            )
        tag = entry.get("language_tag")
        if tag is not None and not (isinstance(tag, str) and LANGUAGE_TAG.match(tag)):
            found.append(invalid(name, f"language_tag {tag!r} is not like 'en_US'"))
        problem = _entry_problem(
            name, entry, marketplace or (marketplace_ids[0] if marketplace_ids else None)
        )
        if problem is not None:
            found.append(problem)
    return found


def _entry_problem(name: str, entry: dict[str, Any], marketplace: str | None) -> dict[str, Any] | None:
    """The first problem with one value of attribute `name`, or None."""
    value = entry.get("value")
    if name in TEXT_LIMITS or name in ("color", "size", "department", "material"):
        if not isinstance(value, str) or not value.strip():
            return invalid(name, "'value' must be a non-empty string")
        limit = TEXT_LIMITS.get(name)
        if limit and len(value) > limit:
            return invalid(name, f"'value' is {len(value)} characters long, at most {limit} are allowed")
    elif name == "condition_type":
        if value not in CONDITIONS:
            return invalid(name, f"{value!r} is not one of {', '.join(CONDITIONS)}")
    elif name == IDENTIFIER:
        kind, code = entry.get("type"), entry.get("value")
        why = (
            identifier_problem(kind, code)
            if isinstance(kind, str) and isinstance(code, str)
            else "'type' and 'value' must be strings"
        )
        if why:
            return issue(
                BAD_IDENTIFIER, f"The product identifier is invalid: {why}.", name, "INVALID_ATTRIBUTE"
            )
    elif name == SUGGESTED_ASIN:
        if not (isinstance(value, str) and ASIN.match(value)):
            return invalid(name, f"{value!r} is not an ASIN")
    elif name == EXEMPTION:
        if not isinstance(value, bool):
            return invalid(name, "'value' must be true or false")
    elif name == "purchasable_offer":
        return _offer_problem(entry, marketplace)
    elif name == "fulfillment_availability":
        return _availability_problem(entry)
    elif name in IMAGES:
        url = entry.get("media_location")
        parts = urlsplit(url) if isinstance(url, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
            return invalid(name, f"media_location {url!r} is not an http(s) URL", "INVALID_IMAGE")
    return None


def _offer_problem(entry: dict[str, Any], marketplace: str | None) -> dict[str, Any] | None:
    name = "purchasable_offer"
    currency = entry.get("currency")
    expected = MARKETPLACES[marketplace].currency if marketplace in MARKETPLACES else None
    if not isinstance(currency, str) or currency != expected:
        return invalid(
            name, f"currency {currency!r} is not the marketplace's currency {expected!r}", "INVALID_PRICE"
        )
    prices = entry.get("our_price")
    if not isinstance(prices, list) or not prices:
        message = (
            f"The field 'our_price' for the attribute '{name}' does not have enough values. "
            "The required minimum is '1' value(s)."
        )
        return issue(NOT_ENOUGH, message, f"{name}.our_price", "MISSING_PRICE")
    for price in prices:
        schedule = price.get("schedule") if isinstance(price, dict) else None
        if not isinstance(schedule, list) or not schedule:
            return invalid(name, "our_price needs a non-empty 'schedule'", "INVALID_PRICE")
        for step in schedule:
            amount = step.get("value_with_tax") if isinstance(step, dict) else None
            if isinstance(amount, bool) or not isinstance(amount, int | float) or amount <= 0:
                return invalid(name, f"value_with_tax {amount!r} must be a number above 0", "INVALID_PRICE")
    return None


def _availability_problem(entry: dict[str, Any]) -> dict[str, Any] | None:
    name = "fulfillment_availability"
    channel = entry.get("fulfillment_channel_code")
    if not isinstance(channel, str) or not channel:
        return invalid(name, "'fulfillment_channel_code' is required, e.g. 'DEFAULT'")
    quantity = entry.get("quantity")
    if channel == "DEFAULT" and quantity is None:
        return invalid(name, "'quantity' is required for the DEFAULT (seller-fulfilled) channel")
    if quantity is not None and (isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0):
        return invalid(name, f"quantity {quantity!r} must be a whole number of at least 0")
    return None
