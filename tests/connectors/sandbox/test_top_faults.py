"""Seeded fault injection in the TOP sandbox: each fault's answer, and the same seed, the same faults."""

from __future__ import annotations

import json

import pytest
import requests
from top_client import TopClient, TopFactory

from connectors.sandbox.faults import Fault, FaultPlan, Faults
from connectors.sandbox.top import TopSandbox

READ = "taobao.item.seller.get"


def outcome(client: TopClient, num_iid: int) -> str:
    response = client.call(READ, {"num_iid": str(num_iid), "fields": "num_iid"})
    try:
        answer = response.json()
    except json.JSONDecodeError:
        return "malformed"
    return "ok" if "item_seller_get_response" in answer else answer["error_response"].get("sub_code", "")


def sequence(make_top: TopFactory, plan: FaultPlan, n: int = 40) -> list[str]:
    sandbox, client = make_top(faults=plan)
    sandbox.faults.plan = FaultPlan()
    num_iid = client.add_item()
    sandbox.faults.plan = plan
    return [outcome(client, num_iid) for _ in range(n)]


def test_the_same_seed_gives_the_same_faults(make_top: TopFactory) -> None:
    plan = FaultPlan(seed=7, error_rate=0.2, throttle_rate=0.2, malformed_rate=0.2)
    first, second = sequence(make_top, plan), sequence(make_top, plan)
    assert first == second
    assert {
        "ok",
        "malformed",
        "isp.top-remote-service-unavailable",
        "accesscontrol.limited-by-api-access-count",
    } == set(first)
    other_seed = sequence(make_top, FaultPlan(seed=8, error_rate=0.2, throttle_rate=0.2, malformed_rate=0.2))
    assert other_seed != first


def test_an_injected_error_is_a_platform_failure_and_writes_nothing(make_top: TopFactory) -> None:
    sandbox, client = make_top(faults=FaultPlan(error_rate=1.0))
    response = client.call("taobao.item.add", {"title": "whatever"})
    assert response.status_code == 200
    error = response.json()["error_response"]
    assert (error["code"], error["sub_code"]) == (15, "isp.top-remote-service-unavailable")
    assert sandbox.items_of("seller-1") == []
    assert sandbox.faults.injected[Fault.ERROR] == 1


def test_an_injected_throttle_is_code_7(make_top: TopFactory) -> None:
    _, client = make_top(faults=FaultPlan(throttle_rate=1.0))
    error = client.error(READ, {"num_iid": "1", "fields": "num_iid"})
    assert (error["code"], error["sub_code"]) == (7, "accesscontrol.limited-by-api-access-count")
    assert error["sub_msg"] == "This ban will last for 1 more seconds"


def test_a_lost_write_happens_but_answers_a_platform_failure(
    make_top: TopFactory, top_item: dict[str, str], top_images: dict[str, bytes]
) -> None:
    sandbox, client = make_top(faults=FaultPlan(lost_write_rate=1.0))
    files = {"image": ("a.png", top_images["png"], "image/png")}
    response = client.call("taobao.item.add", {**top_item, "outer_id": "LOST-1"}, files=files)
    assert response.json()["error_response"]["sub_code"].startswith("isp.")
    assert len(sandbox.items_of("seller-1", "LOST-1")) == 1
    assert sandbox.counts("seller-1")["LOST-1"].creates == 1


def test_reads_are_never_lost_writes(make_top: TopFactory) -> None:
    _, client = make_top(faults=FaultPlan(lost_write_rate=1.0))
    answer = client.call("taobao.items.custom.get", {"outer_id": "X", "fields": "num_iid"}).json()
    assert "items_custom_get_response" in answer


def test_a_malformed_answer_is_cut_off_json_after_the_write(
    make_top: TopFactory, top_item: dict[str, str], top_images: dict[str, bytes]
) -> None:
    sandbox, client = make_top(faults=FaultPlan(malformed_rate=1.0))
    files = {"image": ("a.png", top_images["png"], "image/png")}
    response = client.call("taobao.item.add", {**top_item, "outer_id": "CUT-1"}, files=files)
    assert response.status_code == 200
    assert response.text.startswith('{"item_add_response"')
    with pytest.raises(json.JSONDecodeError):
        response.json()
    assert len(sandbox.items_of("seller-1", "CUT-1")) == 1


def first_hang_then_answer(operation: str) -> int:
    """A seed whose first draw for `operation` hangs and whose second does not."""
    for seed in range(1000):
        faults = Faults(FaultPlan(seed=seed, hang_rate=0.5))
        if [faults.draw(operation, write=True) for _ in range(2)] == [Fault.HANG, None]:
            return seed
    raise AssertionError("no such seed")


def test_a_hang_keeps_the_answer_past_the_clients_timeout_after_doing_the_write(
    make_top: TopFactory, top_item: dict[str, str], top_images: dict[str, bytes]
) -> None:
    seed = first_hang_then_answer("taobao.item.add")
    sandbox, client = make_top(faults=FaultPlan(seed=seed, hang_rate=0.5, hang_seconds=1.0))
    business = {**top_item, "outer_id": "HANG-1"}
    files = {"image": ("a.png", top_images["png"], "image/png")}
    with pytest.raises(requests.ReadTimeout):
        client.call("taobao.item.add", business, files=files, timeout=0.2)
    client.add_item("HANG-2")  # answered: the second draw is no fault, and the first call's write came first
    assert len(sandbox.items_of("seller-1", "HANG-1")) == 1


def test_a_plan_with_no_faults_changes_nothing(top: tuple[TopSandbox, TopClient]) -> None:
    sandbox, client = top
    num_iid = client.add_item()
    assert {outcome(client, num_iid) for _ in range(10)} == {"ok"}
    assert sum(sandbox.faults.injected.values()) == 0
