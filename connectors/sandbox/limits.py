"""Token buckets per account and operation: how a sandbox enforces a marketplace's documented rates."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Rate:
    """A documented limit: `per_second` tokens restored each second, at most `burst` held."""

    per_second: float
    burst: int


class TokenBucket:
    """A bucket that starts full; `take` answers 0 when a token was taken, else the seconds to wait."""

    def __init__(self, rate: Rate, now: float) -> None:
        self.rate = rate
        self.tokens = float(rate.burst)
        self.stamp = now

    def take(self, now: float) -> float:
        elapsed = max(0.0, now - self.stamp)
        self.tokens = min(float(self.rate.burst), self.tokens + elapsed * self.rate.per_second)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / self.rate.per_second


class RateLimiter:
    """Per (account, operation) token buckets; operations without a rate are not limited."""

    def __init__(
        self,
        rates: Mapping[str, Rate],
        *,
        enabled: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rates = dict(rates)
        self.enabled = enabled
        self._clock = clock
        self._buckets: dict[tuple[str, str], TokenBucket] = {}
        self._lock = threading.Lock()
        self.throttled = 0

    def check(self, account: str, operation: str) -> float:
        """Take a token for the call; 0.0 means go ahead, more means throttled for that many seconds."""
        rate = self.rates.get(operation)
        if not self.enabled or rate is None:
            return 0.0
        with self._lock:
            now = self._clock()
            bucket = self._buckets.get((account, operation))
            if bucket is None:
                bucket = self._buckets[(account, operation)] = TokenBucket(rate, now)
            wait = bucket.take(now)
            if wait:
                self.throttled += 1
            return wait

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()
            self.throttled = 0
