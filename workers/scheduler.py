"""The nightly scheduler: one re-sync run per seller per local night, one marketplace scan per brand per
night, the daily alert digests, and a periodic sweep of unsent alerts, however many replicas run.

Replicas compete for a Redis leader lock (a token with a TTL, renewed on every tick); the leader opens a
nightly run for each seller whose local night has come, under the idempotency key
`nightly:<seller>:<local date>`, which the store's unique constraint makes exactly-once even if two leaders
ever overlap. Only the latest night is ever due, so a scheduler back from downtime opens one catch-up run per
seller, not one per missed night.

Brands have no time zone: each brand with official images is scanned once per UTC night at `scan_hour`,
under the scan key `nightly:<brand id>:<date>` (unique in `brand_scans`). The digests of the contacts that
take one go out once per UTC day at the same hour (a Redis key per day marks them sent), and every
`sweep_every` the leader hands the alerts still unsent after a mail outage back to the e-mail actor.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import redis
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from workers import runs
from workers.store.brand_models import Brand, BrandImage, BrandScan, ScanStatus
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
        self._client = client
        self._hold = client.register_script(_HOLD)
        self._release = client.register_script(_RELEASE)

    def hold(self) -> bool:
        """Take or renew the lock; False while another replica holds it."""
        return bool(self._hold(keys=[self.key], args=[self.token, self.ttl_ms]))

    def release(self) -> None:
        self._release(keys=[self.key], args=[self.token])

    def mark(self, name: str, ttl: dt.timedelta) -> bool:
        """Set the flag `<lock key>:<name>` for `ttl`; True only for the first caller (once per name)."""
        return bool(
            self._client.set(f"{self.key}:{name}", self.token, nx=True, px=int(ttl.total_seconds() * 1000))
        )


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
    #: the UTC hour of the nightly brand scans and the daily digests
    scan_hour: int = DEFAULT_HOUR
    sweep_every: dt.timedelta = dt.timedelta(minutes=10)
    _last_sweep: dt.datetime | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        for name in ("hour", "scan_hour"):
            if not 0 <= getattr(self, name) <= 23:
                raise ValueError(f"{name}: expected 0 to 23, got {getattr(self, name)}")

    def tick(self) -> list[str]:
        """One pass: the runs this replica opened (none unless it is the leader); as leader it also opens
        the brand scans due, sends the digests due and sweeps unsent alerts."""
        if not self.lock.hold():
            return []
        now = self.clock()
        opened = self.schedule(now)
        self.schedule_scans(now)
        self.send_digests(now)
        self.sweep(now)
        return opened

    def schedule_scans(self, now: dt.datetime) -> list[int]:
        """Open and start tonight's scan of every brand with official images that has none yet; a scan
        opened but still queued after `STALE_QUEUED` is started again. Returns the scans started."""
        from workers.actors import scan_brand
        from workers.scan_runs import nightly_scan_key, open_scan

        night = night_of(now, "UTC", self.scan_hour)
        begins = night_starts(night, "UTC", self.scan_hour)
        with self.engine.connect() as conn:
            brands = conn.execute(
                sa.select(Brand.id)
                .where(Brand.created_at <= begins, sa.exists().where(BrandImage.brand_id == Brand.id))
                .order_by(Brand.id)
            ).scalars()
            keys = {nightly_scan_key(brand_id, night): brand_id for brand_id in brands}
            found = conn.execute(
                sa.select(BrandScan.scan_key, BrandScan.status, BrandScan.created_at).where(
                    BrandScan.scan_key.in_(list(keys))
                )
            ).all()
        opened_before = {r.scan_key for r in found}
        stale = {
            r.scan_key for r in found if r.status == ScanStatus.QUEUED and r.created_at < now - STALE_QUEUED
        }
        started = []
        for key, brand_id in keys.items():
            if key in opened_before and key not in stale:
                continue
            with self.engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn, conn.begin():
                scan_id, opened = open_scan(conn, brand_id, key=key)
            if opened or key in stale:
                scan_brand.send(scan_id)  # a scan already done is skipped by the actor
                log.info("nightly scan %s of brand %s (%s)", scan_id, brand_id, key)
                started.append(scan_id)
        return started

    def send_digests(self, now: dt.datetime) -> int:
        """Once per UTC day from `scan_hour`: hand each digest contact with news to the e-mail actor."""
        from workers.actors import send_digest_mail
        from workers.mail import digests_due

        day = night_of(now, "UTC", self.scan_hour)
        with self.engine.connect() as conn:
            contacts = digests_due(conn)
        if not self.lock.mark(f"digests:{day.isoformat()}", ttl=dt.timedelta(days=3)):
            return 0
        for contact_id in contacts:
            send_digest_mail.send(contact_id)
        if contacts:
            log.info("daily digests for %s: %d contacts", day, len(contacts))
        return len(contacts)

    def sweep(self, now: dt.datetime) -> int:
        """Every `sweep_every`: hand every alert still unsent back to the e-mail actor."""
        from workers.actors import sweep_pending_alerts

        if self._last_sweep is not None and now - self._last_sweep < self.sweep_every:
            return 0
        self._last_sweep = now
        swept = sweep_pending_alerts(self.engine)
        if swept:
            log.info("%d unsent alerts handed back to the e-mail actor", swept)
        return swept

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
