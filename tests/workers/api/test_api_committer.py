"""Group commit: a batch of deliveries ends as the same deliveries one by one would, and says so."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator, Sequence

import dramatiq
import pytest
import sqlalchemy as sa
from api_client import product
from sqlalchemy import Engine

from workers import runs
from workers.api.committer import Committer, Delivery, write_batch
from workers.api.errors import Unavailable
from workers.api.intake import Answer, validate
from workers.api.payloads import CatalogDeleted, CatalogUpdated, Event
from workers.api.queueing import enqueue_all
from workers.broker import PLAN, build_broker, start_valkey
from workers.store.models import Product, SyncRun, WebhookDelivery
from workers.store.sellers import add_seller


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.fixture
def seller(engine: Engine) -> str:
    with engine.begin() as conn:
        add_seller(conn, "shop-1")
    return "shop-1"


def delivery(loop: asyncio.AbstractEventLoop, webhook_id: str, event: Event) -> Delivery:
    found = Delivery("shop-1", webhook_id, event, loop, loop.create_future())
    if isinstance(event, CatalogUpdated):
        found.valid, found.rejected = validate(event.products)
    return found


def updated(*products: dict[str, object]) -> CatalogUpdated:
    return CatalogUpdated(products=list(products))


def test_a_batch_applies_deliveries_in_the_order_they_came(
    engine: Engine, seller: str, loop: asyncio.AbstractEventLoop
) -> None:
    batch = [
        delivery(loop, "m1", updated(product("X", quantity=1), product("Y"))),
        delivery(loop, "m2", CatalogDeleted(skus=["X"])),
        delivery(loop, "m3", updated(product("X", quantity=3))),
        delivery(loop, "m4", CatalogDeleted(skus=["Y"])),
    ]
    answers = write_batch(engine, batch)
    assert [a.body["accepted"] for a in answers] == [2, 1, 1, 1]
    with engine.connect() as conn:
        rows = {r.sku: r for r in conn.execute(sa.select(Product))}
        assert conn.execute(sa.select(sa.func.count()).select_from(WebhookDelivery)).scalar() == 4
    assert rows["X"].deleted_at is None and rows["X"].data["quantity"] == 3
    assert rows["Y"].deleted_at is not None


def test_the_same_id_twice_in_a_batch_is_done_once_and_answered_alike(
    engine: Engine, seller: str, loop: asyncio.AbstractEventLoop
) -> None:
    event = updated(product("X"))
    first, again = write_batch(engine, [delivery(loop, "m1", event), delivery(loop, "m1", event)])
    assert again.body == first.body and again.replayed and again.start is None
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(SyncRun)).scalar() == 1


def test_a_batch_run_reads_back_like_one_opened_by_open_run(
    engine: Engine, seller: str, loop: asyncio.AbstractEventLoop
) -> None:
    (answer,) = write_batch(engine, [delivery(loop, "m1", updated(product("B"), product("A")))])
    with engine.begin() as conn:
        opened = runs.open_run(conn, seller, kind="webhook", skus=["A", "B"])
        ours, theirs = runs.run_scope(conn, answer.start or ""), runs.run_scope(conn, opened)
        progress = runs.run_progress(conn, answer.start or "")
    assert ours[1:] == theirs[1:] == (["A", "B"], None)
    assert (ours[0].kind, ours[0].status, ours[0].progress) == (
        theirs[0].kind,
        theirs[0].status,
        theirs[0].progress,
    )
    assert progress["status"] == "queued"


def starting_on(broker: dramatiq.Broker) -> Callable[[Sequence[str]], None]:
    """Start runs by enqueueing plan messages on `broker` rather than the global one."""

    def start(run_ids: Sequence[str]) -> None:
        messages = [dramatiq.Message(PLAN, "plan", (run_id,), {}, {}) for run_id in run_ids]
        enqueue_all(broker, messages)

    return start


def test_when_the_queue_is_down_the_delivery_is_forgotten_so_a_retry_counts(
    engine: Engine, seller: str, redis_url: str
) -> None:
    server = start_valkey()
    dead = build_broker(server.connection_url, namespace="test-dead")
    server.stop()
    live = build_broker(redis_url, namespace="test-live-committer")

    async def send(committer: Committer) -> Answer | Unavailable:
        try:
            return await committer.submit(seller, "m1", updated(product("X")))
        except Unavailable as exc:
            return exc
        finally:
            committer.close()

    refused = asyncio.run(send(Committer(engine, start=starting_on(dead))))
    assert isinstance(refused, Unavailable) and refused.status == 503
    with engine.connect() as conn:
        assert conn.execute(sa.select(WebhookDelivery)).first() is None
        assert [str(s) for s in conn.execute(sa.select(SyncRun.status)).scalars()] == ["failed"]
    accepted = asyncio.run(send(Committer(engine, start=starting_on(live))))
    assert isinstance(accepted, Answer) and accepted.start is not None
    assert live.client.hlen(f"{live.namespace}:{PLAN}.msgs") == 1
    live.client.delete(*live.client.keys(f"{live.namespace}:*"))
    live.close()
    dead.close()


def test_stored_answers_are_looked_up_by_the_seller_and_id_index_not_a_scan(
    engine: Engine, seller: str, loop: asyncio.AbstractEventLoop
) -> None:
    statements: list[tuple[str, object]] = []

    def keep(conn: object, cursor: object, statement: str, parameters: object, *args: object) -> None:
        if "FROM webhook_deliveries" in statement:
            statements.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", keep)
    try:
        write_batch(
            engine, [delivery(loop, "m1", updated(product("X"))), delivery(loop, "m2", updated(product("Y")))]
        )
    finally:
        sa.event.remove(engine, "before_cursor_execute", keep)
    ((statement, parameters),) = statements
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            plan = [
                str(row[-1]) for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            ]
            assert any("USING INDEX" in step and "seller_id=? AND webhook_id=?" in step for step in plan), (
                plan
            )
        else:
            conn.exec_driver_sql(
                "SET enable_seqscan = off"
            )  # the index wins whenever it can narrow the search
            plan = [str(row[0]) for row in conn.exec_driver_sql(f"EXPLAIN {statement}", parameters)]
            assert any("Index Cond" in step and "seller_id" in step for step in plan), plan
