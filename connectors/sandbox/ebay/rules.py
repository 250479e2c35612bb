"""Rules the model states in prose that a single request can break: counts, required keys, formats.

Each function returns problems worded with the model's own error texts. Rules that need the seller's data
(an offer's format on update, whether a SKU exists) are the sandbox's, not these.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from connectors.sandbox.ebay.model import Operation
from connectors.sandbox.ebay.problems import Problem, problem

BULK_LIMIT = 25
MAX_PICTURES = 24
_SKU = re.compile(r"^[!-~]{1,50}$")
_SKU_UNSAFE = set("/?#%")
_AMOUNT = re.compile(r"^\d+(\.\d+)?$")


def sku(op: Operation, value: Any, field: str, item: int | None = None) -> list[Problem]:
    """1 to 50 visible ASCII characters, none of which breaks a URL path (`/ ? # %`)."""
    if isinstance(value, str) and _SKU.match(value) and not _SKU_UNSAFE & set(value):
        return []
    return [problem(op, 25707, field, item=item)]


def pictures(op: Operation, product: Any, where: str, item: int | None = None) -> list[Problem]:
    """At most 24 picture URLs, each HTTPS."""
    if not isinstance(product, Mapping) or not isinstance(product.get("imageUrls"), list):
        return []
    urls = product["imageUrls"]
    found = []
    if len(urls) > MAX_PICTURES:
        found.append(
            problem(
                op, 25014, f"{where}imageUrls", item=item, additionalInfo=f"At most {MAX_PICTURES} pictures."
            )
        )
    for i, url in enumerate(urls):
        if not (isinstance(url, str) and url.lower().startswith("https://") and len(url) > len("https://")):
            found.append(
                problem(
                    op,
                    25015,
                    f"{where}imageUrls[{i}]",
                    item=item,
                    additionalInfo=f"Picture URLs must use HTTPS: {str(url)[:200]!r}.",
                )
            )
    return found


def amounts(op: Operation, container: Any, where: str, item: int | None = None) -> list[Problem]:
    """Every Amount under `container` has a non-negative decimal `value` and a `currency`."""
    found: list[Problem] = []
    if not isinstance(container, Mapping):
        return found
    for name, value in container.items():
        if not isinstance(value, Mapping) or not ({"value", "currency"} & set(value)):
            continue
        field = f"{where}{name}"
        if not _AMOUNT.match(str(value.get("value", ""))):
            found.append(
                problem(op, 25709, f"{field}.value", item=item, additionalInfo="Expected a decimal amount.")
            )
        if "currency" not in value:
            found.append(
                problem(op, 25709, f"{field}.currency", item=item, additionalInfo="A currency is required.")
            )
    return found


def offer(
    op: Operation, body: Mapping[str, Any], fmt: Any, where: str = "", item: int | None = None
) -> list[Problem]:
    """Prices well formed, and the fields a listing format allows (`fmt` None: format unknown here)."""
    found = amounts(op, body.get("pricingSummary"), f"{where}pricingSummary.", item)
    pricing = body.get("pricingSummary") or {}
    duration = body.get("listingDuration")
    policies = body.get("listingPolicies") or {}
    if fmt == "FIXED_PRICE":
        if "auctionStartPrice" in pricing or "auctionReservePrice" in pricing:
            found.append(problem(op, 25758, f"{where}pricingSummary", item=item))
        if duration not in (None, "GTC"):
            found.append(
                problem(op, 25709, f"{where}listingDuration", item=item, additionalInfo="Fixed price is GTC.")
            )
    elif fmt == "AUCTION":
        if duration is None:
            found.append(problem(op, 25755, f"{where}listingDuration", item=item))
        elif duration == "GTC":
            found.append(
                problem(
                    op, 25709, f"{where}listingDuration", item=item, additionalInfo="Auctions have an end."
                )
            )
        if "auctionStartPrice" not in pricing:
            found.append(problem(op, 25757, f"{where}pricingSummary.auctionStartPrice", item=item))
        for key, error_id in (("availableQuantity", 25762), ("quantityLimitPerBuyer", 25763)):
            if key in body:
                found.append(problem(op, error_id, f"{where}{key}", item=item))
        if policies.get("eBayPlusIfEligible"):
            found.append(problem(op, 25764, f"{where}listingPolicies.eBayPlusIfEligible", item=item))
    return found


def _requests(op: Operation, body: Any, too_many: int) -> tuple[list[Any], list[Problem]]:
    entries = body.get("requests") if isinstance(body, Mapping) else None
    if not entries:
        return [], [problem(op, 25709, "requests", additionalInfo="At least one entry is required.")]
    if len(entries) > BULK_LIMIT:
        return entries, [problem(op, too_many, "requests", additionalInfo=str(BULK_LIMIT))]
    return entries, []


def _duplicates(values: Iterable[object]) -> bool:
    seen: set[object] = set()
    for value in values:
        if value in seen:
            return True
        seen.add(value)
    return False


def _put_item(op: Operation, body: Any) -> list[Problem]:
    return pictures(op, body.get("product"), "product.")


def _bulk_items(op: Operation, body: Any) -> list[Problem]:
    entries, found = _requests(op, body, 25727)
    if found:
        return found
    if any(not e.get("sku") or not e.get("locale") for e in entries):
        return [problem(op, 25733, "requests")]
    if _duplicates(e["sku"] for e in entries):
        return [problem(op, 25728, "requests")]
    for i, entry in enumerate(entries):
        found += sku(op, entry["sku"], f"requests[{i}].sku", i)
        found += pictures(op, entry.get("product"), f"requests[{i}].product.", i)
    return found


def _bulk_get(op: Operation, body: Any) -> list[Problem]:
    entries, found = _requests(op, body, 25727)
    if found:
        return found
    for i, entry in enumerate(entries):
        found += [problem(op, 25708, f"requests[{i}].sku")] if not entry.get("sku") else []
    if not found and _duplicates(e["sku"] for e in entries):
        found.append(problem(op, 25734, "requests"))
    return found


def _create_offer(op: Operation, body: Any) -> list[Problem]:
    found = [problem(op, 25709, key) for key in ("sku", "marketplaceId", "format") if not body.get(key)]
    if body.get("sku"):
        found += sku(op, body["sku"], "sku")
    return found + offer(op, body, body.get("format"))


def _update_offer(op: Operation, body: Any) -> list[Problem]:
    return offer(op, body, None)


def _bulk_offers(op: Operation, body: Any) -> list[Problem]:
    entries, found = _requests(op, body, 25730)
    if found:
        return found
    keys = [(e.get("sku"), e.get("marketplaceId"), e.get("format")) for e in entries]
    if _duplicates(keys):
        return [problem(op, 25729, "requests")]
    for i, entry in enumerate(entries):
        where = f"requests[{i}]."
        if not all(keys[i]):
            found.append(problem(op, 25735, where.rstrip("."), item=i))
            continue
        found += sku(op, entry["sku"], f"{where}sku", i)
        found += offer(op, entry, entry["format"], where, i)
    return found


def _bulk_publish(op: Operation, body: Any) -> list[Problem]:
    entries, found = _requests(op, body, 25730)
    if found:
        return found
    for i, entry in enumerate(entries):
        if not entry.get("offerId"):
            found.append(problem(op, 25709, f"requests[{i}].offerId", item=i))
    if _duplicates(e["offerId"] for e in entries if e.get("offerId")):
        found.append(problem(op, 25731, "requests"))
    return found


def _price_quantity(op: Operation, body: Any) -> list[Problem]:
    entries, found = _requests(op, body, 25709)
    if found:
        return found
    offer_ids = [o.get("offerId") for e in entries for o in e.get("offers") or []]
    if _duplicates(i for i in offer_ids if i):
        return [problem(op, 25709, "requests", additionalInfo="Each offerId may appear once.")]
    for i, entry in enumerate(entries):
        where = f"requests[{i}]."
        if not entry.get("offers") and "shipToLocationAvailability" not in entry:
            found.append(problem(op, 25709, where.rstrip("."), item=i, additionalInfo="Nothing to update."))
        if "shipToLocationAvailability" in entry and not entry.get("sku"):
            found.append(problem(op, 25709, f"{where}sku", item=i, additionalInfo="Required with quantity."))
        elif entry.get("sku"):
            found += sku(op, entry["sku"], f"{where}sku", i)
        for j, change in enumerate(entry.get("offers") or []):
            there = f"{where}offers[{j}]."
            if not change.get("offerId"):
                found.append(problem(op, 25709, f"{there}offerId", item=i))
            if "price" not in change and "availableQuantity" not in change:
                found.append(
                    problem(op, 25709, there.rstrip("."), item=i, additionalInfo="Nothing to update.")
                )
            found += amounts(op, {"price": change["price"]} if "price" in change else None, there, i)
    return found


def _create_location(op: Operation, body: Any) -> list[Problem]:
    address = ((body.get("location") or {}).get("address")) or {}
    missing = [] if address.get("country") else ["location.address.country"]
    if not address.get("postalCode") and not (address.get("city") and address.get("stateOrProvince")):
        missing.append("location.address.postalCode")
    return [problem(op, 25801, name) for name in missing]


_RULES: dict[str, Callable[[Operation, Any], list[Problem]]] = {
    "createOrReplaceInventoryItem": _put_item,
    "bulkCreateOrReplaceInventoryItem": _bulk_items,
    "bulkGetInventoryItem": _bulk_get,
    "createOffer": _create_offer,
    "updateOffer": _update_offer,
    "bulkCreateOffer": _bulk_offers,
    "bulkPublishOffer": _bulk_publish,
    "bulkUpdatePriceQuantity": _price_quantity,
    "createInventoryLocation": _create_location,
}


def check(op: Operation, body: Any) -> list[Problem]:
    """The prose rules of `op` for a body that already matches the model's schema."""
    rule = _RULES.get(op.id)
    return rule(op, body) if rule is not None and isinstance(body, Mapping) else []
