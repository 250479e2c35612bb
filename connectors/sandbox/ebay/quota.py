"""Daily call quotas, counted per account and calendar day (in eBay's time zone) as eBay counts them."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

# eBay's calendar days (for call quotas and the daily revision limit) are eBay time: US Pacific.
EBAY_TIME = "America/Los_Angeles"


class Calendar:
    """Turns the sandbox clock into eBay calendar days."""

    def __init__(self, clock: Callable[[], float], zone: str = EBAY_TIME) -> None:
        self.clock = clock
        self.zone = ZoneInfo(zone)

    def today(self) -> str:
        return datetime.fromtimestamp(self.clock(), self.zone).date().isoformat()


class DailyQuota:
    """At most `limits[name]` calls of each named quota per account and day; unnamed quotas are free."""

    def __init__(self, limits: dict[str, int], calendar: Calendar, *, enabled: bool = True) -> None:
        self.limits = dict(limits)
        self.calendar = calendar
        self.enabled = enabled
        self._day = ""
        self._used: Counter[tuple[str, str]] = Counter()
        self._lock = threading.Lock()
        self.refused = 0

    def take(self, account: str, name: str) -> bool:
        """Count one call; False (and nothing counted) when the day's quota is used up."""
        limit = self.limits.get(name)
        if not self.enabled or limit is None:
            return True
        today = self.calendar.today()
        with self._lock:
            if today != self._day:
                self._day, self._used = today, Counter()
            if self._used[(account, name)] >= limit:
                self.refused += 1
                return False
            self._used[(account, name)] += 1
            return True

    def used(self, account: str, name: str) -> int:
        with self._lock:
            return self._used[(account, name)] if self._day == self.calendar.today() else 0
