"""Claims on SKUs: one push at a time per seller, marketplace and SKU, across every worker.

Why claims per SKU rather than a lock per account: batches of one run never share a SKU, so they all run in
parallel; only a SKU that two runs (or a redelivered message and its first delivery) want at once waits.
A claim is a Redis key per SKU holding the batch's token, taken for all of a batch's SKUs at once or not at
all (no deadlock between two overlapping batches), with a lease renewed while the push lasts; the claims of
a killed worker lapse after one lease. Together with `decide` re-run under the claim, a SKU already pushed by
the other holder is skipped instead of written twice.
"""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import Sequence
from types import TracebackType

import redis

_TAKE = """
for i, key in ipairs(KEYS) do
  local holder = redis.call('GET', key)
  if holder and holder ~= ARGV[1] then return i end
end
for _, key in ipairs(KEYS) do redis.call('SET', key, ARGV[1], 'PX', ARGV[2]) end
return 0
"""
_RENEW = """
local kept = 0
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then redis.call('PEXPIRE', key, ARGV[2]); kept = kept + 1 end
end
return kept
"""
_RELEASE = """
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then redis.call('DEL', key) end
end
return 0
"""


class Busy(Exception):
    """Another push holds one of the SKUs; try again shortly."""

    def __init__(self, sku: str, retry_after: float) -> None:
        super().__init__(f"SKU {sku} is being pushed by another batch")
        self.sku = sku
        self.retry_after = retry_after


class Claim:
    """A claim on `skus` of one seller and marketplace, held for `lease` seconds and renewed while in use."""

    def __init__(
        self,
        client: redis.Redis,
        prefix: str,
        seller_id: str,
        marketplace: str,
        skus: Sequence[str],
        *,
        lease: float = 60.0,
    ) -> None:
        self.client = client
        self.skus = list(skus)
        self.keys = [f"{prefix}:claim:{seller_id}:{marketplace}:{sku}" for sku in self.skus]
        self.token = uuid.uuid4().hex
        self.lease_ms = max(1, round(lease * 1000))
        self._take = client.register_script(_TAKE)
        self._renew = client.register_script(_RENEW)
        self._release = client.register_script(_RELEASE)
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None

    def __enter__(self) -> Claim:
        if self.keys:
            at = int(self._take(keys=self.keys, args=[self.token, self.lease_ms]))
            if at:
                raise Busy(self.skus[at - 1], min(5.0, self.lease_ms / 4000))
        self._renewer = threading.Thread(target=self._keep, name="claim-renewer", daemon=True)
        self._renewer.start()
        return self

    def _keep(self) -> None:
        while not self._stop.wait(self.lease_ms / 3000):
            try:
                self._renew(keys=self.keys, args=[self.token, self.lease_ms])
            except redis.RedisError:
                continue  # retried next period; the lease covers two misses

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join()
        if self.keys:
            with contextlib.suppress(redis.RedisError):  # else the lease lapses on its own
                self._release(keys=self.keys, args=[self.token])
