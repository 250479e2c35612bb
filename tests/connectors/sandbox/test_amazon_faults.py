"""Injected faults answer in Amazon's shapes, lost writes really happen, and a seed replays the same day."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import requests
from amazon_helpers import AmazonClient

from connectors.sandbox.amazon import AmazonSandbox
from connectors.sandbox.amazon.spec import definition_validator
from connectors.sandbox.faults import FaultPlan

Start = Callable[..., tuple[AmazonSandbox, str]]


def client_with(start_amazon: Start, **plan: Any) -> AmazonClient:
    sandbox, url = start_amazon(faults=FaultPlan(**plan))
    return AmazonClient(sandbox, url)  # logging in is never faulted


def outcome(answer: requests.Response) -> str:
    try:
        body = answer.json()
    except ValueError:
        return f"{answer.status_code}:garbled"
    return f"{answer.status_code}:{body['errors'][0]['code'] if 'errors' in body else 'ok'}"


def day(start_amazon: Start, seed: int) -> list[str]:
    client = client_with(
        start_amazon, seed=seed, error_rate=0.2, throttle_rate=0.2, malformed_rate=0.1, lost_write_rate=0.1
    )
    return [outcome(client.put("SKU-1")) for _ in range(30)]


def test_the_same_seed_gives_the_same_faults_and_another_seed_others(start_amazon: Start) -> None:
    first, again, other = day(start_amazon, 7), day(start_amazon, 7), day(start_amazon, 8)
    assert first == again
    assert first != other
    assert {"200:ok", "500:InternalFailure", "429:QuotaExceeded", "200:garbled"} <= set(first)


def test_an_error_is_amazons_500_and_writes_nothing(start_amazon: Start) -> None:
    client = client_with(start_amazon, error_rate=1.0)
    answer = client.put("SKU-1")
    assert answer.status_code == 500
    assert definition_validator("listings", "ErrorList").is_valid(answer.json())
    assert answer.json()["errors"][0]["code"] == "InternalFailure"
    assert client.writes() == 0


def test_a_throttle_fault_is_amazons_quota_answer(start_amazon: Start) -> None:
    client = client_with(start_amazon, throttle_rate=1.0)
    answer = client.get("SKU-1")
    assert answer.status_code == 429
    assert answer.json()["errors"][0] == {
        "code": "QuotaExceeded",
        "message": "You exceeded your quota for the requested resource.",
        "details": "",
    }


def test_a_malformed_answer_is_a_200_whose_body_is_not_json(start_amazon: Start) -> None:
    client = client_with(start_amazon, malformed_rate=1.0)
    answer = client.put("SKU-1")
    assert answer.status_code == 200
    with pytest.raises(ValueError):
        json.loads(answer.content)
    assert client.counts("SKU-1") == (1, 0, 0)


def test_a_lost_write_happens_although_the_answer_is_a_500(start_amazon: Start) -> None:
    client = client_with(start_amazon, lost_write_rate=1.0)
    assert client.put("SKU-1").status_code == 500
    assert client.sandbox.listing(client.seller_id, "SKU-1") is not None
    assert client.put("SKU-1").status_code == 500  # the client's retry is an update, not a second listing
    assert client.counts("SKU-1") == (1, 1, 0)
    assert client.get("SKU-1").status_code == 200  # reads are never lost writes


def test_added_latency_delays_every_answer(start_amazon: Start) -> None:
    client = client_with(start_amazon, latency_seconds=0.5)
    with pytest.raises(requests.exceptions.ReadTimeout):
        client.get("SKU-1", timeout=0.05)


def test_a_hang_outlasts_the_clients_timeout(start_amazon: Start) -> None:
    client = client_with(start_amazon, hang_rate=1.0, hang_seconds=0.5)
    with pytest.raises(requests.exceptions.ReadTimeout):
        client.get("SKU-1", timeout=0.05)
    assert client.sandbox.faults.injected  # counted for inspection
