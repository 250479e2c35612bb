"""What a marketplace search yields, what it skips, and how it waits its turn between calls."""

from __future__ import annotations

import abc
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

log = logging.getLogger(__name__)

RateGate = Callable[[str], None]
"""Called with an operation name before each call; returns when the call may go (it may block)."""


@dataclass(frozen=True)
class FoundListing:
    """One listing a marketplace search found: who sells what, for how much, with which images.

    `listing_id` is the marketplace's own (eBay itemId, Amazon `ASIN/SellerId`, TOP num_iid); `ids` holds
    its parts by name. `image_urls` start with the main image.
    """

    marketplace: str
    listing_id: str
    title: str
    seller: str
    price: Decimal
    currency: str
    image_urls: tuple[str, ...]
    url: str
    ids: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Skipped:
    """A listing in an answer that could not be read; the search went on without it."""

    marketplace: str
    listing_id: str
    field: str
    reason: str


class BadListing(Exception):
    """Raised while reading one listing of an answer: the listing is skipped, the search goes on."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def money(value: Any, field: str) -> Decimal:
    """A price as Decimal; `BadListing` when it is missing, not a number, or not above 0."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise BadListing(field, f"is not a number ({str(value)[:20]!r})") from None
    if not amount.is_finite() or amount <= 0:
        raise BadListing(field, f"must be above 0 ({amount})")
    return amount


def text(value: Any, field: str) -> str:
    if not isinstance(value, str | int) or not str(value).strip():
        raise BadListing(field, "is missing")
    return str(value).strip()


class Search(abc.ABC):
    """A keyword search on one marketplace account; `search` pages through every result."""

    marketplace = ""

    def __init__(self, rate_gate: RateGate | None = None) -> None:
        self.rate_gate = rate_gate
        self.skipped: list[Skipped] = []
        self.calls = 0

    @abc.abstractmethod
    def search(self, keyword: str, *, limit: int | None = None) -> Iterator[FoundListing]:
        """Every listing matching `keyword` (at most `limit`), page by page as the caller reads."""

    def wait_turn(self, operation: str) -> None:
        if self.rate_gate is not None:
            self.rate_gate(operation)
        self.calls += 1

    def skip(self, listing_id: str, bad: BadListing) -> None:
        found = Skipped(self.marketplace, listing_id, bad.field, bad.reason)
        self.skipped.append(found)
        log.warning("%s listing %s skipped: %s %s", self.marketplace, listing_id, bad.field, bad.reason)


class LocalRateLimiter:
    """A sleep-based token bucket per operation, for one process: the default `RateGate`.

    `rates` maps an operation to (requests per second, burst); other operations pass at once.
    """

    def __init__(
        self,
        rates: Mapping[str, tuple[float, int]],
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rates = dict(rates)
        self.clock = clock
        self.sleep = sleep
        self._buckets: dict[str, tuple[float, float]] = {}  # operation -> (tokens, stamp)
        self._lock = threading.Lock()

    def __call__(self, operation: str) -> None:
        rate = self.rates.get(operation)
        if rate is None:
            return
        per_second, burst = rate
        with self._lock:  # one caller at a time takes (and, if need be, waits for) its token
            now = self.clock()
            tokens, stamp = self._buckets.get(operation, (float(burst), now))
            tokens = min(float(burst), tokens + (now - stamp) * per_second)
            if tokens < 1.0:
                wait = (1.0 - tokens) / per_second
                self.sleep(wait)
                now, tokens = now + wait, 1.0
            self._buckets[operation] = (tokens - 1.0, now)
