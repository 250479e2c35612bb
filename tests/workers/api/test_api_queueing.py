"""Pipelined enqueues are ordinary dramatiq messages: a consumer of the queue receives each one once."""

from __future__ import annotations

import uuid

import dramatiq

from workers.api.queueing import enqueue_all
from workers.broker import PLAN, build_broker


def test_messages_enqueued_in_one_round_trip_are_consumed_like_any_other(redis_url: str) -> None:
    own = build_broker(redis_url, namespace=f"test-queueing-{uuid.uuid4().hex[:8]}")
    try:
        messages = [
            dramatiq.Message(queue_name=PLAN, actor_name="plan", args=(f"run-{i}",), kwargs={}, options={})
            for i in range(5)
        ]
        enqueue_all(own, messages)
        consumer = own.consume(PLAN, timeout=2000)
        received = []
        for message in consumer:
            if message is None:
                break
            received.append(message.args[0])
            consumer.ack(message)
        consumer.close()
        assert sorted(received) == [f"run-{i}" for i in range(5)]
        assert own.client.hlen(f"{own.namespace}:{PLAN}.msgs") == 0
    finally:
        if keys := own.client.keys(f"{own.namespace}:*"):
            own.client.delete(*keys)
        own.close()
