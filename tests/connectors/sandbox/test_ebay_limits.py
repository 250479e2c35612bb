"""eBay's daily call quotas and the optional per-second rate, throttled as eBay does: 429, errorId 2001."""

from __future__ import annotations

from collections.abc import Callable

from ebay_client import EbayClient, FakeClock

from connectors.sandbox.ebay import EbaySandbox
from connectors.sandbox.limits import Rate

Start = Callable[..., tuple[EbaySandbox, EbayClient]]

THROTTLED = {
    "errorId": 2001,
    "domain": "ACCESS",
    "category": "REQUEST",
    "message": "Too many requests.",
    "longMessage": "The request limit has been reached for the resource.",
}


def statuses(client: EbayClient, calls: int) -> list[int]:
    return [client.call("GET", "/inventory_item/MUG-1").status_code for _ in range(calls)]


def test_the_default_quotas_are_eBays_documented_numbers() -> None:
    sandbox = EbaySandbox()
    assert sandbox.quota.limits == {
        "inventory": 2_000_000,
        "refresh_token": 50_000,
        "client_credentials": 50_000,
        "browse": 5_000,
    }
    assert sandbox.limiter.rates == {}


def test_the_daily_inventory_quota_throttles_the_call_after_the_last_allowed(
    serve_ebay: Start, clock: FakeClock
) -> None:
    _, client = serve_ebay(daily_quota=5, clock=clock)
    client.login()
    assert statuses(client, 7) == [404] * 5 + [429] * 2
    throttled = client.call("GET", "/inventory_item/MUG-1")
    assert throttled.json() == {"errors": [THROTTLED]}


def test_the_quota_is_the_apps_across_sellers_and_renews_on_the_next_ebay_day(
    serve_ebay: Start, clock: FakeClock
) -> None:
    sandbox, client = serve_ebay(daily_quota=2, clock=clock)
    other = EbayClient(client.url, sandbox.credentials_for("seller-y")).login()
    client.login()
    assert statuses(client, 2) == [404, 404]
    assert statuses(other, 1) == [429]
    clock.advance(24 * 3600)
    client.login()
    assert statuses(client, 1) == [404]


def test_refresh_grants_have_their_own_daily_quota(serve_ebay: Start, clock: FakeClock) -> None:
    _, client = serve_ebay(token_daily_quota=2, clock=clock)
    assert [client.grant().status_code for _ in range(3)] == [200, 200, 429]
    assert client.grant().json()["errors"][0]["errorId"] == 2001


def test_the_optional_per_second_rate_throttles_per_seller_and_refills(
    serve_ebay: Start, clock: FakeClock
) -> None:
    sandbox, client = serve_ebay(per_second=Rate(per_second=1, burst=2), clock=clock)
    other = EbayClient(client.url, sandbox.credentials_for("seller-y")).login()
    client.login()
    assert statuses(client, 3) == [404, 404, 429]
    assert statuses(other, 1) == [404]
    clock.advance(1)
    assert statuses(client, 2) == [404, 429]


def test_limits_off_lets_every_call_through(serve_ebay: Start, clock: FakeClock) -> None:
    _, client = serve_ebay(limits=False, daily_quota=1, per_second=Rate(per_second=1, burst=1), clock=clock)
    client.login()
    assert statuses(client, 5) == [404] * 5
