"""A run end to end: planner, push actors and sandboxes over HTTP, through a real broker and worker."""

from __future__ import annotations

from collections.abc import Callable

import dramatiq
import pytest
import sqlalchemy as sa
from pipeline_support import SELLER, Shop, drain, make_product

from connectors.base import Action, Change
from connectors.sandbox.faults import FaultPlan
from workers.broker import ListingSyncBroker
from workers.context import writing
from workers.runs import open_run, run_progress, start_run
from workers.store.models import Listing, SyncBatch

MARKETPLACES = ("amazon", "ebay", "tmall")


def test_a_first_sync_puts_every_sku_live_once_everywhere_and_a_resync_writes_nothing(
    make_shop: Callable[..., Shop], broker: ListingSyncBroker, worker: dramatiq.Worker, db_url: str
) -> None:
    shop = make_shop(database_url=db_url)  # on SQLite and on PostgreSQL
    skus = [f"MUG-{i:03d}" for i in range(6)]
    shop.save([make_product(sku) for sku in skus])

    run_id = shop.sync()
    assert drain(broker, worker, shop, run_id) == "done"

    for marketplace in MARKETPLACES:
        assert shop.live(marketplace) == set(skus), marketplace
        assert shop.creates(marketplace) == dict.fromkeys(skus, 1), marketplace
    with shop.engine.connect() as conn:
        progress = run_progress(conn, run_id)
    assert {m: p["live"] for m, p in progress["marketplaces"].items()} == dict.fromkeys(MARKETPLACES, 6)

    writes = {m: shop.sandboxes.sandbox(m).ledger.total_writes() for m in MARKETPLACES}
    again = shop.sync()
    assert drain(broker, worker, shop, again) == "done"
    assert {m: shop.sandboxes.sandbox(m).ledger.total_writes() for m in MARKETPLACES} == writes
    with shop.engine.connect() as conn:
        assert run_progress(conn, again)["marketplaces"] == {}


def test_a_permanent_error_is_recorded_once_with_the_sellers_message(
    make_shop: Callable[..., Shop], broker: ListingSyncBroker, worker: dramatiq.Worker
) -> None:
    shop = make_shop()
    shop.save([make_product("NO-ZH", localized={})])

    assert drain(broker, worker, shop, shop.sync(marketplaces=["tmall"])) == "done"
    assert drain(broker, worker, shop, shop.sync(marketplaces=["tmall"])) == "done"

    with shop.engine.connect() as conn:
        row = conn.execute(
            sa.select(Listing.status, Listing.last_error_message, Listing.last_error_field, Listing.attempts)
        ).one()
    assert row.status == "error"
    assert "zh-CN" in (row.last_error_message or "") + (row.last_error_field or "")
    assert row.attempts == 1
    assert shop.sandboxes.tmall.ledger.total_writes() == 0


def test_a_stock_out_goes_on_the_first_lane_and_reaches_every_marketplace(
    make_shop: Callable[..., Shop], broker: ListingSyncBroker, worker: dramatiq.Worker
) -> None:
    shop = make_shop()
    shop.save([make_product("MUG-1"), make_product("MUG-2")])
    assert drain(broker, worker, shop, shop.sync()) == "done"

    shop.save([make_product("MUG-1", quantity=0), make_product("MUG-2", title="A new title for mug two")])
    run_id = shop.sync()
    assert drain(broker, worker, shop, run_id) == "done"
    with shop.engine.connect() as conn:
        lanes = {
            (lane, tuple(skus))
            for lane, skus in conn.execute(
                sa.select(SyncBatch.lane, SyncBatch.skus).where(SyncBatch.run_id == run_id)
            )
        }
    assert lanes == {("first", ("MUG-1",)), ("main", ("MUG-2",))}
    amazon = shop.sandboxes.amazon.listing(SELLER, "MUG-1") or {}
    assert amazon["fulfillmentAvailability"][0]["quantity"] == 0
    assert [x["quantity"] for x in shop.sandboxes.ebay.live(SELLER) if x["sku"] == "MUG-1"] == [0]
    assert [x["num"] for x in shop.sandboxes.tmall.items_of(SELLER, "MUG-1")] == [0]


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_sandbox_chaos_still_ends_with_every_sku_live_and_no_duplicate(
    make_shop: Callable[..., Shop], broker: ListingSyncBroker, worker: dramatiq.Worker
) -> None:
    chaos = FaultPlan(
        seed=7, error_rate=0.10, throttle_rate=0.05, hang_rate=0.02, lost_write_rate=0.05, hang_seconds=2.5
    )
    shop = make_shop(faults=chaos)
    skus = [f"MUG-{i:03d}" for i in range(8)]
    shop.save([make_product(sku) for sku in skus])

    # throttled answers ask for waits of up to a minute, which the retries honour
    assert drain(broker, worker, shop, shop.sync(), join_timeout=300_000) == "done"

    for marketplace in MARKETPLACES:
        assert shop.live(marketplace) == set(skus), marketplace
        assert shop.creates(marketplace) == dict.fromkeys(skus, 1), marketplace
    assert sum(shop.sandboxes.sandbox(m).faults.injected.total() for m in MARKETPLACES) > 0


def test_a_nightly_run_repairs_a_listing_changed_on_the_marketplace(
    make_shop: Callable[..., Shop], broker: ListingSyncBroker, worker: dramatiq.Worker
) -> None:
    shop = make_shop()
    skus = [f"MUG-{i:03d}" for i in range(4)]
    shop.save([make_product(sku) for sku in skus])
    assert drain(broker, worker, shop, shop.sync(marketplaces=["ebay"])) == "done"
    connector = shop.context.connectors.get(SELLER, "ebay")
    [result] = connector.push([Change(Action.UPDATE_OFFER, "MUG-002", make_product("MUG-002", quantity=99))])
    assert result.ok

    with writing(shop.engine) as conn:
        run_id = open_run(conn, SELLER, kind="nightly", marketplaces=["ebay"])
    start_run(run_id)
    assert drain(broker, worker, shop, run_id) == "done"

    assert {x["sku"]: x["quantity"] for x in shop.sandboxes.ebay.live(SELLER)} == dict.fromkeys(skus, 5)


def test_two_runs_at_once_and_a_redelivered_message_create_no_second_listing(
    make_shop: Callable[..., Shop], broker: ListingSyncBroker, worker: dramatiq.Worker
) -> None:
    shop = make_shop()
    skus = [f"MUG-{i:03d}" for i in range(10)]
    shop.save([make_product(sku) for sku in skus])

    first, second = shop.sync(), shop.sync()
    assert drain(broker, worker, shop, first) == "done"
    assert drain(broker, worker, shop, second) == "done"
    with shop.engine.connect() as conn:
        batch_ids = list(conn.execute(sa.select(SyncBatch.id)).scalars())
    for batch_id in batch_ids:  # every push message delivered once more
        broker.get_actor("push_first").send(batch_id)
    drain(broker, worker, shop, first)

    for marketplace in MARKETPLACES:
        assert shop.creates(marketplace) == dict.fromkeys(skus, 1), marketplace
        assert shop.live(marketplace) == set(skus), marketplace
