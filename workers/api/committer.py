"""Group commit: webhook deliveries that arrive together are written by one thread in one transaction.

A delivery costs a handful of statements; written one transaction each, the store's per-statement overhead
(and on SQLite, the single writer lock) caps intake far below what the HTTP side sustains. Here a request
hands its checked delivery to the committer and awaits the answer; the committer takes whatever has queued
up meanwhile (never waiting to fill a batch, so a lone delivery goes at once), applies the batch in arrival
order with bulk statements, commits, enqueues the new runs, and answers each request. A batch that fails as
a whole (a delivery id raced in from another process, a deadlock, the store away) is redone one delivery at a
time, so each delivery gets its own answer.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection, Engine

from workers.api import intake
from workers.api.errors import Unavailable
from workers.api.intake import Answer
from workers.api.payloads import CatalogUpdated, Event
from workers.api.queueing import start_runs
from workers.api.writelock import WriteLock
from workers.store.db import utcnow
from workers.store.models import RunKind, RunStatus, SyncRun, WebhookDelivery, new_run_id
from workers.store.products import ProductRecord, save_products

log = logging.getLogger(__name__)

MAX_BATCH = 256

# Both columns constrained, so that the (seller_id, webhook_id) index is used, not a scan of every id; built
# once, as building a statement costs more than running it for a small batch.
STORED_ANSWERS = sa.select(
    WebhookDelivery.seller_id, WebhookDelivery.webhook_id, WebhookDelivery.response
).where(
    WebhookDelivery.seller_id.in_(sa.bindparam("sellers", expanding=True)),
    WebhookDelivery.webhook_id.in_(sa.bindparam("ids", expanding=True)),
)


@dataclass
class Delivery:
    seller_id: str
    webhook_id: str
    event: Event
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Answer]
    valid: list[ProductRecord] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)


class Committer:
    """One writer thread per API process; `submit` from the event loop, `close` on shutdown."""

    def __init__(
        self,
        engine: Engine,
        *,
        start: Callable[[Sequence[str]], None] = start_runs,
        max_batch: int = MAX_BATCH,
    ) -> None:
        self.engine = engine
        self.start = start
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[Delivery | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._write_lock = WriteLock.for_engine(engine)

    async def submit(self, seller_id: str, webhook_id: str, event: Event) -> Answer:
        loop = asyncio.get_running_loop()
        delivery = Delivery(seller_id, webhook_id, event, loop, loop.create_future())
        if isinstance(event, CatalogUpdated):
            delivery.valid, delivery.rejected = intake.validate(event.products)
        self._ensure_thread()
        self._queue.put(delivery)
        return await delivery.future

    def close(self) -> None:
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join()
        self._write_lock.close()

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="webhook-committer", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while (first := self._queue.get()) is not None:
            batch = [first]
            while len(batch) < self.max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self._queue.put(None)  # finish this batch, then stop
                    break
                batch.append(item)
            self._handle(batch)

    def _handle(self, batch: list[Delivery]) -> None:
        try:
            with self._write_lock:
                answers: list[Answer | BaseException] = list(write_batch(self.engine, batch))
        except Exception as exc:  # an id raced in from another process, a deadlock, the store away
            log.info("webhook batch of %d redone one by one (%s)", len(batch), type(exc).__name__)
            answers = [self._one(delivery) for delivery in batch]
        self._start_runs(batch, answers)
        for delivery, answer in zip(batch, answers, strict=True):
            delivery.loop.call_soon_threadsafe(_settle, delivery.future, answer)

    def _one(self, delivery: Delivery) -> Answer | BaseException:
        try:
            with self._write_lock:
                return intake.receive(self.engine, delivery.seller_id, delivery.webhook_id, delivery.event)
        except Exception as exc:
            log.warning("webhook delivery %s not stored: %s", delivery.webhook_id, type(exc).__name__)
            return _unavailable("the store", exc)

    def _start_runs(self, batch: list[Delivery], answers: list[Answer | BaseException]) -> None:
        """Enqueue the batch's new runs; if the queue is down, forget those deliveries (a retry counts)."""
        starting = {
            i: answer.start for i, answer in enumerate(answers) if isinstance(answer, Answer) and answer.start
        }
        if not starting:
            return
        try:
            self.start(list(starting.values()))
        except Exception as exc:
            refused = _unavailable("the queue", exc)
            for i, run_id in starting.items():
                try:
                    with self._write_lock:
                        intake.forget(self.engine, batch[i].seller_id, batch[i].webhook_id, run_id)
                except Exception:
                    log.exception("could not forget delivery %s", batch[i].webhook_id)
                answers[i] = refused


