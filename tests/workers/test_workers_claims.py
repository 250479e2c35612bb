"""SKU claims: one push at a time per SKU, taken all at once, lapsing with a dead holder."""

from __future__ import annotations

import uuid

import pytest
import redis

from workers.claims import Busy, Claim


@pytest.fixture
def client(redis_url: str) -> redis.Redis:
    return redis.Redis.from_url(redis_url)


def test_an_overlapping_batch_waits_and_a_disjoint_one_does_not(client: redis.Redis) -> None:
    prefix = f"t-{uuid.uuid4().hex[:6]}"
    with Claim(client, prefix, "s1", "ebay", ["A", "B"]):
        with pytest.raises(Busy) as busy, Claim(client, prefix, "s1", "ebay", ["C", "B"]):
            pass
        assert busy.value.sku == "B"
        assert client.get(f"{prefix}:claim:s1:ebay:C") is None  # all or nothing
        with Claim(client, prefix, "s1", "ebay", ["C"]), Claim(client, prefix, "s1", "amazon", ["A"]):
            pass
    with Claim(client, prefix, "s1", "ebay", ["B"]):
        pass


def test_a_claim_lapses_after_its_lease_when_nobody_renews_it(client: redis.Redis) -> None:
    prefix = f"t-{uuid.uuid4().hex[:6]}"
    claim = Claim(client, prefix, "s1", "ebay", ["A"], lease=30.0)
    claim._take(keys=claim.keys, args=[claim.token, 30_000])  # taken by a worker that then died
    assert 0 < client.pttl(claim.keys[0]) <= 30_000
