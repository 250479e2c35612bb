from __future__ import annotations

import threading
import uuid

import pytest
import redis

from workers.ratelimit import Limit, RateLimited, SharedRateLimiter


@pytest.fixture
def limiter(redis_url: str) -> SharedRateLimiter:
    client = redis.Redis.from_url(redis_url)
    return SharedRateLimiter(client, prefix=f"test-rate-{uuid.uuid4().hex}")


def test_a_burst_goes_at_once_and_the_rest_is_spaced_by_the_rate(limiter: SharedRateLimiter) -> None:
    limit = Limit(per_second=5, burst=3)
    waits = [limiter.reserve("seller-1", "putListingsItem", limit) for _ in range(6)]
    assert waits[:3] == [0.0, 0.0, 0.0]
    # Slots 4..6 come one interval (0.2 s) apart; Redis time moves on a little between calls.
    assert 0.15 < waits[3] <= 0.2
    assert 0.35 < waits[4] <= 0.4
    assert 0.55 < waits[5] <= 0.6


def test_accounts_and_operations_have_their_own_schedules(limiter: SharedRateLimiter) -> None:
    limit = Limit(per_second=1, burst=1)
    assert limiter.reserve("a", "put", limit) == 0.0
    assert limiter.reserve("b", "put", limit) == 0.0
    assert limiter.reserve("a", "patch", limit) == 0.0
    assert limiter.reserve("a", "put", limit) > 0.5


def test_a_slot_further_than_max_wait_is_refused_and_not_taken(limiter: SharedRateLimiter) -> None:
    limit = Limit(per_second=1, burst=1)
    limiter.reserve("a", "put", limit)
    second = limiter.reserve("a", "put", limit, max_wait=5)
    with pytest.raises(RateLimited) as refused:
        limiter.reserve("a", "put", limit, max_wait=0.5)
    assert 1.0 < refused.value.retry_after <= 2.0
    # The refusal reserved nothing: the next slot is still one interval after the second.
    third = limiter.reserve("a", "put", limit, max_wait=5)
    assert 0.9 < third - second <= 1.0


def test_concurrent_workers_never_share_a_slot(limiter: SharedRateLimiter) -> None:
    limit = Limit(per_second=100, burst=1)
    waits: list[float] = []
    lock = threading.Lock()

    def reserve_some() -> None:
        for _ in range(25):
            w = limiter.reserve("a", "put", limit, max_wait=60)
            with lock:
                waits.append(w)

    threads = [threading.Thread(target=reserve_some) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # 100 reservations at 100/s span a full second of slots: the last is about 0.99 s away.
    assert len(waits) == 100
    assert max(waits) > 0.9


def test_a_limit_needs_a_positive_rate_and_burst() -> None:
    with pytest.raises(ValueError, match="per_second"):
        Limit(per_second=0)
    with pytest.raises(ValueError):
        Limit(per_second=1, burst=0)
