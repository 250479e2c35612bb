"""Inspecting the TOP sandbox in-process and over `/_sandbox/`, and its credentials."""

from __future__ import annotations

import pytest
import requests
from top_client import TopClient, TopFactory

from connectors.sandbox.top import TopSandbox
from connectors.sandbox.top.auth import ENV_APP_KEY, ENV_APP_SECRET
from connectors.sandbox.top.errors import ConfigError

Top = tuple[TopSandbox, TopClient]


def base(client: TopClient) -> str:
    return client.url.removesuffix("/router/rest")


def test_a_connector_that_looks_up_before_adding_leaves_one_listing(top: Top) -> None:
    sandbox, client = top
    for _ in range(3):  # a redelivered sync of the same SKU
        found = client.ok("taobao.items.custom.get", {"outer_id": "ONCE-1", "fields": "num_iid"})
        if "items" in found:
            num_iid = found["items"]["item"][0]["num_iid"]
            client.ok("taobao.item.quantity.update", {"num_iid": str(num_iid), "quantity": "9"})
        else:
            client.add_item("ONCE-1")
    counts = sandbox.counts("seller-1")["ONCE-1"]
    assert (counts.creates, counts.updates) == (1, 2)
    assert [i["outer_id"] for i in sandbox.live("seller-1")] == ["ONCE-1"]


def test_the_sellers_state_is_served_as_json(top: Top) -> None:
    sandbox, client = top
    num_iid = client.add_item("WEB-1")
    client.ok("taobao.item.price.update", {"num_iid": str(num_iid), "price": "9.90"})
    url = base(client) + "/_sandbox/sellers/seller-1"
    live = requests.get(url + "/live", timeout=5).json()
    assert [(i["num_iid"], i["price"]) for i in live] == [(num_iid, "9.90")]
    assert requests.get(url + "/ledger", timeout=5).json() == {
        "WEB-1": {"creates": 1, "updates": 1, "ends": 0}
    }
    items = requests.get(url + "/items", params={"outer_id": "WEB-1"}, timeout=5).json()
    assert [i["num_iid"] for i in items] == [num_iid]
    pictures = requests.get(url + "/pictures", timeout=5).json()
    assert len(pictures) == 1 and pictures[0]["type"] == "png"
    item = requests.get(base(client) + f"/_sandbox/items/{num_iid}", timeout=5).json()
    assert item["outer_id"] == "WEB-1"
    assert requests.get(base(client) + "/_sandbox/items/1", timeout=5).status_code == 404
    with pytest.raises(KeyError):
        sandbox.item(1)


def test_the_overview_and_stats_count_what_happened(top: Top) -> None:
    _, client = top
    client.add_item()
    overview = requests.get(base(client) + "/_sandbox", timeout=5).json()
    assert overview["gateway"] == "/router/rest"
    assert "taobao.items.custom.get" in overview["methods"]
    assert overview["stats"]["writes"] == 1
    assert overview["stats"]["items"] == 1


def test_categories_and_brands_are_listed(top: Top) -> None:
    _, client = top
    table = requests.get(base(client) + "/_sandbox/categories", timeout=5).json()
    tees = next(c for c in table["categories"] if c["cid"] == 50000671)
    assert tees["leaf"] and 20000 in tees["required_pids"]
    assert any(b["name"] == "Nike" for b in table["brands"])


def test_a_brand_can_be_authorized_over_http(top: Top) -> None:
    _, client = top
    url = base(client) + "/_sandbox/sellers/seller-1/brands/11016"
    assert requests.post(url, timeout=5).json()["authorized"] is True
    client.add_item("ADI-1", props="20000:11016;1627207:1;20509:2")
    assert requests.post(base(client) + "/_sandbox/sellers/seller-1/brands/5", timeout=5).status_code == 404


def test_reset_forgets_items_and_counts(top: Top) -> None:
    sandbox, client = top
    client.add_item("GONE-1")
    assert requests.post(base(client) + "/_sandbox/reset", timeout=5).json() == {"reset": True}
    assert sandbox.items_of("seller-1") == [] and sandbox.counts("seller-1") == {}
    client.add_item("GONE-1")
    assert sandbox.counts("seller-1")["GONE-1"].creates == 1


def test_seller_credentials_need_no_registration_and_survive_a_restart(make_top: TopFactory) -> None:
    first, before = make_top()
    num_iid = before.add_item()
    restarted, after = make_top()
    assert restarted.credentials_for("any seller 42") == first.credentials_for("any seller 42")
    assert first.credentials_for("a")["session"] != first.credentials_for("b")["session"]
    assert after.creds == before.creds
    error = after.error("taobao.item.seller.get", {"num_iid": str(num_iid), "fields": "num_iid"})
    assert error["sub_code"] == "isv.item-not-exist"  # the session is good; the new sandbox has no items


def test_credentials_are_served_for_the_demo(top: Top) -> None:
    sandbox, client = top
    served = requests.get(base(client) + "/_sandbox/sellers/shop%2042/credentials", timeout=5).json()
    assert served == sandbox.credentials_for("shop 42")
    assert set(served) == {"app_key", "app_secret", "session", "seller_id"}


def test_the_environment_sets_the_app_credentials_and_options_win(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_APP_KEY, "23456789")
    monkeypatch.setenv(ENV_APP_SECRET, "from-the-environment")
    from_env = TopSandbox().credentials_for("s")
    assert (from_env["app_key"], from_env["app_secret"]) == ("23456789", "from-the-environment")
    explicit = TopSandbox(app_key="34567890", app_secret="explicit").credentials_for("s")
    assert (explicit["app_key"], explicit["app_secret"]) == ("34567890", "explicit")
    assert "from-the-environment" not in repr(TopSandbox().credentials)


def test_bad_options_are_refused_clearly() -> None:
    with pytest.raises(ConfigError, match="app_key"):
        TopSandbox(app_key="not-digits")
    with pytest.raises(ConfigError, match="daily_quota"):
        TopSandbox(daily_quota=0)
    with pytest.raises(ConfigError, match="brand"):
        TopSandbox(brand_authorizations={"s": [1]})
