"""bulkUpdatePriceQuantity: ship-to-home quantities of items and prices / quantities of offers.

Every change answers on its own line (one per SKU quantity, one per offer), so a call can partly succeed
(207). A live listing touched by the call counts one revision, however many of its fields change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from connectors.sandbox.ebay import errors, listings, rules
from connectors.sandbox.ebay.inventory import multi_status
from connectors.sandbox.ebay.model import Operation
from connectors.sandbox.ebay.problems import Problem, problem
from connectors.sandbox.ebay.state import PUBLISHED, Item, Listing, Store

Answer = tuple[int, Any]


def _revise(store: Store, live: list[Listing], counted: set[str]) -> None:
    fresh = [listing for listing in live if listing.listing_id not in counted]
    store.check_revisable(fresh)
    counted.update(listing.listing_id for listing in fresh)


def _quantity(
    store: Store, op: Operation, seller_id: str, sku: str, ship: Mapping[str, Any], counted: set[str]
) -> dict[str, Any]:
    seller = store.seller(seller_id)
    item = seller.items.get(sku)
    if item is None:
        raise errors.ApiError(404, [problem(op, 25702, "sku", additionalInfo=sku).as_error()])
    availability = {**(item.data.get("availability") or {}), "shipToLocationAvailability": dict(ship)}
    changed = Item(sku, item.locale, {**item.data, "availability": availability})
    live = seller.live(sku)
    found = []
    for listing in live:
        offer = seller.offers[listing.offer_id]
        found += listings.requirements(store, seller, op, offer, changed, offer.data, publishing=False)
    if found:
        raise errors.ApiError(400, found)
    _revise(store, live, counted)
    seller.items[sku] = changed
    return {"sku": sku, "statusCode": 200}


def _offer(
    store: Store, op: Operation, seller_id: str, sku: str | None, change: Mapping[str, Any], counted: set[str]
) -> dict[str, Any]:
    seller = store.seller(seller_id)
    offer_id = change["offerId"]
    offer = seller.offers.get(offer_id)
    if offer is None:
        raise errors.ApiError(404, [problem(op, 25713, "offerId", additionalInfo=offer_id).as_error()])
    if sku is not None and offer.sku != sku:
        info = f"Offer {offer_id} is for SKU {offer.sku}, not {sku}."
        raise errors.ApiError(400, [problem(op, 25709, "offerId", additionalInfo=info).as_error()])
    data = dict(offer.data)
    if "availableQuantity" in change:
        data["availableQuantity"] = change["availableQuantity"]
    if "price" in change:
        data["pricingSummary"] = {**(data.get("pricingSummary") or {}), "price": change["price"]}
    found = [p.as_error() for p in rules.offer(op, data, offer.format)]
    live = [seller.listings[offer.listing_id]] if offer.status == PUBLISHED and offer.listing_id else []
    if live and not found:
        item = seller.items[offer.sku]
        found = listings.requirements(store, seller, op, offer, item, data, publishing=False)
    if found:
        raise errors.ApiError(400, found)
    _revise(store, live, counted)
    offer.data = data
    return {"offerId": offer_id, "sku": offer.sku, "statusCode": 200}


def _attempt(head: dict[str, Any], run: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    try:
        return run()
    except errors.ApiError as refused:
        return {
            **{k: v for k, v in head.items() if v is not None},
            "statusCode": refused.status,
            "errors": refused.errors,
        }


def _refused(entry: Mapping[str, Any], found: list[Problem]) -> list[dict[str, Any]]:
    errs = [p.as_error() for p in found]
    heads = [{"offerId": change.get("offerId")} for change in entry.get("offers") or []]
    if "shipToLocationAvailability" in entry or not heads:
        heads.insert(0, {})
    sku = {"sku": entry["sku"]} if entry.get("sku") else {}
    return [
        {**sku, **{k: v for k, v in head.items() if v}, "statusCode": 400, "errors": errs} for head in heads
    ]


def update(
    store: Store, op: Operation, seller_id: str, body: Mapping[str, Any], bad: Mapping[int, list[Problem]]
) -> Answer:
    seller = store.seller(seller_id)
    responses: list[dict[str, Any]] = []
    counted: set[str] = set()
    for i, entry in enumerate(body["requests"]):
        if i in bad:
            responses += _refused(entry, bad[i])
            continue
        sku = entry.get("sku")
        if "shipToLocationAvailability" in entry:
            ship = entry["shipToLocationAvailability"]
            run = partial(_quantity, store, op, seller_id, sku, ship, counted)
            responses.append(_attempt({"sku": sku}, run))
        for change in entry.get("offers") or []:
            run = partial(_offer, store, op, seller_id, sku, change, counted)
            responses.append(_attempt({"offerId": change.get("offerId"), "sku": sku}, run))
    touched = dict.fromkeys(r["sku"] for r in responses if r["statusCode"] == 200)
    for sku in touched:
        store.note(seller_id, sku, "price_quantity_updated")
        store.ledger.updated(seller_id, sku)
    store.count_revision([seller.listings[listing_id] for listing_id in counted])
    for sku in touched:
        listings.refresh(store, seller_id, sku)
    return multi_status(responses), {"responses": responses}
