"""Helpers for the Amazon sandbox tests: a valid listing, a hand-moved clock, a logged-in seller client."""

from __future__ import annotations

import copy
from typing import Any

import requests

from connectors.sandbox.amazon import AmazonSandbox

US = "ATVPDKIKX0DER"
AMAZON_SELLER = "A1SANDBOXSELLER"

AMAZON_ATTRIBUTES: dict[str, Any] = {
    "item_name": [{"value": "Trail runner, red", "language_tag": "en_US", "marketplace_id": US}],
    "brand": [{"value": "Acme", "language_tag": "en_US", "marketplace_id": US}],
    "externally_assigned_product_identifier": [
        {"type": "ean", "value": "4006381333931", "marketplace_id": US}
    ],
    "main_product_image_locator": [
        {"media_location": "https://images.example.com/a.jpg", "marketplace_id": US}
    ],
    "product_description": [{"value": "A light shoe.", "language_tag": "en_US", "marketplace_id": US}],
    "bullet_point": [{"value": "Light", "language_tag": "en_US", "marketplace_id": US}],
    "condition_type": [{"value": "new_new", "marketplace_id": US}],
    "purchasable_offer": [
        {"currency": "USD", "our_price": [{"schedule": [{"value_with_tax": 59.5}]}], "marketplace_id": US}
    ],
    "fulfillment_availability": [{"fulfillment_channel_code": "DEFAULT", "quantity": 7}],
}


class FakeClock:
    """A clock that moves only when told to."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class AmazonClient:
    """A seller's view of a running Amazon sandbox: logs in through LWA and calls SP-API paths."""

    def __init__(self, sandbox: AmazonSandbox, url: str, seller_id: str = AMAZON_SELLER) -> None:
        self.sandbox = sandbox
        self.url = url
        self.seller_id = seller_id
        self.http = requests.Session()
        self.token = self.login()

    def login(self) -> str:
        creds = self.sandbox.credentials_for(self.seller_id)
        form = {
            "grant_type": "refresh_token",
            **{k: creds[k] for k in ("refresh_token", "client_id", "client_secret")},
        }
        answer = self.http.post(self.url + "/auth/o2/token", data=form, timeout=5)
        answer.raise_for_status()
        return answer.json()["access_token"]

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {"x-amz-access-token": self.token, **kwargs.pop("headers", {})}
        return self.http.request(
            method, self.url + path, headers=headers, timeout=kwargs.pop("timeout", 5), **kwargs
        )

    def writes(self) -> int:
        """Accepted writes the sandbox recorded for this seller."""
        return sum(c.creates + c.updates + c.ends for c in self.sandbox.ledger.all(self.seller_id).values())

    def counts(self, sku: str) -> tuple[int, int, int]:
        """(creates, updates, ends) recorded for one of this seller's SKUs."""
        c = self.sandbox.ledger.counts(self.seller_id, sku)
        return c.creates, c.updates, c.ends

    def item_path(self, sku: str, seller_id: str | None = None) -> str:
        return f"/listings/2021-08-01/items/{seller_id or self.seller_id}/{sku}"

    def put(self, sku: str, attributes: dict[str, Any] | None = None, **params: Any) -> requests.Response:
        body = {
            "productType": params.pop("productType", "PRODUCT"),
            "attributes": attributes or amazon_attributes(),
        }
        return self.call("PUT", self.item_path(sku), params={"marketplaceIds": US, **params}, json=body)

    def patch(self, sku: str, patches: list[dict[str, Any]], **params: Any) -> requests.Response:
        body = {"productType": params.pop("productType", "PRODUCT"), "patches": patches}
        return self.call("PATCH", self.item_path(sku), params={"marketplaceIds": US, **params}, json=body)

    def get(self, sku: str, timeout: float = 5, **params: Any) -> requests.Response:
        return self.call("GET", self.item_path(sku), params={"marketplaceIds": US, **params}, timeout=timeout)

    def delete(self, sku: str) -> requests.Response:
        return self.call("DELETE", self.item_path(sku), params={"marketplaceIds": US})


def amazon_attributes(**changes: Any) -> dict[str, Any]:
    """A complete, valid PRODUCT listing; keyword arguments replace (or, when None, drop) attributes."""
    attributes = copy.deepcopy(AMAZON_ATTRIBUTES)
    for name, value in changes.items():
        if value is None:
            attributes.pop(name, None)
        else:
            attributes[name] = value
    return attributes
