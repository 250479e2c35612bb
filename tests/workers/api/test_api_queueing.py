"""Pipelined enqueues are ordinary dramatiq messages: a consumer of the queue receives each one once."""

from __future__ import annotations

import uuid

import dramatiq
from dramatiq.brokers.redis import RedisBroker

from workers.api.queueing import enqueue_all
from workers.broker import PLAN, build_broker, start_valkey


def plan(run_id: str) -> dramatiq.Message:
    return dramatiq.Message(queue_name=PLAN, actor_name="plan", args=(run_id,), kwargs={}, options={})


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


def consumed(broker: RedisBroker, expected: int) -> list[str]:
    consumer = broker.consume(PLAN, timeout=2000)
    received = []
    for message in consumer:
        if message is None:
            break
        received.append(message.args[0])
        consumer.ack(message)
        if len(received) == expected:
            break
    consumer.close()
    return received


def script_checks(broker: RedisBroker) -> int:
    stats = broker.client.info("commandstats")
    return int(stats.get("cmdstat_script|exists", {}).get("calls", 0))


def test_a_server_that_lost_the_script_gets_it_again_and_each_message_once() -> None:
    server = start_valkey()
    own = build_broker(server.connection_url, namespace="test-queueing")
    try:
        enqueue_all(own, [plan(f"first-{i}") for i in range(3)])  # a new server knows no script yet
        own.client.script_flush()  # as after a restart
        enqueue_all(own, [plan(f"again-{i}") for i in range(3)])
        checks = script_checks(own)
        enqueue_all(own, [plan(f"warm-{i}") for i in range(3)])
        assert script_checks(own) == checks  # the server has the script: no check before sending
        sent = [f"{kind}-{i}" for kind in ("first", "again", "warm") for i in range(3)]
        assert sorted(consumed(own, 9)) == sorted(sent)
        assert own.client.hlen(f"{own.namespace}:{PLAN}.msgs") == 0
    finally:
        own.close()
        server.stop()
