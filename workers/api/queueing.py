"""Start many runs in one Redis round trip: dramatiq's own enqueue, pipelined.

`RedisBroker.enqueue` costs a round trip per message; the API's committer starts a batch of runs at once,
so it sends the same dispatch script for every message in one pipeline (middleware hooks run as usual).
The script is called by its digest alone, without redis-py's check that the server has it (a round trip
of its own before every pipeline); should the server have lost it (a restart), the messages it refused are
sent again through the script, which loads it. Any other broker falls back to one `enqueue` per message.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import dramatiq
import redis
from dramatiq.brokers.redis import RedisBroker
from dramatiq.common import current_millis
from redis.exceptions import NoScriptError


def enqueue_all(broker: dramatiq.Broker, messages: Sequence[dramatiq.Message]) -> None:
    """Enqueue `messages` as `broker.enqueue` would, in one round trip on a Redis broker."""
    if not isinstance(broker, RedisBroker):
        for message in messages:
            broker.enqueue(message)
        return
    sent, calls = [], []
    for message in messages:
        message = message.copy(options={"redis_message_id": str(uuid.uuid4())})
        broker.emit_before("enqueue", message, None)
        sent.append(message)
        calls.append(_dispatch_args(broker, message))
    dispatch = broker.scripts["dispatch"]
    if refused := _by_digest(broker.client, dispatch.sha, broker.namespace, calls):
        pipe = broker.client.pipeline(transaction=False)
        for args in refused:
            dispatch(keys=[broker.namespace], args=args, client=pipe)
        pipe.execute()
    for message in sent:
        broker.emit_after("enqueue", message, None)


def _dispatch_args(broker: RedisBroker, message: dramatiq.Message) -> list[Any]:
    return [
        "enqueue",
        current_millis(),
        message.queue_name,
        broker.broker_id,
        broker.heartbeat_timeout,
        broker.dead_message_ttl,
        broker._should_do_maintenance("enqueue"),
        broker._max_unpack_size(),
        message.options["redis_message_id"],
        message.encode(),
    ]


def _by_digest(client: redis.Redis, sha: str, namespace: str, calls: list[list[Any]]) -> list[list[Any]]:
    """EVALSHA each call in one pipeline; the calls the server refused for not knowing the script."""
    pipe = client.pipeline(transaction=False)
    for args in calls:
        pipe.evalsha(sha, 1, namespace, *args)
    refused = []
    for args, result in zip(calls, pipe.execute(raise_on_error=False), strict=True):
        if isinstance(result, NoScriptError):
            refused.append(args)
        elif isinstance(result, Exception):
            raise result
    return refused


def start_runs(run_ids: Sequence[str]) -> None:
    """`workers.runs.start_run` for many runs at once, on the global broker."""
    from workers import actors

    enqueue_all(dramatiq.get_broker(), [actors.plan.message(run_id) for run_id in run_ids])
