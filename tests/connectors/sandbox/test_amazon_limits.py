"""Rate limits per selling-partner account and operation, at the documented numbers, on a hand-moved clock."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import requests
from amazon_helpers import AmazonClient, FakeClock

from connectors.sandbox.amazon import AmazonSandbox
from connectors.sandbox.limits import Rate

QUOTA = {
    "errors": [
        {
            "code": "QuotaExceeded",
            "message": "You exceeded your quota for the requested resource.",
            "details": "",
        }
    ]
}


def statuses(calls: list[Callable[[], Any]]) -> list[int]:
    return [call().status_code for call in calls]


@pytest.fixture
def limited(start_amazon: Callable[..., tuple[AmazonSandbox, str]]) -> AmazonClient:
    sandbox, url = start_amazon(limits=True)
    return AmazonClient(sandbox, url)


def test_the_documented_rates_are_the_stricter_ones() -> None:
    rates = AmazonSandbox.RATES
    for operation in ("putListingsItem", "patchListingsItem", "deleteListingsItem", "getListingsItem"):
        assert rates[operation] == Rate(5.0, 5)
    assert rates["createFeedDocument"] == Rate(0.5, 15)
    assert rates["createFeed"] == Rate(0.0083, 15)
    assert rates["getFeed"] == Rate(2.0, 15)
    assert rates["getFeedDocument"] == Rate(0.0222, 10)


def test_a_burst_of_five_puts_passes_and_the_sixth_is_throttled_exactly_as_amazon_does(
    limited: AmazonClient, amazon_clock: FakeClock
) -> None:
    assert statuses([lambda: limited.put("SKU-1")] * 5) == [200] * 5
    throttled = limited.put("SKU-1")
    assert throttled.status_code == 429
    assert json.loads(throttled.content) == QUOTA
    assert throttled.headers["x-amzn-RequestId"]
    amazon_clock.advance(0.2)  # one token back at 5 per second
    assert statuses([lambda: limited.put("SKU-1")] * 2) == [200, 429]
    amazon_clock.advance(1.0)
    assert statuses([lambda: limited.put("SKU-1")] * 6) == [200] * 5 + [429]
    assert limited.counts("SKU-1") == (1, 10, 0)  # throttled calls write nothing


def test_a_client_calling_twice_the_rate_gets_the_documented_share_through(
    limited: AmazonClient, amazon_clock: FakeClock
) -> None:
    passed = 0
    for _ in range(40):
        passed += limited.get("SKU-1").status_code != 429
        amazon_clock.advance(0.1)
    assert passed == 24  # the burst of 5, plus 5 a second over the 3.9 s the calls span (19.5)


def test_limits_are_per_seller_and_per_operation(limited: AmazonClient) -> None:
    assert statuses([lambda: limited.put("SKU-1")] * 6)[-1] == 429
    assert limited.get("SKU-1").status_code == 200
    other = AmazonClient(limited.sandbox, limited.url, seller_id="A2OTHERSELLER")
    assert other.put("SKU-1").status_code == 200


def test_limits_off_never_throttle(amazon: AmazonClient) -> None:
    assert set(statuses([lambda: amazon.put("SKU-1")] * 25)) == {200}
    assert amazon.sandbox.limiter.throttled == 0


def test_a_rate_can_be_set_by_option(start_amazon: Callable[..., tuple[AmazonSandbox, str]]) -> None:
    sandbox, url = start_amazon(limits=True, rates={"putListingsItem": Rate(10.0, 10)})
    client = AmazonClient(sandbox, url)
    assert statuses([lambda: client.put("SKU-1")] * 11) == [200] * 10 + [429]
    assert client.put("SKU-1").headers.get("x-amzn-RateLimit-Limit") is None  # 429s carry no limit header


def test_at_most_five_listings_feeds_per_five_minutes(limited: AmazonClient, amazon_clock: FakeClock) -> None:
    def create_feed() -> Any:
        document = limited.call(
            "POST", "/feeds/2021-06-30/documents", json={"contentType": "application/json"}
        )
        upload = document.json()["url"]
        requests.put(
            upload, data=b"{}", headers={"Content-Type": "application/json"}, timeout=5
        ).raise_for_status()
        body = {
            "feedType": "JSON_LISTINGS_FEED",
            "marketplaceIds": ["ATVPDKIKX0DER"],
            "inputFeedDocumentId": document.json()["feedDocumentId"],
        }
        return limited.call("POST", "/feeds/2021-06-30/feeds", json=body)

    assert statuses([create_feed] * 6) == [202] * 5 + [429]
    amazon_clock.advance(299)
    assert create_feed().status_code == 429
    amazon_clock.advance(1)
    assert create_feed().status_code == 202
