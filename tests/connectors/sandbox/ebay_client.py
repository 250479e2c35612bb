"""An eBay client for tests: gets a seller's token, sends the headers eBay requires; plus a settable clock."""

from __future__ import annotations

from typing import Any

import requests

from connectors.sandbox.ebay.model import load


class FakeClock:
    """A clock tests move by hand (seconds since the epoch)."""

    def __init__(self, now: float = 1_795_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class EbayClient:
    """Calls one eBay sandbox as one seller: fetches a user token, adds the headers eBay requires."""

    def __init__(self, url: str, credentials: dict[str, str]) -> None:
        self.url = url
        self.credentials = credentials
        self.session = requests.Session()
        self.token = ""

    def grant(self, **form: str) -> requests.Response:
        data = {"grant_type": "refresh_token", "refresh_token": self.credentials["refresh_token"], **form}
        auth = (self.credentials["client_id"], self.credentials["client_secret"])
        return self.session.post(f"{self.url}/identity/v1/oauth2/token", auth=auth, data=data)

    def login(self, **form: str) -> EbayClient:
        answer = self.grant(**form)
        assert answer.status_code == 200, answer.text
        self.token = answer.json()["access_token"]
        return self

    def call(self, method: str, path: str, body: Any = None, **options: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.token}"}
        if body is not None:
            headers.update({"Content-Type": "application/json", "Content-Language": "en-US"})
        headers.update(options.pop("headers", {}))
        url = f"{self.url}/sell/inventory/v1{path}"
        return self.session.request(method, url, json=body, headers=headers, **options)

    def location(self, key: str = "warehouse-1") -> None:
        body = {"location": {"address": {"country": "US", "postalCode": "95125"}}, "name": "Main warehouse"}
        answer = self.call("POST", f"/location/{key}", body)
        assert answer.status_code == 204, answer.text

    def listed(self, sku: str, item: dict[str, Any], offer: dict[str, Any]) -> tuple[str, str]:
        """Put the item, create the offer and publish it: answers (offerId, listingId)."""
        assert self.call("PUT", f"/inventory_item/{sku}", item).status_code == 204
        created = self.call("POST", "/offer", {**offer, "sku": sku})
        assert created.status_code == 201, created.text
        offer_id = created.json()["offerId"]
        published = self.call("POST", f"/offer/{offer_id}/publish")
        assert published.status_code == 200, published.text
        return offer_id, published.json()["listingId"]


def matches_model(operation: str, status: int, body: Any) -> list[str]:
    """Where an answer departs from the model's response schema for `operation` and `status`."""
    schema = load().by_id[operation].responses.get(status)
    assert schema is not None, f"the model has no {status} body for {operation}"
    return [error.message for error in load().schemas.validator(schema).iter_errors(body)]
