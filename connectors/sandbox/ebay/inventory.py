"""Inventory item calls: create or replace, get, delete, list, and their bulk forms.

Each function does the work of one call on the seller's data (the caller holds the store's lock) and answers
`(status, body)`, or raises `ApiError` with eBay's errors.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.sandbox.ebay import errors, listings
from connectors.sandbox.ebay.model import Operation
from connectors.sandbox.ebay.problems import Problem, problem
from connectors.sandbox.ebay.state import Item, Store

Answer = tuple[int, Any]


def _not_found(op: Operation, sku: str) -> errors.ApiError:
    return errors.ApiError(404, [problem(op, 25710, "sku", additionalInfo=sku).as_error()])


def view(item: Item) -> dict[str, Any]:
    return {**item.data, "sku": item.sku, "locale": item.locale}


def put(
    store: Store, op: Operation, seller_id: str, sku: str, body: Mapping[str, Any], locale: str
) -> Answer:
    """Create or wholly replace the SKU's inventory item; live listings of the SKU are revised with it."""
    seller = store.seller(seller_id)
    data = dict(body)
    if data.get("condition") == "MANUFACTURER_REFURBISHED":
        data["condition"] = "CERTIFIED_REFURBISHED"
    item = Item(sku, locale, data)
    live = seller.live(sku)
    if live:
        found = []
        for listing in live:
            offer = seller.offers[listing.offer_id]
            found += listings.requirements(store, seller, op, offer, item, offer.data, publishing=False)
        if found:
            raise errors.ApiError(400, found)
        store.check_revisable(live)
    existed = sku in seller.items
    seller.items[sku] = item
    store.note(seller_id, sku, "item_replaced" if existed else "item_created")
    store.ledger.updated(seller_id, sku)
    if live:
        store.count_revision(live)
        listings.refresh(store, seller_id, sku)
    return 204, None


def get(store: Store, op: Operation, seller_id: str, sku: str) -> Answer:
    item = store.seller(seller_id).items.get(sku)
    if item is None:
        raise _not_found(op, sku)
    return 200, view(item)


def delete(store: Store, op: Operation, seller_id: str, sku: str) -> Answer:
    """Delete the item and its offers, ending any listing made from them."""
    seller = store.seller(seller_id)
    if sku not in seller.items:
        raise _not_found(op, sku)
    ended = False
    for offer in seller.offers_of(sku):
        ended = listings.end(store, seller_id, offer, "ended_by_item_delete") is not None or ended
        seller.remove_offer(offer)
    del seller.items[sku]
    store.note(seller_id, sku, "item_deleted")
    if not ended:
        store.ledger.updated(seller_id, sku)
    return 204, None


def page(base: str, total: int, limit: int, offset: int) -> dict[str, Any]:
    """Paging fields; `offset` is a page number, as the model defines it for these calls."""
    out: dict[str, Any] = {"href": f"{base}?limit={limit}&offset={offset}", "limit": limit, "total": total}
    if (offset + 1) * limit < total:
        out["next"] = f"{base}?limit={limit}&offset={offset + 1}"
    if offset > 0:
        out["prev"] = f"{base}?limit={limit}&offset={offset - 1}"
    return out


def listing_page(store: Store, op: Operation, seller_id: str, base: str, limit: int, offset: int) -> Answer:
    items = list(store.seller(seller_id).items.values())
    chosen = items[offset * limit : (offset + 1) * limit]
    body = page(base, len(items), limit, offset)
    body["size"] = len(chosen)
    body["inventoryItems"] = [view(item) for item in chosen]
    return 200, body


def _failed(entry: dict[str, Any], status: int, errs: list[dict[str, Any]]) -> dict[str, Any]:
    return {**entry, "statusCode": status, "errors": errs}


def bulk_put(
    store: Store, op: Operation, seller_id: str, body: Mapping[str, Any], bad: Mapping[int, list[Problem]]
) -> Answer:
    """Create or replace up to 25 items; each entry succeeds or fails on its own."""
    responses = []
    for i, entry in enumerate(body["requests"]):
        head = {"sku": entry["sku"], "locale": entry["locale"]}
        if i in bad:
            responses.append(_failed(head, 400, [p.as_error() for p in bad[i]]))
            continue
        data = {k: v for k, v in entry.items() if k not in ("sku", "locale")}
        try:
            put(store, op, seller_id, entry["sku"], data, entry["locale"])
        except errors.ApiError as refused:
            responses.append(_failed(head, refused.status, refused.errors))
        else:
            responses.append({**head, "statusCode": 200})
    return multi_status(responses), {"responses": responses}


def bulk_get(store: Store, op: Operation, seller_id: str, body: Mapping[str, Any]) -> Answer:
    seller = store.seller(seller_id)
    responses = []
    for entry in body["requests"]:
        sku = entry["sku"]
        item = seller.items.get(sku)
        if item is None:
            message = problem(op, 25702, "sku", additionalInfo=sku).as_error()
            responses.append({"sku": sku, "statusCode": 404, "errors": [message]})
        else:
            responses.append({"sku": sku, "statusCode": 200, "inventoryItem": view(item)})
    return multi_status(responses), {"responses": responses}


def multi_status(responses: list[dict[str, Any]]) -> int:
    """200 when every entry succeeded, 207 (multi-status) otherwise."""
    return 200 if all(r["statusCode"] == 200 for r in responses) else 207
