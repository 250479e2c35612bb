"""TOP's daily call quota per app: counted per calendar day in China (GMT+8), reset at midnight."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable

DAY_SECONDS = 86_400
GMT8_OFFSET = 8 * 3600


class DailyQuota:
    """At most `limit` calls per app and GMT+8 day; `take` answers 0 to go on, else seconds to midnight."""

    def __init__(self, limit: int, *, clock: Callable[[], float], enabled: bool = True) -> None:
        if limit < 1:
            raise ValueError("a daily quota must allow at least one call")
        self.limit = limit
        self.enabled = enabled
        self._clock = clock
        self._used: dict[str, tuple[int, int]] = {}  # app -> (day number, calls that day)
        self._lock = threading.Lock()

    def take(self, app: str) -> int:
        if not self.enabled:
            return 0
        local = self._clock() + GMT8_OFFSET
        day = int(local // DAY_SECONDS)
        with self._lock:
            seen_day, used = self._used.get(app, (day, 0))
            if seen_day != day:
                used = 0
            if used >= self.limit:
                return max(1, math.ceil((day + 1) * DAY_SECONDS - local))
            self._used[app] = (day, used + 1)
            return 0

    def used(self, app: str) -> int:
        """Calls counted today for `app`."""
        day = int((self._clock() + GMT8_OFFSET) // DAY_SECONDS)
        with self._lock:
            seen_day, used = self._used.get(app, (day, 0))
            return used if seen_day == day else 0

    def reset(self) -> None:
        with self._lock:
            self._used.clear()
