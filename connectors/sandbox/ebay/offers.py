"""Offer calls: create, get, list by SKU, update, delete, publish, withdraw, and their bulk forms.

Like `inventory`, each function does one call's work under the store's lock and answers `(status, body)` or
raises `ApiError`. One offer may exist per SKU, marketplace and format: a second createOffer is refused with
errorId 25002 "Offer entity already exists" naming the existing offerId, as eBay does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.sandbox.ebay import errors, listings, rules
from connectors.sandbox.ebay.inventory import multi_status, page
from connectors.sandbox.ebay.model import Operation
from connectors.sandbox.ebay.problems import Problem, problem
from connectors.sandbox.ebay.state import PUBLISHED, Offer, Store

Answer = tuple[int, Any]
_KEYS = ("sku", "marketplaceId", "format")


def _unavailable(op: Operation, offer_id: str) -> errors.ApiError:
    return errors.ApiError(404, [problem(op, 25713, "offerId", additionalInfo=offer_id).as_error()])


def _offer(store: Store, op: Operation, seller_id: str, offer_id: str) -> Offer:
    offer = store.seller(seller_id).offers.get(offer_id)
    if offer is None:
        raise _unavailable(op, offer_id)
    return offer


def view(store: Store, seller_id: str, offer: Offer) -> dict[str, Any]:
    out = {
        **offer.data,
        "offerId": offer.offer_id,
        "sku": offer.sku,
        "marketplaceId": offer.marketplace_id,
        "format": offer.format,
        "status": offer.status,
    }
    if offer.status == PUBLISHED and offer.listing_id is not None:
        listing = store.seller(seller_id).listings[offer.listing_id]
        out["listing"] = {"listingId": listing.listing_id, "listingStatus": listing.status, "soldQuantity": 0}
    return out


def create(store: Store, op: Operation, seller_id: str, body: Mapping[str, Any]) -> Answer:
    seller = store.seller(seller_id)
    sku, marketplace, fmt = (body[key] for key in _KEYS)
    if sku not in seller.items:
        text = problem(op, 25702, "sku", skuValue=sku).as_error()
        raise errors.ApiError(400, [text])
    existing = seller.offer_keys.get((sku, marketplace, fmt))
    if existing is not None:
        refused = errors.error(
            25002, "A user error has occurred. Offer entity already exists.", parameters={"offerId": existing}
        )
        raise errors.ApiError(400, [refused])
    data = {k: v for k, v in body.items() if k not in _KEYS}
    offer = Offer(store.new_offer_id(), sku, marketplace, fmt, data)
    seller.add_offer(offer)
    store.note(seller_id, sku, "offer_created")
    store.ledger.updated(seller_id, sku)
    return 201, {"offerId": offer.offer_id}


def get(store: Store, op: Operation, seller_id: str, offer_id: str) -> Answer:
    return 200, view(store, seller_id, _offer(store, op, seller_id, offer_id))


def find(store: Store, op: Operation, seller_id: str, query: Mapping[str, str], base: str) -> Answer:
    """getOffers: the SKU's offers (all the seller's without `sku`), filtered and paged."""
    seller = store.seller(seller_id)
    sku = query.get("sku")
    if sku is not None and sku not in seller.items:
        raise errors.ApiError(404, [problem(op, 25702, "sku", skuValue=sku).as_error()])
    chosen = seller.offers_of(sku) if sku is not None else list(seller.offers.values())
    chosen = [
        o
        for o in chosen
        if query.get("format", o.format) == o.format
        and query.get("marketplace_id", o.marketplace_id) == o.marketplace_id
    ]
    if sku is not None and not chosen:
        raise _unavailable(op, sku)
    limit, offset = int(query.get("limit", 100)), int(query.get("offset", 0))
    shown = chosen[offset * limit : (offset + 1) * limit]
    body = page(base, len(chosen), limit, offset)
    body["size"] = len(shown)
    body["offers"] = [view(store, seller_id, o) for o in shown]
    return 200, body


def update(store: Store, op: Operation, seller_id: str, offer_id: str, body: Mapping[str, Any]) -> Answer:
    """Wholly replace the offer's fields; a published offer's listing is revised with them."""
    seller = store.seller(seller_id)
    offer = _offer(store, op, seller_id, offer_id)
    data = dict(body)
    found = [p.as_error() for p in rules.offer(op, data, offer.format)]
    if found:
        raise errors.ApiError(400, found)
    live = seller.live(offer.sku) if offer.status == PUBLISHED else []
    live = [listing for listing in live if listing.offer_id == offer.offer_id]
    if live:
        if not data.get("listingDescription"):
            info = "A published offer's listingDescription is required."
            raise errors.ApiError(
                400, [problem(op, 25709, "listingDescription", additionalInfo=info).as_error()]
            )
        item = seller.items[offer.sku]
        found = listings.requirements(store, seller, op, offer, item, data, publishing=False)
        if found:
            raise errors.ApiError(400, found)
        store.check_revisable(live)
    offer.data = data
    store.note(seller_id, offer.sku, "offer_updated")
    store.ledger.updated(seller_id, offer.sku)
    if live:
        store.count_revision(live)
        listings.refresh(store, seller_id, offer.sku)
    return 204, None


def delete(store: Store, op: Operation, seller_id: str, offer_id: str) -> Answer:
    """Delete the offer, ending its listing if it has one."""
    seller = store.seller(seller_id)
    offer = _offer(store, op, seller_id, offer_id)
    ended = listings.end(store, seller_id, offer, "ended_by_offer_delete")
    seller.remove_offer(offer)
    store.note(seller_id, offer.sku, "offer_deleted")
    if ended is None:
        store.ledger.updated(seller_id, offer.sku)
    return 204, None


def publish(store: Store, op: Operation, seller_id: str, offer_id: str) -> Answer:
    offer = _offer(store, op, seller_id, offer_id)
    return 200, {"listingId": listings.publish(store, seller_id, offer, op)}


def withdraw(store: Store, op: Operation, seller_id: str, offer_id: str) -> Answer:
    offer = _offer(store, op, seller_id, offer_id)
    ended = listings.end(store, seller_id, offer, "withdrawn")
    if ended is None:
        info = f"Offer {offer_id} is not published."
        raise errors.ApiError(400, [problem(op, 25002, "offerId", additionalInfo=info).as_error()])
    return 200, {"listingId": ended}


def bulk_create(
    store: Store, op: Operation, seller_id: str, body: Mapping[str, Any], bad: Mapping[int, list[Problem]]
) -> Answer:
    responses = []
    for i, entry in enumerate(body["requests"]):
        head = {key: entry.get(key) for key in _KEYS if entry.get(key) is not None}
        try:
            if i in bad:
                raise errors.ApiError(400, [p.as_error() for p in bad[i]])
            _, created = create(store, op, seller_id, entry)
        except errors.ApiError as refused:
            responses.append({**head, "statusCode": refused.status, "errors": refused.errors})
        else:
            responses.append({**head, "statusCode": 200, "offerId": created["offerId"]})
    return multi_status(responses), {"responses": responses}


def bulk_publish(
    store: Store, op: Operation, seller_id: str, body: Mapping[str, Any], bad: Mapping[int, list[Problem]]
) -> Answer:
    responses = []
    for i, entry in enumerate(body["requests"]):
        offer_id = entry.get("offerId", "")
        try:
            if i in bad:
                raise errors.ApiError(400, [p.as_error() for p in bad[i]])
            _, published = publish(store, op, seller_id, offer_id)
        except errors.ApiError as refused:
            responses.append({"offerId": offer_id, "statusCode": refused.status, "errors": refused.errors})
        else:
            responses.append({"offerId": offer_id, "statusCode": 200, "listingId": published["listingId"]})
    return multi_status(responses), {"responses": responses}
