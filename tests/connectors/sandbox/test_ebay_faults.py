"""Injected faults: eBay's own answers for 5xx and throttling, cut bodies, lost writes, hangs; all seeded."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any

import pytest
import requests
from ebay_client import EbayClient

from connectors.sandbox.ebay import EbaySandbox
from connectors.sandbox.faults import FaultPlan, Faults

Start = Callable[..., tuple[EbaySandbox, EbayClient]]


def faulty(serve_ebay: Start, plan: FaultPlan) -> tuple[EbaySandbox, EbayClient]:
    """A sandbox whose Inventory calls get `plan`'s faults (logged in first: the token endpoint draws too)."""
    sandbox, client = serve_ebay()
    client.login()
    sandbox.faults = Faults(plan)
    return sandbox, client


def outcomes(client: EbayClient, item: dict[str, Any], calls: int) -> list[int]:
    return [client.call("PUT", f"/inventory_item/F-{n}", item).status_code for n in range(calls)]


def test_the_same_seed_gives_the_same_faults(serve_ebay: Start, item: dict[str, Any]) -> None:
    plan = FaultPlan(seed=7, error_rate=0.2, throttle_rate=0.2, malformed_rate=0.1, lost_write_rate=0.1)
    first = outcomes(faulty(serve_ebay, plan)[1], item, 30)
    second = outcomes(faulty(serve_ebay, plan)[1], item, 30)
    other = outcomes(faulty(serve_ebay, dataclasses.replace(plan, seed=8))[1], item, 30)
    assert first == second
    assert first != other
    assert {500, 429, 200, 204} <= set(first)


def test_the_token_endpoint_draws_faults_too(serve_ebay: Start) -> None:
    _, client = serve_ebay(faults=FaultPlan(error_rate=1.0))
    answer = client.grant()
    assert (answer.status_code, answer.json()["error"]) == (500, "server_error")


def test_an_injected_error_is_eBays_system_error_and_does_nothing(
    serve_ebay: Start, item: dict[str, Any]
) -> None:
    sandbox, client = faulty(serve_ebay, FaultPlan(error_rate=1.0))
    answer = client.call("PUT", "/inventory_item/MUG-1", item)
    assert answer.status_code == 500
    error = answer.json()["errors"][0]
    assert (error["errorId"], error["category"]) == (25001, "APPLICATION")
    assert sandbox.inventory("seller-x") == {}


def test_an_injected_throttle_is_eBays_429(serve_ebay: Start, item: dict[str, Any]) -> None:
    _, client = faulty(serve_ebay, FaultPlan(throttle_rate=1.0))
    answer = client.call("PUT", "/inventory_item/MUG-1", item)
    assert (answer.status_code, answer.json()["errors"][0]["errorId"]) == (429, 2001)


def test_a_lost_write_is_done_though_the_answer_is_a_5xx(serve_ebay: Start, item: dict[str, Any]) -> None:
    sandbox, client = faulty(serve_ebay, FaultPlan(lost_write_rate=1.0))
    assert client.call("PUT", "/inventory_item/MUG-1", item).status_code == 500
    assert list(sandbox.inventory("seller-x")) == ["MUG-1"]
    assert client.call("GET", "/inventory_item/MUG-1").status_code == 200


def test_a_malformed_answer_is_a_200_that_is_not_json(serve_ebay: Start, item: dict[str, Any]) -> None:
    sandbox, client = serve_ebay()
    client.login().call("PUT", "/inventory_item/MUG-1", item)
    sandbox.faults = Faults(FaultPlan(malformed_rate=1.0))
    answer = client.call("GET", "/inventory_item/MUG-1")
    assert answer.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(answer.content)


def test_a_hang_outlasts_the_clients_timeout(serve_ebay: Start) -> None:
    _, client = faulty(serve_ebay, FaultPlan(hang_rate=1.0, hang_seconds=0.5))
    with pytest.raises(requests.exceptions.ReadTimeout):
        client.call("GET", "/inventory_item/MUG-1", timeout=0.05)


def test_added_latency_still_answers_normally(serve_ebay: Start) -> None:
    sandbox, client = serve_ebay(faults=FaultPlan(latency_seconds=0.01))
    assert client.login().call("GET", "/inventory_item/MUG-1").status_code == 404
    assert sandbox.summary()["calls"]["getInventoryItem"] == 1
