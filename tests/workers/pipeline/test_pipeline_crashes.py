"""Processes die and Redis restarts mid-run: every SKU still ends live, exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import dramatiq
import pytest
from pipeline_support import SELLER, Shop, make_product

from workers.broker import PLAN, QUEUES, ListingSyncBroker, build_broker, start_valkey
from workers.context import writing
from workers.runs import open_run, run_progress

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


def wait_closed(broker: ListingSyncBroker, shop: Shop, run_id: str, limit: float = 180.0) -> str:
    """Join the queues until the run closes (its workers live in another process, so no worker join)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        for queue in QUEUES:
            broker.join(queue, timeout=int(limit * 1000))
        with shop.engine.connect() as conn:
            status = run_progress(conn, run_id)["status"]
        if status in ("done", "failed"):
            return str(status)
        time.sleep(0.2)  # the work is in flight in the other process; nothing to join on here
    raise AssertionError(f"run {run_id} still open after {limit} s")


@pytest.fixture
def worker_process(
    broker: ListingSyncBroker, redis_url: str, tmp_path: Path
) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    """`start(shop)`: a `dramatiq workers.boot` process group on the shop's store and the test's broker."""
    started: list[subprocess.Popen[bytes]] = []

    def start(
        shop: Shop, *, redis_url: str = redis_url, namespace: str = broker.namespace
    ) -> subprocess.Popen[bytes]:
        env = {
            **os.environ,
            "PYTHONPATH": str(Path(__file__).resolve().parents[3]),
            "REDIS_URL": redis_url,
            "DATABASE_URL": str(shop.engine.url.render_as_string(hide_password=False)),
            "LISTING_SYNC_DATA_DIR": str(tmp_path),
            "LISTING_SYNC_SECRET_KEY": shop.connectors_key,
            "LISTING_SYNC_NAMESPACE": namespace,
            "LISTING_SYNC_HEARTBEAT_MS": "3000",
            "LISTING_SYNC_HEARTBEAT_INTERVAL": "0.5",
            "LISTING_SYNC_CLAIM_SECONDS": "3",
        }
        command = [sys.executable, "-m", "dramatiq", "workers.boot", "--processes", "1", "--threads", "2"]
        process = subprocess.Popen(command, env=env, start_new_session=True, stderr=subprocess.DEVNULL)
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(30)


def test_a_worker_killed_mid_run_and_restarted_leaves_every_sku_live_exactly_once(
    make_shop: Callable[..., Shop],
    broker: ListingSyncBroker,
    worker_process: Callable[[Shop], subprocess.Popen[bytes]],
) -> None:
    shop = make_shop()
    skus = [f"MUG-{i:03d}" for i in range(40)]
    shop.save([make_product(sku) for sku in skus])
    first = worker_process(shop)
    run_id = shop.sync(marketplaces=["amazon", "ebay"])

    # Amazon takes these one by one at under 5 a second: kill the worker part-way through
    while sum(c for c in shop.creates("amazon").values()) < 8:
        time.sleep(0.05)  # watching another process's progress: no event to wait on
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(10)
    done_before = sum(shop.creates("amazon").values())
    worker_process(shop)

    assert wait_closed(broker, shop, run_id) == "done"
    assert done_before < len(skus)
    for marketplace in ("amazon", "ebay"):
        assert shop.live(marketplace) == set(skus), marketplace
        assert shop.creates(marketplace) == dict.fromkeys(skus, 1), marketplace


def test_a_run_completes_when_redis_restarts_mid_run(
    make_shop: Callable[..., Shop],
    worker_process: Callable[..., subprocess.Popen[bytes]],
    tmp_path: Path,
) -> None:
    valkey = start_valkey(data_dir=tmp_path / "valkey", persist=True, appendonly=True, appendfsync="always")
    try:
        url = valkey.connection_url
        namespace = f"ls-restart-{uuid.uuid4().hex[:6]}"
        shop = make_shop()
        skus = [f"MUG-{i:03d}" for i in range(30)]
        shop.save([make_product(sku) for sku in skus])
        worker_process(shop, redis_url=url, namespace=namespace)
        with writing(shop.engine) as conn:
            run_id = open_run(conn, SELLER, kind="manual", marketplaces=["amazon", "ebay"])
        other = build_broker(url, namespace=namespace)
        other.enqueue(
            dramatiq.Message(queue_name=PLAN, actor_name="plan", args=(run_id,), kwargs={}, options={})
        )

        while sum(shop.creates("amazon").values()) < 6:
            time.sleep(0.05)  # watching another process's progress: no event to wait on
        valkey.stop()
        time.sleep(2.0)  # an outage long enough that sends, fetches and delayed retries all meet it
        valkey.start()

        assert wait_closed(other, shop, run_id) == "done"
        for marketplace in ("amazon", "ebay"):
            assert shop.live(marketplace) == set(skus), marketplace
            assert shop.creates(marketplace) == dict.fromkeys(skus, 1), marketplace
    finally:
        valkey.stop()
