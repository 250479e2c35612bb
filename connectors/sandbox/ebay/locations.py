"""Inventory locations: a published offer must name one of the seller's enabled locations."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.sandbox.ebay import errors
from connectors.sandbox.ebay.model import Operation
from connectors.sandbox.ebay.problems import problem
from connectors.sandbox.ebay.state import Store

Answer = tuple[int, Any]


def _not_found(op: Operation, key: str) -> errors.ApiError:
    return errors.ApiError(404, [problem(op, 25805, "merchantLocationKey", additionalInfo=key).as_error()])


def view(key: str, data: Mapping[str, Any]) -> dict[str, Any]:
    out = {**data, "merchantLocationKey": key}
    out.setdefault("merchantLocationStatus", "ENABLED")
    out.setdefault("locationTypes", ["WAREHOUSE"])
    return out


def create(store: Store, op: Operation, seller_id: str, key: str, body: Mapping[str, Any]) -> Answer:
    seller = store.seller(seller_id)
    if key in seller.locations:
        raise errors.ApiError(409, [problem(op, 25803, "merchantLocationKey").as_error()])
    seller.locations[key] = dict(body)
    return 204, None


def get(store: Store, op: Operation, seller_id: str, key: str) -> Answer:
    data = store.seller(seller_id).locations.get(key)
    if data is None:
        raise _not_found(op, key)
    return 200, view(key, data)


def find(store: Store, op: Operation, seller_id: str, query: Mapping[str, str], base: str) -> Answer:
    """getInventoryLocations: here `offset` counts locations to skip (not pages)."""
    known = store.seller(seller_id).locations
    limit, offset = int(query.get("limit", 100)), int(query.get("offset", 0))
    chosen = list(known.items())[offset : offset + limit]
    body: dict[str, Any] = {
        "href": f"{base}?limit={limit}&offset={offset}",
        "limit": limit,
        "offset": offset,
        "total": len(known),
        "locations": [view(key, data) for key, data in chosen],
    }
    if offset + limit < len(known):
        body["next"] = f"{base}?limit={limit}&offset={offset + limit}"
    if offset > 0:
        body["prev"] = f"{base}?limit={limit}&offset={max(0, offset - limit)}"
    return 200, body


def delete(store: Store, op: Operation, seller_id: str, key: str) -> Answer:
    if store.seller(seller_id).locations.pop(key, None) is None:
        raise _not_found(op, key)
    return 204, None


def set_status(store: Store, op: Operation, seller_id: str, key: str, status: str) -> Answer:
    data = store.seller(seller_id).locations.get(key)
    if data is None:
        raise _not_found(op, key)
    data["merchantLocationStatus"] = status
    return 200, {}
