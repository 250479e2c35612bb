"""TOP flow control: per-method QPS per seller and the app's daily quota, on a settable clock."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from top_client import TopClient, TopFactory

from connectors.sandbox.top import TopSandbox
from connectors.sandbox.top.quota import DailyQuota

PER_METHOD = "accesscontrol.limited-by-api-access-count"
PER_DAY = "accesscontrol.limited-by-app-access-count"
GMT8 = timezone(timedelta(hours=8))


def read(client: TopClient, num_iid: int) -> dict[str, Any]:
    return client.call("taobao.item.seller.get", {"num_iid": str(num_iid), "fields": "num_iid"}).json()


def outcomes(client: TopClient, num_iid: int, n: int) -> list[str]:
    """For n calls: "ok" or the flow-control sub-code."""
    found = []
    for _ in range(n):
        answer = read(client, num_iid)
        found.append("ok" if "item_seller_get_response" in answer else answer["error_response"]["sub_code"])
    return found


def seeded(make_top: TopFactory, **options: Any) -> tuple[TopSandbox, TopClient, int]:
    """A sandbox with limits on and one item added before flow control starts counting."""
    sandbox, client = make_top(limits=True, **options)
    sandbox.limiter.enabled = sandbox.quota.enabled = False
    num_iid = client.add_item()
    sandbox.limiter.enabled = sandbox.quota.enabled = True
    return sandbox, client, num_iid


def test_the_defaults_are_five_calls_a_second_per_method_and_five_thousand_a_day() -> None:
    sandbox = TopSandbox()
    rate = sandbox.limiter.rates["taobao.item.add"]
    assert (rate.per_second, rate.burst) == (5.0, 5)
    assert sandbox.quota.limit == 5_000
    assert set(sandbox.limiter.rates) == set(TopSandbox.RATES)


def test_a_burst_past_the_method_qps_is_refused_with_code_7(make_top: TopFactory) -> None:
    _, client, num_iid = seeded(make_top)
    assert outcomes(client, num_iid, 7) == ["ok"] * 5 + [PER_METHOD] * 2
    error = read(client, num_iid)["error_response"]
    assert (error["code"], error["msg"]) == (7, "App Call Limited")
    assert error["sub_msg"] == "This ban will last for 1 more seconds"


def test_tokens_come_back_at_the_documented_rate(make_top: TopFactory) -> None:
    _, client, num_iid = seeded(make_top)
    assert outcomes(client, num_iid, 6) == ["ok"] * 5 + [PER_METHOD]
    client.clock.advance(0.2)  # one token at 5 a second
    assert outcomes(client, num_iid, 2) == ["ok", PER_METHOD]
    client.clock.advance(1.0)
    assert outcomes(client, num_iid, 6) == ["ok"] * 5 + [PER_METHOD]


def test_each_method_and_each_seller_has_its_own_budget(make_top: TopFactory) -> None:
    sandbox, client, num_iid = seeded(make_top)
    assert outcomes(client, num_iid, 6)[-1] == PER_METHOD
    other_method = client.call("taobao.items.custom.get", {"outer_id": "SKU-1", "fields": "num_iid"}).json()
    assert "items_custom_get_response" in other_method
    other = client.as_seller(sandbox, "seller-2")
    assert outcomes(other, other.add_item(), 6) == ["ok"] * 5 + [PER_METHOD]


def test_a_configured_qps_is_enforced(make_top: TopFactory) -> None:
    _, client, num_iid = seeded(make_top, method_qps=2.0)
    assert outcomes(client, num_iid, 3) == ["ok", "ok", PER_METHOD]


def test_a_throttled_write_changes_nothing(make_top: TopFactory) -> None:
    sandbox, client, num_iid = seeded(make_top, method_qps=1.0)
    business = {"num_iid": str(num_iid), "price": "50.00"}
    assert "item_price_update_response" in client.call("taobao.item.price.update", business).json()
    business["price"] = "40.00"
    assert client.call("taobao.item.price.update", business).json()["error_response"]["code"] == 7
    assert sandbox.item(num_iid)["price"] == "50.00"
    assert sandbox.counts("seller-1")["SKU-1"].updates == 1


def test_the_daily_quota_bans_the_app_until_midnight_in_china(make_top: TopFactory) -> None:
    sandbox, client, num_iid = seeded(make_top, daily_quota=3, method_qps=100.0)
    client.clock.now = datetime(2024, 5, 1, 23, 59, 0, tzinfo=GMT8).timestamp()
    assert outcomes(client, num_iid, 4) == ["ok"] * 3 + [PER_DAY]
    error = read(client, num_iid)["error_response"]
    assert error["sub_msg"] == "This ban will last for 60 more seconds"
    assert outcomes(client.as_seller(sandbox, "seller-2"), num_iid, 1) == [PER_DAY]  # the quota is the app's
    client.clock.advance(61)
    assert outcomes(client, num_iid, 1) == ["ok"]


def test_the_default_daily_quota_allows_exactly_five_thousand_calls() -> None:
    now = datetime(2024, 5, 1, 12, 0, 0, tzinfo=GMT8).timestamp()
    quota = DailyQuota(5_000, clock=lambda: now)
    assert [quota.take("app") for _ in range(5_000)] == [0] * 5_000
    assert quota.take("app") == 12 * 3600


def test_with_limits_off_nothing_is_throttled(make_top: TopFactory) -> None:
    sandbox, client = make_top(limits=False, daily_quota=1)
    num_iid = client.add_item()
    assert set(outcomes(client, num_iid, 30)) == {"ok"}
    assert sandbox.limiter.throttled == 0
