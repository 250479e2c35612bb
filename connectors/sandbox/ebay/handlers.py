"""Which function does the work of each Sell Inventory operation the sandbox implements."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from connectors.sandbox.ebay import inventory, locations, offers, prices
from connectors.sandbox.ebay.model import Operation
from connectors.sandbox.ebay.problems import Problem
from connectors.sandbox.ebay.state import Store

Answer = tuple[int, Any]


@dataclass(frozen=True)
class Call:
    """One accepted call: who makes it and what it carries (the body already checked against the model)."""

    op: Operation
    seller: str
    params: Mapping[str, str]
    query: Mapping[str, str]
    body: Any
    bad: Mapping[int, list[Problem]]
    locale: str
    url: str


def _base(c: Call) -> str:
    return c.url.split("?", 1)[0]


HANDLERS: dict[str, Callable[[Store, Call], Answer]] = {
    "createOrReplaceInventoryItem": lambda s, c: inventory.put(
        s, c.op, c.seller, c.params["sku"], c.body, c.locale
    ),
    "getInventoryItem": lambda s, c: inventory.get(s, c.op, c.seller, c.params["sku"]),
    "deleteInventoryItem": lambda s, c: inventory.delete(s, c.op, c.seller, c.params["sku"]),
    "getInventoryItems": lambda s, c: inventory.listing_page(
        s, c.op, c.seller, _base(c), int(c.query.get("limit", 25)), int(c.query.get("offset", 0))
    ),
    "bulkCreateOrReplaceInventoryItem": lambda s, c: inventory.bulk_put(s, c.op, c.seller, c.body, c.bad),
    "bulkGetInventoryItem": lambda s, c: inventory.bulk_get(s, c.op, c.seller, c.body),
    "createOffer": lambda s, c: offers.create(s, c.op, c.seller, c.body),
    "getOffer": lambda s, c: offers.get(s, c.op, c.seller, c.params["offerId"]),
    "getOffers": lambda s, c: offers.find(s, c.op, c.seller, c.query, _base(c)),
    "updateOffer": lambda s, c: offers.update(s, c.op, c.seller, c.params["offerId"], c.body),
    "deleteOffer": lambda s, c: offers.delete(s, c.op, c.seller, c.params["offerId"]),
    "publishOffer": lambda s, c: offers.publish(s, c.op, c.seller, c.params["offerId"]),
    "withdrawOffer": lambda s, c: offers.withdraw(s, c.op, c.seller, c.params["offerId"]),
    "bulkCreateOffer": lambda s, c: offers.bulk_create(s, c.op, c.seller, c.body, c.bad),
    "bulkPublishOffer": lambda s, c: offers.bulk_publish(s, c.op, c.seller, c.body, c.bad),
    "bulkUpdatePriceQuantity": lambda s, c: prices.update(s, c.op, c.seller, c.body, c.bad),
    "createInventoryLocation": lambda s, c: locations.create(
        s, c.op, c.seller, c.params["merchantLocationKey"], c.body
    ),
    "getInventoryLocation": lambda s, c: locations.get(s, c.op, c.seller, c.params["merchantLocationKey"]),
    "getInventoryLocations": lambda s, c: locations.find(s, c.op, c.seller, c.query, _base(c)),
    "deleteInventoryLocation": lambda s, c: locations.delete(
        s, c.op, c.seller, c.params["merchantLocationKey"]
    ),
    "enableInventoryLocation": lambda s, c: locations.set_status(
        s, c.op, c.seller, c.params["merchantLocationKey"], "ENABLED"
    ),
    "disableInventoryLocation": lambda s, c: locations.set_status(
        s, c.op, c.seller, c.params["merchantLocationKey"], "DISABLED"
    ),
}
