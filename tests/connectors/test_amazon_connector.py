"""The Amazon connector against the Amazon sandbox over real HTTP: each operation and each error class."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
import requests
from connector_support import amazon_validator

from connectors.base import Action, Change
from connectors.errors import AuthError, PermanentError, TransientError
from connectors.registry import build_connector
from connectors.sandbox.faults import FaultPlan


def creates(make_product, n: int, prefix: str = "AMZ") -> list[Change]:
    return [Change(Action.CREATE, f"{prefix}-{i}", make_product(f"{prefix}-{i}")) for i in range(n)]


def test_a_few_creates_go_live_through_listings_items(amazon, make_product):
    connector = amazon.connector()
    results = connector.push(creates(make_product, 3))
    assert [r.ok for r in results] == [True, True, True]
    assert all(r.status == "ACCEPTED" and r.ids["submission_id"] for r in results)
    assert set(amazon.sandbox.listings(amazon.seller)) == {"AMZ-0", "AMZ-1", "AMZ-2"}
    assert [r.method for r in amazon.sent("/listings/")] == ["PUT", "PUT", "PUT"]


def test_a_price_and_quantity_change_is_one_patch(amazon, make_product):
    connector = amazon.connector()
    connector.push([Change(Action.CREATE, "P-1", make_product("P-1"))])
    results = connector.push(
        [Change(Action.UPDATE_OFFER, "P-1", make_product("P-1", price="12.25", quantity=7))]
    )
    assert results[0].ok, results[0].error
    assert [r.method for r in amazon.sent("/listings/")] == ["PUT", "PATCH"]
    live = connector.fetch("P-1")
    assert live is not None
    assert (live.price, live.quantity) == (Decimal("12.25"), 7)


def test_an_end_deletes_and_ending_twice_is_harmless(amazon, make_product):
    connector = amazon.connector()
    connector.push([Change(Action.CREATE, "E-1", make_product("E-1"))])
    first = connector.push([Change(Action.END, "E-1")])
    again = connector.push([Change(Action.END, "E-1")])
    assert first[0].ok and again[0].ok
    assert "E-1" not in amazon.sandbox.listings(amazon.seller)
    assert connector.fetch("E-1") is None


def test_many_changes_go_through_one_feed_with_per_sku_results(amazon, make_product):
    connector = amazon.connector(feed_threshold=10)
    changes = creates(make_product, 12, "FEED")
    changes[5] = Change(Action.CREATE, "FEED-5", make_product("FEED-5", gtin=None))
    results = connector.push(changes)
    assert [r.sku for r in results] == [c.sku for c in changes]
    bad = results[5]
    assert isinstance(bad.error, PermanentError)
    assert bad.error.code == "90220"
    assert bad.error.field == "externally_assigned_product_identifier"
    assert all(r.ok and r.ids["feed_id"] for i, r in enumerate(results) if i != 5)
    assert len(amazon.sent("/feeds/2021-06-30/feeds", "POST")) == 1
    assert len(amazon.sandbox.listings(amazon.seller)) == 11


def test_a_missing_attribute_is_a_permanent_error_carrying_amazons_issue(amazon, make_product):
    connector = amazon.connector()
    results = connector.push([Change(Action.CREATE, "NOGTIN", make_product("NOGTIN", gtin=None))])
    error = results[0].error
    assert isinstance(error, PermanentError)
    assert error.code == "90220"
    assert "externally_assigned_product_identifier" in str(error)
    assert not results[0].retryable


def test_an_expired_token_is_refreshed_without_the_caller_noticing(amazon, make_product):
    connector = amazon.connector()
    assert connector.push([Change(Action.CREATE, "T-1", make_product("T-1"))])[0].ok
    amazon.sandbox.expire_tokens()
    assert connector.push([Change(Action.CREATE, "T-2", make_product("T-2"))])[0].ok
    assert connector.http.auth.refreshes == 2


def test_a_429_is_transient_with_a_wait_and_keeps_the_skus_already_done(amazon_limited, make_product):
    connector = amazon_limited.connector()
    results = connector.push(creates(make_product, 8, "RL"))
    done = [r for r in results if r.ok]
    throttled = [r for r in results if r.retryable]
    assert (len(done), len(throttled)) == (5, 3)  # putListingsItem: burst 5, then 429
    assert [r.sku for r in done] == ["RL-0", "RL-1", "RL-2", "RL-3", "RL-4"]
    assert all(r.error.status == 429 for r in throttled)
    assert all(r.error.retry_after is not None and r.error.retry_after > 0 for r in throttled)


def test_a_throttled_first_call_raises_for_the_whole_batch(make_sandbox, make_product):
    amazon = make_sandbox("amazon", faults=FaultPlan(throttle_rate=1.0))
    with pytest.raises(TransientError) as info:
        amazon.connector().push(creates(make_product, 2, "TH"))
    assert info.value.status == 429


def test_5xx_answers_are_transient(make_sandbox, make_product):
    amazon = make_sandbox("amazon", faults=FaultPlan(error_rate=1.0))
    with pytest.raises(TransientError) as info:
        amazon.connector().push(creates(make_product, 1, "FIVE"))
    assert info.value.status is not None and info.value.status >= 500


def test_a_hang_past_the_read_timeout_is_transient(make_sandbox, make_product):
    amazon = make_sandbox("amazon", faults=FaultPlan(hang_rate=1.0, hang_seconds=1.0))
    with pytest.raises(TransientError, match="no answer in time"):
        amazon.connector(timeout=(1.0, 0.2)).push(creates(make_product, 1, "HANG"))


def test_a_lost_write_is_retried_into_one_listing(make_sandbox, make_product):
    amazon = make_sandbox("amazon", faults=FaultPlan(seed=3, lost_write_rate=0.5))
    connector = amazon.connector()
    change = creates(make_product, 1, "LOST")
    for _ in range(10):
        try:
            if connector.push(change)[0].ok:
                break
        except TransientError:
            continue
    assert list(amazon.sandbox.listings(amazon.seller)) == ["LOST-0"]
    assert amazon.sandbox.ledger.counts(amazon.seller, "LOST-0").creates == 1


def test_fetch_reads_back_what_is_live(amazon, make_product):
    connector = amazon.connector()
    connector.push([Change(Action.CREATE, "F-1", make_product("F-1", price="30.00", quantity=4))])
    live = connector.fetch("F-1")
    assert live is not None
    assert (live.sku, live.price, live.quantity) == ("F-1", Decimal("30.00"), 4)
    assert connector.fetch("NOPE") is None


def test_the_recorder_catches_a_request_that_breaks_the_model(amazon):
    url = f"{amazon.server.url}/listings/2021-08-01/items/{amazon.seller}/X-1?marketplaceIds=ATVPDKIKX0DER"
    bad = requests.Request("PUT", url, json={"attributes": {}}).prepare()  # no productType, no requirements
    assert amazon_validator(amazon.sandbox)(bad, time.time())


def test_refused_credentials_are_an_auth_error_that_shows_no_secret(amazon, make_product):
    creds = {**amazon.sandbox.credentials_for(amazon.seller), "client_secret": "not-the-secret-42"}
    connector = build_connector(
        "amazon", endpoint=amazon.server.url, credentials=creds, session=amazon.session
    )
    with pytest.raises(AuthError) as info:
        connector.push(creates(make_product, 1, "AUTH"))
    for secret in ("not-the-secret-42", creds["refresh_token"]):
        assert secret not in str(info.value) + repr(info.value) + repr(connector)
