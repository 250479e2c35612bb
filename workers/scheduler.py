"""The nightly scheduler: one re-sync run per seller per local night, however many replicas run.

Replicas compete for a Redis leader lock (a token with a TTL, renewed on every tick); the leader opens a
nightly run for each seller whose local night has come, under the idempotency key
`nightly:<seller>:<local date>`, which the store's unique constraint makes exactly-once even if two leaders
ever overlap. Only the latest night is ever due, so a scheduler back from downtime opens one catch-up run per
seller, not one per missed night.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import redis
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from workers import runs
from workers.store.models import RunKind, RunStatus, Seller, SyncRun

log = logging.getLogger(__name__)

DEFAULT_HOUR = 2
#: A nightly run still queued this long after it was opened is started again (planning is idempotent).
STALE_QUEUED = dt.timedelta(minutes=15)
LOCK_KEY = "listing-sync:scheduler:leader"

# Take the lock if it is free, renew it if we hold it; 1 when we are the leader.
_HOLD = """
local holder = redis.call('get', KEYS[1])
if holder == ARGV[1] then
  redis.call('pexpire', KEYS[1], ARGV[2])
  return 1
end
if not holder then
  redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


class LeaderLock:
    """A lock held by one replica at a time; it lapses `ttl` seconds after its holder stops renewing."""

    def __init__(self, client: redis.Redis, key: str = LOCK_KEY, ttl: float = 90.0) -> None:
        self.key = key
        self.ttl_ms = int(ttl * 1000)
        self.token = uuid.uuid4().hex
        self._hold = client.register_script(_HOLD)
        self._release = client.register_script(_RELEASE)

    def hold(self) -> bool:
        """Take or renew the lock; False while another replica holds it."""
        return bool(self._hold(keys=[self.key], args=[self.token, self.ttl_ms]))

    def release(self) -> None:
        self._release(keys=[self.key], args=[self.token])


def night_of(now: dt.datetime, timezone: str, hour: int) -> dt.date:
    """The local date of the latest night whose `hour` has come at `now` (the day before, until it has).

    Wall-clock based, so a night whose hour falls in a DST gap comes when the clock jumps past it, and an
    hour repeated when clocks go back counts once (the date is the key).
    """
    local = now.astimezone(ZoneInfo(timezone))
    return local.date() if local.hour >= hour else local.date() - dt.timedelta(days=1)


def night_starts(night: dt.date, timezone: str, hour: int) -> dt.datetime:
    """The moment (UTC) the night's `hour` comes; a time in a DST gap maps to just after the gap."""
    local = dt.datetime.combine(night, dt.time(hour), tzinfo=ZoneInfo(timezone))
    return local.astimezone(dt.UTC)


def nightly_key(seller_id: str, night: dt.date) -> str:
    return f"nightly:{seller_id}:{night.isoformat()}"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Scheduler:
    """Ticks every `interval` seconds; the leader opens and starts the nightly runs that are due."""

    engine: Engine
    lock: LeaderLock
    hour: int = DEFAULT_HOUR
    interval: float = 30.0
    clock: Callable[[], dt.datetime] = utcnow

    def __post_init__(self) -> None:
        if not 0 <= self.hour <= 23:
            raise ValueError(f"hour: expected 0 to 23, got {self.hour}")

    def tick(self) -> list[str]:
        """One pass: the runs this replica opened (none unless it is the leader)."""
        if not self.lock.hold():
            return []
        return self.schedule(self.clock())

    def schedule(self, now: dt.datetime) -> list[str]:
        """Open and start a nightly run for every seller whose latest night has none yet."""
        with self.engine.connect() as conn:
            sellers = conn.execute(sa.select(Seller.id, Seller.timezone, Seller.created_at)).all()
            due = {}
            for seller in sellers:
                night = night_of(now, seller.timezone, self.hour)
                # A seller added after its latest night began waits for the next one.
                if night_starts(night, seller.timezone, self.hour) >= seller.created_at:
                    due[nightly_key(seller.id, night)] = seller.id
            query = sa.select(SyncRun.idempotency_key, SyncRun.id, SyncRun.status, SyncRun.created_at).where(
                SyncRun.idempotency_key.in_(list(due))
            )
            found = conn.execute(query).all() if due else []
        done = {row.idempotency_key for row in found}
        for row in found:
            # Opened but never planned: the leader that opened it may have died before starting it.
            if row.status == RunStatus.QUEUED and row.created_at < now - STALE_QUEUED:
                log.info("nightly run %s still queued after %s; starting it again", row.id, STALE_QUEUED)
                runs.start_run(row.id)
        opened = []
        for key, seller_id in due.items():
            if key in done:
                continue
            # IMMEDIATE: on SQLite, take the write lock before open_run reads, so two leaders never deadlock.
            with self.engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn, conn.begin():
                # Returns the existing run when another leader opened this night's a moment ago.
                run_id = runs.open_run(conn, seller_id, kind=RunKind.NIGHTLY, idempotency_key=key)
            runs.start_run(run_id)  # starting a run twice is harmless: planning is idempotent
            log.info("nightly run %s opened for seller %s (%s)", run_id, seller_id, key)
            opened.append(run_id)
        return opened

    def run(self, stop: threading.Event) -> None:
        """Tick until `stop` is set; a failed tick (Redis or the database away) is logged and retried."""
        try:
            while not stop.is_set():
                try:
                    self.tick()
                except (redis.RedisError, SQLAlchemyError) as exc:
                    log.warning(
                        "scheduler tick failed (%s); retrying in %ss", type(exc).__name__, self.interval
                    )
                stop.wait(self.interval)
        finally:
            with contextlib.suppress(redis.RedisError):  # it lapses by itself
                self.lock.release()
