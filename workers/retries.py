"""The error type decides the retry: transient errors come back after backoff or the wait they asked for."""

from __future__ import annotations

from typing import Any

import dramatiq
import redis
import sqlalchemy.exc
from dramatiq.common import compute_backoff
from dramatiq.middleware import Retries as DramatiqRetries

from connectors.errors import TransientError
from workers.claims import Busy
from workers.ratelimit import RateLimited

MAX_RETRIES = 20
MIN_BACKOFF_MS = 500
MAX_BACKOFF_MS = 5 * 60_000


class RetryLater(dramatiq.Retry):
    """Retry `cause` after `delay` ms: the larger of the backoff and the wait the marketplace asked for."""

    def __init__(self, cause: BaseException, delay: int) -> None:
        super().__init__(f"{type(cause).__name__}: retry in {delay} ms", delay=delay)
        self.cause = cause


#: What is worth trying again: the marketplace or a service was busy or away, not wrong.
TRANSIENT: tuple[type[BaseException], ...] = (
    TransientError,
    RateLimited,
    Busy,
    redis.ConnectionError,
    redis.TimeoutError,
    sqlalchemy.exc.OperationalError,
    dramatiq.Retry,
)


def transient(exc: BaseException) -> bool:
    return isinstance(getattr(exc, "cause", exc), TRANSIENT)


def retry_when(retries: int, exc: BaseException) -> bool:
    """Retry transient failures up to `MAX_RETRIES` times; anything else is recorded once, not retried."""
    return retries < MAX_RETRIES and transient(exc)


def delay_for(
    retries: int, retry_after: float | None, min_ms: int = MIN_BACKOFF_MS, max_ms: int = MAX_BACKOFF_MS
) -> int:
    """Exponential backoff with jitter, but never sooner than `retry_after` seconds."""
    _, backoff = compute_backoff(retries, factor=min_ms, max_backoff=max_ms)
    return max(backoff, round((retry_after or 0.0) * 1000))


class Retries(DramatiqRetries):
    """dramatiq's Retries with `retry_when` above and `retry_after` honoured."""

    def __init__(self, min_backoff: int = MIN_BACKOFF_MS, max_backoff: int = MAX_BACKOFF_MS) -> None:
        super().__init__(
            max_retries=MAX_RETRIES, min_backoff=min_backoff, max_backoff=max_backoff, retry_when=retry_when
        )

    def after_process_message(
        self,
        broker: dramatiq.Broker,
        message: Any,
        *,
        result: Any = None,
        exception: BaseException | None = None,
    ) -> None:
        wait = getattr(exception, "retry_after", None)
        if exception is not None and not isinstance(exception, dramatiq.Retry) and transient(exception):
            retries = message.options.get("retries", 0)
            exception = RetryLater(exception, delay_for(retries, wait, self.min_backoff, self.max_backoff))
        super().after_process_message(broker, message, result=result, exception=exception)
