"""Start many runs in one Redis round trip: dramatiq's own enqueue, pipelined.

`RedisBroker.enqueue` costs a round trip per message; the API's committer starts a batch of runs at once,
so it sends the same dispatch script for every message in one pipeline (middleware hooks run as usual).
Any other broker falls back to one `enqueue` per message.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.common import current_millis


def enqueue_all(broker: dramatiq.Broker, messages: Sequence[dramatiq.Message]) -> None:
    """Enqueue `messages` as `broker.enqueue` would, in one round trip on a Redis broker."""
    if not isinstance(broker, RedisBroker):
        for message in messages:
            broker.enqueue(message)
        return
    dispatch = broker.scripts["dispatch"]
    pipe = broker.client.pipeline(transaction=False)
    sent = []
    for message in messages:
        message = message.copy(options={"redis_message_id": str(uuid.uuid4())})
        broker.emit_before("enqueue", message, None)
        args = [
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
        dispatch(keys=[broker.namespace], args=args, client=pipe)
        sent.append(message)
    pipe.execute()
    for message in sent:
        broker.emit_after("enqueue", message, None)


def start_runs(run_ids: Sequence[str]) -> None:
    """`workers.runs.start_run` for many runs at once, on the global broker."""
    from workers import actors

    enqueue_all(dramatiq.get_broker(), [actors.plan.message(run_id) for run_id in run_ids])
