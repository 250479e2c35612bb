"""A rate limiter shared by every worker through Redis: GCRA reservations per account and operation.

Each call reserves the next free slot of its (account, operation) schedule atomically in Redis and learns how
long to wait for it, so any number of workers on any number of hosts together never exceed the documented
rate (`per_second`, with up to `burst` calls at once). A reservation that would wait longer than `max_wait` is
not taken: the caller gets `RateLimited(retry_after)` and should hand the work back to the queue instead of
holding a worker thread.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import redis

# GCRA over Redis TIME (one clock for every worker). KEYS[1]: the schedule key.
# ARGV: interval in microseconds, burst, max wait in microseconds. Returns the wait in microseconds, or -1
# followed by the wait that was refused.
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local max_wait = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local allow_at = tat - (burst - 1) * interval
local wait = allow_at - now
if wait < 0 then wait = 0 end
if wait > max_wait then return {-1, wait} end
local new_tat = tat + interval
redis.call('SET', KEYS[1], new_tat, 'PX', math.ceil((new_tat - now) / 1000) + 1000)
return {0, wait}
"""


@dataclass(frozen=True)
class Limit:
    """A documented rate: `per_second` calls restored each second, at most `burst` at once."""

    per_second: float
    burst: int = 1

    def __post_init__(self) -> None:
        if self.per_second <= 0 or self.burst < 1:
            raise ValueError(f"a rate limit needs per_second > 0 and burst >= 1, got {self}")


class RateLimited(Exception):
    """The next free slot is further away than the caller is willing to wait."""

    def __init__(self, key: str, retry_after: float) -> None:
        super().__init__(f"rate limit {key}: next slot in {retry_after:.2f} s")
        self.key = key
        self.retry_after = retry_after


class SharedRateLimiter:
    """Reserves call slots in Redis under `prefix`; `wait` blocks for the reserved slot."""

    def __init__(
        self,
        client: redis.Redis,
        *,
        prefix: str = "listing-sync:rate",
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._client = client
        self._reserve = client.register_script(_RESERVE)
        self._prefix = prefix
        self._sleep = sleep

    def key(self, account: str, operation: str) -> str:
        return f"{self._prefix}:{account}:{operation}"

    def reserve(self, account: str, operation: str, limit: Limit, *, max_wait: float = 30.0) -> float:
        """Reserve the next slot and return the seconds until it; raise `RateLimited` past `max_wait`."""
        key = self.key(account, operation)
        interval_us = round(1_000_000 / limit.per_second)
        refused, wait_us = self._reserve(keys=[key], args=[interval_us, limit.burst, round(max_wait * 1e6)])
        if refused:
            raise RateLimited(key, wait_us / 1e6)
        return float(wait_us) / 1e6

    def wait(self, account: str, operation: str, limit: Limit, *, max_wait: float = 30.0) -> float:
        """Reserve a slot and sleep until it comes; returns the seconds waited."""
        delay = self.reserve(account, operation, limit, max_wait=max_wait)
        if delay > 0:
            self._sleep(delay)
        return delay
