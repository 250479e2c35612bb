"""The broker: queues and middleware as chosen, and messages of a dead worker redelivered by a heartbeat."""

from __future__ import annotations

import uuid

import dramatiq
import redis
from dramatiq.middleware import AgeLimit, CurrentMessage, Retries, TimeLimit

from connectors.errors import PermanentError, TransientError
from workers.broker import FIRST, PLAN, PUSH, Heartbeat, build_broker
from workers.claims import Busy
from workers.ratelimit import RateLimited
from workers.retries import MAX_RETRIES, delay_for, retry_when


def test_the_broker_declares_a_queue_per_stage_and_the_chosen_middleware(redis_url: str) -> None:
    broker = build_broker(redis_url, namespace=f"t-{uuid.uuid4().hex[:6]}")
    assert {PLAN, FIRST, *PUSH.values(), "check", "email"} <= broker.get_declared_queues()
    kinds = {type(m) for m in broker.middleware}
    assert {AgeLimit, TimeLimit, CurrentMessage, Heartbeat} <= kinds
    assert any(isinstance(m, Retries) for m in broker.middleware)


def test_messages_held_by_a_silent_worker_go_back_to_their_queue_on_the_next_heartbeat(
    redis_url: str,
) -> None:
    namespace = f"t-{uuid.uuid4().hex[:6]}"
    dead = build_broker(redis_url, namespace=namespace, heartbeat_timeout_ms=30_000)
    dead.enqueue(dramatiq.Message(queue_name=PLAN, actor_name="plan", args=("r1",), kwargs={}, options={}))
    consumer = dead.consume(PLAN, prefetch=1, timeout=100)
    assert next(consumer) is not None  # fetched, not acked: held by `dead`
    alive = build_broker(redis_url, namespace=namespace, heartbeat_timeout_ms=30_000)
    alive.heartbeat()
    assert _queued(redis_url, namespace) == 0  # still held: `dead` spoke just now

    # `dead` last spoke long ago (as if killed 31 s back): the next heartbeat of a live worker requeues
    client = redis.Redis.from_url(redis_url)
    client.zadd(f"{namespace}:__heartbeats__", {dead.broker_id: 1})
    alive.heartbeat()
    assert _queued(redis_url, namespace) == 1


def test_only_consuming_workers_count_as_alive_and_a_stopped_one_retires_at_once(redis_url: str) -> None:
    namespace = f"t-{uuid.uuid4().hex[:6]}"
    sender = build_broker(redis_url, namespace=namespace)
    sender.enqueue(dramatiq.Message(queue_name=PLAN, actor_name="plan", args=("r1",), kwargs={}, options={}))
    assert not sender.workers_alive()  # enqueuing (an API, a CLI) is not consuming

    consumer = build_broker(redis_url, namespace=namespace, heartbeat_interval=60)
    worker = dramatiq.Worker(consumer, queues={"check"}, worker_threads=1, worker_timeout=100)
    worker.start()
    try:
        assert sender.workers_alive()  # seen at boot, before the first interval passes
    finally:
        worker.stop()
    assert not sender.workers_alive()


def _queued(redis_url: str, namespace: str) -> int:
    return int(redis.Redis.from_url(redis_url).llen(f"{namespace}:{PLAN}"))


def test_transient_errors_are_retried_and_permanent_ones_are_not() -> None:
    assert retry_when(0, TransientError("503"))
    assert retry_when(0, RateLimited("k", 1.0))
    assert retry_when(0, Busy("SKU-1", 1.0))
    assert not retry_when(0, PermanentError("90220", "missing attribute"))
    assert not retry_when(0, ValueError("a bug"))
    assert not retry_when(MAX_RETRIES, TransientError("503"))


def test_a_retry_waits_at_least_what_the_marketplace_asked_for() -> None:
    assert delay_for(0, 12.0) >= 12_000
    assert delay_for(0, None, 100, 1000) <= 1000
