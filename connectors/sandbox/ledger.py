"""What a sandbox has seen per seller and SKU, so a test can prove "no duplicate listing"."""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass


@dataclass
class SkuCounts:
    """Accepted writes for one SKU: creates (a new listing appeared), updates, ends."""

    creates: int = 0
    updates: int = 0
    ends: int = 0


class Ledger:
    """Thread-safe counters per (seller, sku)."""

    def __init__(self) -> None:
        self._counts: dict[tuple[str, str], SkuCounts] = defaultdict(SkuCounts)
        self._lock = threading.Lock()

    def created(self, seller: str, sku: str) -> None:
        with self._lock:
            self._counts[(seller, sku)].creates += 1

    def updated(self, seller: str, sku: str) -> None:
        with self._lock:
            self._counts[(seller, sku)].updates += 1

    def ended(self, seller: str, sku: str) -> None:
        with self._lock:
            self._counts[(seller, sku)].ends += 1

    def counts(self, seller: str, sku: str) -> SkuCounts:
        with self._lock:
            c = self._counts.get((seller, sku), SkuCounts())
            return SkuCounts(c.creates, c.updates, c.ends)

    def all(self, seller: str) -> dict[str, SkuCounts]:
        with self._lock:
            return {
                sku: SkuCounts(c.creates, c.updates, c.ends)
                for (s, sku), c in self._counts.items()
                if s == seller
            }

    def total_writes(self) -> int:
        with self._lock:
            return sum(c.creates + c.updates + c.ends for c in self._counts.values())
