"""The nightly scheduler with an injected clock: local nights, DST edges, catch-up, and replicas racing."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

import pytest
import redis
import sqlalchemy as sa
from scheduler_support import LONG_AGO, Clock, utc
from sqlalchemy import Engine

from workers.scheduler import LeaderLock, Scheduler, night_of
from workers.store.models import Seller, SyncRun
from workers.store.sellers import add_seller

pytestmark = pytest.mark.usefixtures("broker")  # runs are started on the project's broker


def sellers(engine: Engine, **zones: str) -> None:
    with engine.begin() as conn:
        for seller_id, zone in zones.items():
            add_seller(conn, seller_id.replace("_", "-"), timezone=zone)
        conn.execute(sa.update(Seller).values(created_at=LONG_AGO))


def nightly_keys(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return sorted(
            conn.execute(sa.select(SyncRun.idempotency_key).where(SyncRun.kind == "nightly")).scalars()
        )


def scheduler(engine: Engine, client: redis.Redis, lock_key: str, clock: Clock) -> Scheduler:
    return Scheduler(engine, LeaderLock(client, lock_key, ttl=60), clock=clock)


def test_each_seller_is_due_at_its_own_local_hour(engine: Engine, client: redis.Redis, lock_key: str) -> None:
    sellers(engine, shanghai="Asia/Shanghai", la="America/Los_Angeles")
    clock = Clock(utc(2026, 6, 10, 17, 59))  # 01:59 on the 11th in Shanghai, 10:59 on the 10th in LA
    nightly = scheduler(engine, client, lock_key, clock)
    assert len(nightly.tick()) == 2
    assert nightly_keys(engine) == ["nightly:la:2026-06-10", "nightly:shanghai:2026-06-10"]
    clock.now = utc(2026, 6, 10, 18, 0)  # 02:00 on the 11th in Shanghai
    assert len(nightly.tick()) == 1
    assert nightly.tick() == []
    assert nightly_keys(engine)[-1] == "nightly:shanghai:2026-06-11"
    clock.now = utc(2026, 6, 11, 9, 0)  # 02:00 on the 11th in LA
    assert len(nightly.tick()) == 1
    assert len(nightly_keys(engine)) == 4


def test_a_night_whose_hour_is_skipped_by_dst_still_comes_once(
    engine: Engine, client: redis.Redis, lock_key: str
) -> None:
    sellers(engine, ny="America/New_York")
    clock = Clock(utc(2026, 3, 8, 6, 59))  # 01:59 EST; clocks then jump from 02:00 to 03:00
    nightly = scheduler(engine, client, lock_key, clock)
    nightly.tick()
    assert nightly_keys(engine) == ["nightly:ny:2026-03-07"]
    clock.now = utc(2026, 3, 8, 7, 0)  # 03:00 EDT
    assert len(nightly.tick()) == 1
    clock.now = utc(2026, 3, 8, 12, 0)
    assert nightly.tick() == []
    assert nightly_keys(engine) == ["nightly:ny:2026-03-07", "nightly:ny:2026-03-08"]


def test_an_hour_repeated_when_clocks_go_back_runs_once(
    engine: Engine, client: redis.Redis, lock_key: str
) -> None:
    sellers(engine, ny="America/New_York")
    clock = Clock(utc(2026, 11, 1, 5, 0))  # 01:00 EDT, the first time
    nightly = Scheduler(engine, LeaderLock(client, lock_key), hour=1, clock=clock)
    assert len(nightly.tick()) == 1
    clock.now = utc(2026, 11, 1, 6, 0)  # 01:00 EST, the second time
    assert nightly.tick() == []
    assert nightly_keys(engine) == ["nightly:ny:2026-11-01"]


def test_downtime_of_several_nights_gets_one_catch_up_run(
    engine: Engine, client: redis.Redis, lock_key: str
) -> None:
    sellers(engine, berlin="Europe/Berlin")
    clock = Clock(utc(2026, 6, 1, 0, 30))  # 02:30 in Berlin
    nightly = scheduler(engine, client, lock_key, clock)
    nightly.tick()
    clock.now = utc(2026, 6, 5, 15, 0)  # back four nights later
    assert len(nightly.tick()) == 1
    assert nightly.tick() == []
    assert nightly_keys(engine) == ["nightly:berlin:2026-06-01", "nightly:berlin:2026-06-05"]


def test_a_seller_added_after_tonights_hour_waits_for_the_next_night(
    engine: Engine, client: redis.Redis, lock_key: str
) -> None:
    with engine.begin() as conn:
        add_seller(conn, "new-shop", timezone="UTC")
        conn.execute(sa.update(Seller).values(created_at=utc(2026, 6, 1, 9, 0)))
    clock = Clock(utc(2026, 6, 1, 10, 0))
    nightly = scheduler(engine, client, lock_key, clock)
    assert nightly.tick() == []
    clock.now = utc(2026, 6, 2, 2, 0)
    assert len(nightly.tick()) == 1


def test_two_replicas_open_one_run_per_seller_night(
    engine: Engine, client: redis.Redis, lock_key: str
) -> None:
    sellers(engine, **{f"s{i}": zone for i, zone in enumerate(["UTC", "Asia/Tokyo", "Europe/Paris"] * 4)})
    clock = Clock(utc(2026, 6, 10, 3, 0))
    replicas = [scheduler(engine, client, lock_key, clock) for _ in range(2)]
    barrier = threading.Barrier(2)
    opened: list[list[str]] = [[], []]

    def replica(index: int) -> None:
        for _ in range(3):
            barrier.wait()
            opened[index] += replicas[index].tick()

    threads = [threading.Thread(target=replica, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(opened[0]) + len(opened[1]) == 12
    assert [] in opened  # only the leader opened any
    keys = nightly_keys(engine)
    assert len(keys) == len(set(keys)) == 12


def test_two_leaders_at_once_still_open_one_run_per_seller_night(
    engine: Engine, client: redis.Redis, lock_key: str
) -> None:
    # As if the lock had lapsed while the first leader was paused: the store's key is the last guard.
    sellers(engine, **{f"s{i}": "UTC" for i in range(10)})
    clock = Clock(utc(2026, 6, 10, 3, 0))
    replicas = [Scheduler(engine, LeaderLock(client, f"{lock_key}:{i}"), clock=clock) for i in range(2)]
    barrier = threading.Barrier(2)
    opened: list[str] = []

    def replica(index: int) -> None:
        barrier.wait()
        opened.extend(replicas[index].tick())

    threads = [threading.Thread(target=replica, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    client.delete(f"{lock_key}:0", f"{lock_key}:1")
    assert len(set(opened)) == 10
    assert len(nightly_keys(engine)) == 10


def test_the_lock_passes_on_when_its_holder_stops_renewing(client: redis.Redis, lock_key: str) -> None:
    first, second = LeaderLock(client, lock_key, ttl=60), LeaderLock(client, lock_key, ttl=60)
    assert first.hold() and first.hold()
    assert not second.hold()
    assert 0 < client.pttl(lock_key) <= 60_000
    client.delete(lock_key)  # what the TTL running out does, without waiting for it
    assert second.hold() and not first.hold()
    second.release()
    assert first.hold()


def test_the_run_loop_stops_when_told_and_gives_up_the_lock(
    engine: Engine, client: redis.Redis, lock_key: str
) -> None:
    sellers(engine, a="UTC")
    stop = threading.Event()
    nightly = Scheduler(
        engine, LeaderLock(client, lock_key), clock=Clock(utc(2026, 6, 10, 3, 0)), interval=3600
    )

    def tick_then_stop() -> list[str]:
        opened = Scheduler.tick(nightly)
        stop.set()
        return opened

    nightly.tick = tick_then_stop  # type: ignore[method-assign]
    thread = threading.Thread(target=nightly.run, args=(stop,))
    thread.start()
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert nightly_keys(engine) == ["nightly:a:2026-06-10"]
    assert client.get(lock_key) is None


def test_night_of_uses_the_day_before_until_the_hour_comes() -> None:
    assert night_of(utc(2026, 6, 10, 1, 59), "UTC", 2) == dt.date(2026, 6, 9)
    assert night_of(utc(2026, 6, 10, 2, 0), "UTC", 2) == dt.date(2026, 6, 10)
    with pytest.raises(ValueError, match="hour"):
        Scheduler(None, None, hour=24)  # type: ignore[arg-type]


def test_a_nightly_run_left_queued_is_started_again_not_opened_again(
    engine: Engine, client: redis.Redis, lock_key: str, planned: Callable[[], int]
) -> None:
    sellers(engine, a="UTC")
    clock = Clock(utc(2026, 6, 10, 3, 0))
    nightly = scheduler(engine, client, lock_key, clock)
    assert len(nightly.tick()) == 1 and planned() == 1
    with engine.begin() as conn:  # as if its leader died between opening and starting it
        conn.execute(sa.update(SyncRun).values(created_at=clock.now))
    clock.now = utc(2026, 6, 10, 3, 10)
    assert nightly.tick() == [] and planned() == 1  # queued, but not for long: left alone
    clock.now = utc(2026, 6, 10, 3, 20)
    assert nightly.tick() == [] and planned() == 2
    assert nightly_keys(engine) == ["nightly:a:2026-06-10"]