def _unavailable(what: str, exc: Exception) -> Unavailable:
    return Unavailable(
        {"message": f"{what} is unavailable ({type(exc).__name__}); retry later"},
        headers={"Retry-After": "5"},
    )


def _settle(future: asyncio.Future[Answer], answer: Answer | BaseException) -> None:
    if future.done():  # the request went away meanwhile
        return
    if isinstance(answer, BaseException):
        future.set_exception(answer)
    else:
        future.set_result(answer)


def write_batch(engine: Engine, batch: Sequence[Delivery]) -> list[Answer]:
    """Apply the deliveries in order in one transaction; raises `IntegrityError` if an id raced in."""
    answers: list[Answer | None] = [None] * len(batch)
    # IMMEDIATE: on SQLite, take the write lock before reading, so two writers never deadlock.
    with engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn, conn.begin():
        stored = _stored(conn, batch)
        first_of: dict[tuple[str, str], int] = {}
        pending: list[int] = []
        for index, delivery in enumerate(batch):
            key = (delivery.seller_id, delivery.webhook_id)
            if key in stored:
                answers[index] = Answer(stored[key], replayed=True)
            elif key in first_of:
                continue  # the same id twice in one batch: answered below as a replay of the first
            elif isinstance(delivery.event, CatalogUpdated):
                first_of[key] = index
                pending.append(index)
            else:
                first_of[key] = index
                _updates(conn, batch, pending, answers)
                body = intake.apply(conn, delivery.seller_id, delivery.event, [], [])
                answers[index] = Answer(body, start=body["run_id"])
        _updates(conn, batch, pending, answers)
        fresh = []
        for (seller_id, webhook_id), index in first_of.items():
            answer = answers[index]
            assert answer is not None
            fresh.append({"seller_id": seller_id, "webhook_id": webhook_id, "response": answer.body})
        if fresh:
            conn.execute(sa.insert(WebhookDelivery), fresh)
    for index, delivery in enumerate(batch):
        if answers[index] is None:
            first = answers[first_of[(delivery.seller_id, delivery.webhook_id)]]
            assert first is not None
            answers[index] = Answer(first.body, replayed=True)
    return [answer for answer in answers if answer is not None]


def _stored(conn: Connection, batch: Sequence[Delivery]) -> dict[tuple[str, str], dict[str, Any]]:
    sellers = list({delivery.seller_id for delivery in batch})
    ids = list({delivery.webhook_id for delivery in batch})
    rows = conn.execute(STORED_ANSWERS, {"sellers": sellers, "ids": ids})
    wanted = {(d.seller_id, d.webhook_id) for d in batch}
    return {(r.seller_id, r.webhook_id): r.response for r in rows if (r.seller_id, r.webhook_id) in wanted}


def _updates(
    conn: Connection, batch: Sequence[Delivery], pending: list[int], answers: list[Answer | None]
) -> None:
    """Store the pending `catalog.updated` deliveries (a later product wins) and open a run for each."""
    if not pending:
        return
    by_seller: dict[str, list[ProductRecord]] = {}
    for index in pending:
        by_seller.setdefault(batch[index].seller_id, []).extend(batch[index].valid)
    # In SKU order (a stable sort: of two versions of one SKU the later still wins), so that two API
    # processes writing overlapping products lock their rows in the same order and never deadlock.
    for seller_id in sorted(by_seller):
        save_products(conn, seller_id, sorted(by_seller[seller_id], key=lambda record: record.sku))
    now = utcnow()
    rows = []
    for index in pending:
        delivery = batch[index]
        run_id = None
        if delivery.valid:
            run_id = new_run_id()
            rows.append(_run_row(run_id, delivery.seller_id, [r.sku for r in delivery.valid], now))
        body = {"run_id": run_id, "accepted": len(delivery.valid), "rejected": delivery.rejected}
        answers[index] = Answer(body, start=run_id)
    if rows:
        conn.execute(sa.insert(SyncRun), rows)
    pending.clear()


def _run_row(run_id: str, seller_id: str, skus: list[str], now: Any) -> dict[str, Any]:
    """A queued webhook run, as `workers.runs.open_run` records one (a test holds the two together)."""
    return {
        "id": run_id,
        "seller_id": seller_id,
        "kind": RunKind.WEBHOOK,
        "status": RunStatus.QUEUED,
        "progress": {"scope": {"skus": sorted(set(skus)), "marketplaces": None}},
        "idempotency_key": None,
        "created_at": now,
    }
