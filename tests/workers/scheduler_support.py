"""Helpers for the scheduler tests: a clock that stands still until moved, and UTC times."""

from __future__ import annotations

import datetime as dt

LONG_AGO = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now
