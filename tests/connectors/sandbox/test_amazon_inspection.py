"""What the sandbox shows about itself, in process and under /_sandbox, for tests, the demo and people."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import requests
from amazon_helpers import US, AmazonClient, amazon_attributes

from connectors.sandbox.amazon import AmazonSandbox


def inspect(client: AmazonClient, path: str) -> Any:
    answer = requests.get(client.url + "/_sandbox" + path, timeout=5)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_the_index_lists_endpoints_marketplaces_and_product_types(amazon: AmazonClient) -> None:
    index = inspect(amazon, "/")
    assert index["sandbox"] == "amazon"
    assert index["marketplaces"][US] == "US"
    assert "condition_type" in index["productTypes"]["SHOES"]
    assert "color" in index["productTypes"]["SHOES"]


def test_credentials_over_http_log_a_seller_in(amazon: AmazonClient) -> None:
    creds = inspect(amazon, "/sellers/A7DEMO/credentials")
    assert creds == amazon.sandbox.credentials_for("A7DEMO")
    form = {
        "grant_type": "refresh_token",
        **{k: creds[k] for k in ("refresh_token", "client_id", "client_secret")},
    }
    assert requests.post(amazon.url + "/auth/o2/token", data=form, timeout=5).status_code == 200


def test_live_listings_and_the_ledger_show_what_was_written(amazon: AmazonClient) -> None:
    amazon.put("SKU-1")
    amazon.put("SKU-1")
    amazon.put("SKU-2")
    amazon.delete("SKU-2")
    amazon.put("SKU-3", amazon_attributes(brand=None))  # invalid: never live, never counted
    listings = inspect(amazon, f"/sellers/{amazon.seller_id}/listings")
    assert [item["sku"] for item in listings["listings"]] == ["SKU-1"]
    assert listings["listings"][0]["offers"][0]["price"]["amount"] == "59.5"
    assert inspect(amazon, f"/sellers/{amazon.seller_id}/ledger") == {
        "SKU-1": {"creates": 1, "updates": 1, "ends": 0},
        "SKU-2": {"creates": 1, "updates": 0, "ends": 1},
    }
    assert (
        inspect(amazon, f"/sellers/{amazon.seller_id}/listings?marketplaceId=A1F83G8C2ARO7P")["listings"]
        == []
    )


def test_feeds_and_their_reports_are_visible(amazon: AmazonClient) -> None:
    document = amazon.call(
        "POST", "/feeds/2021-06-30/documents", json={"contentType": "application/json"}
    ).json()
    feed = {"header": {"sellerId": amazon.seller_id, "version": "2.0"},
            "messages": [{"messageId": 1, "sku": "F-1", "operationType": "UPDATE", "productType": "PRODUCT",
                          "attributes": amazon_attributes()}]}  # fmt: skip
    requests.put(
        document["url"], data=json.dumps(feed), headers={"Content-Type": "application/json"}, timeout=5
    )
    body = {
        "feedType": "JSON_LISTINGS_FEED",
        "marketplaceIds": [US],
        "inputFeedDocumentId": document["feedDocumentId"],
    }
    feed_id = amazon.call("POST", "/feeds/2021-06-30/feeds", json=body).json()["feedId"]
    amazon.sandbox.wait_for_feed(feed_id)
    (listed,) = inspect(amazon, f"/sellers/{amazon.seller_id}/feeds")["feeds"]
    assert (listed["feedId"], listed["processingStatus"]) == (feed_id, "DONE")
    assert listed["history"] == ["IN_QUEUE", "IN_PROGRESS", "DONE"]
    report = inspect(amazon, f"/feeds/{feed_id}/report")
    assert report == amazon.sandbox.feed_report(feed_id)
    assert report["summary"]["messagesAccepted"] == 1


def test_stats_count_listings_writes_and_throttles(amazon: AmazonClient) -> None:
    before = inspect(amazon, "/stats")
    amazon.put("SKU-1")
    after = inspect(amazon, "/stats")
    assert after["writes"] == before["writes"] + 1
    assert after["listings"] == before["listings"] + 1
    assert set(after) == {"listings", "writes", "throttled", "faults", "feeds"}


def test_expiring_tokens_over_http_makes_clients_log_in_again(amazon: AmazonClient) -> None:
    assert requests.post(amazon.url + "/_sandbox/expire-tokens", timeout=5).status_code == 200
    assert amazon.get("SKU-1").status_code == 403
    amazon.token = amazon.login()
    assert amazon.get("SKU-1").status_code == 404


def test_reset_forgets_listings_feeds_and_the_ledger_but_not_credentials(
    start_amazon: Callable[..., tuple[AmazonSandbox, str]],
) -> None:
    sandbox, url = start_amazon(limits=True)
    client = AmazonClient(sandbox, url)
    for _ in range(6):
        client.put("SKU-1")
    assert client.put("SKU-1").status_code == 429
    client.call("POST", "/feeds/2021-06-30/documents", json={"contentType": "application/json"})
    assert requests.post(url + "/_sandbox/reset", timeout=5).json() == {"reset": True}
    assert sandbox.listings(client.seller_id) == {}
    assert sandbox.feeds(client.seller_id) == []
    assert client.writes() == 0
    assert client.put("SKU-1").status_code == 200  # same token, fresh limits
    assert client.counts("SKU-1") == (1, 0, 0)
