"""The scheduler's other nightly work with an injected clock: one scan per brand and UTC night however many
replicas run, the daily digests once a day, and the sweep of unsent alerts every `sweep_every`."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable

import pytest
import redis
import sqlalchemy as sa
from alert_support import CopiedListing, record
from scheduler_support import LONG_AGO, Clock, utc
from sqlalchemy import Engine

from workers.brands import add_brand
from workers.broker import CHECK, EMAIL, ListingSyncBroker
from workers.mail import set_digest
from workers.scheduler import LeaderLock, Scheduler
from workers.store.brand_models import Brand, BrandImage, BrandScan


@pytest.fixture
def sent(broker: ListingSyncBroker) -> Callable[[str], dict[str, list[object]]]:
    """`sent(queue)`: actor name -> the arguments of each message queued since the test began (nothing
    consumes them)."""
    before = {q: set(broker.client.hkeys(f"{broker.namespace}:{q}.msgs")) for q in (CHECK, EMAIL)}

    def messages(queue: str) -> dict[str, list[object]]:
        found: dict[str, list[object]] = {}
        for key, body in broker.client.hgetall(f"{broker.namespace}:{queue}.msgs").items():
            if key not in before[queue]:
                message = json.loads(body)
                found.setdefault(message["actor_name"], []).append(message["args"][0])
        return found

    return messages


def brands(engine: Engine, *names: str, images: bool = True) -> list[int]:
    """Brands registered long ago; with one (placeholder) official image each unless `images` is False."""
    ids = []
    with engine.begin() as conn:
        for name in names:
            info = add_brand(conn, name, emails=[f"owner@{name.lower()}.example"])
            conn.execute(sa.update(Brand).where(Brand.id == info.id).values(created_at=LONG_AGO))
            if images:
                conn.execute(
                    sa.insert(BrandImage).values(
                        brand_id=info.id, source="a.jpg", content_sha256=name, width=1, height=1
                    )
                )
            ids.append(info.id)
    return ids


def scan_keys(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return sorted(conn.execute(sa.select(BrandScan.scan_key)).scalars())


def test_two_replicas_scan_each_brand_with_images_once_a_night(
    engine: Engine, client: redis.Redis, lock_key: str, sent: Callable[[str], dict[str, list[object]]]
) -> None:
    acme, beta = brands(engine, "Acme", "Beta")
    brands(engine, "Gamma", images=False)  # nothing to match yet: not scanned
    clock = Clock(utc(2026, 6, 10, 3, 0))
    # Two leaders at once (as if the lock had lapsed while one was paused), then two replicas sharing the
    # lock: the scan key in the store is the last guard.
    replicas = [Scheduler(engine, LeaderLock(client, f"{lock_key}:{i}"), clock=clock) for i in range(2)]
    barrier = threading.Barrier(2)

    def replica(index: int) -> None:
        for _ in range(3):
            barrier.wait()
            replicas[index].tick()

    threads = [threading.Thread(target=replica, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert scan_keys(engine) == [f"nightly:{acme}:2026-06-10", f"nightly:{beta}:2026-06-10"]
    assert len(sent(CHECK)["scan_brand"]) == 2

    clock.now = utc(2026, 6, 11, 1, 59)  # still the night of the 10th
    assert replicas[0].schedule_scans(clock.now) == []
    clock.now = utc(2026, 6, 11, 2, 0)
    assert len(replicas[0].schedule_scans(clock.now)) == 2
    assert len(scan_keys(engine)) == 4 and len(sent(CHECK)["scan_brand"]) == 4


def test_a_nightly_scan_left_queued_is_started_again_not_opened_again(
    engine: Engine, client: redis.Redis, lock_key: str, sent: Callable[[str], dict[str, list[object]]]
) -> None:
    brands(engine, "Acme")
    clock = Clock(utc(2026, 6, 10, 3, 0))
    nightly = Scheduler(engine, LeaderLock(client, lock_key), clock=clock)
    assert len(nightly.schedule_scans(clock.now)) == 1
    with engine.begin() as conn:  # as if its leader died between opening and starting it
        conn.execute(sa.update(BrandScan).values(created_at=clock.now))
    assert nightly.schedule_scans(utc(2026, 6, 10, 3, 10)) == []  # queued, but not for long
    [again] = nightly.schedule_scans(utc(2026, 6, 10, 3, 20))
    assert sent(CHECK)["scan_brand"] == [again, again] and len(scan_keys(engine)) == 1


def test_digests_go_out_once_a_day_and_unsent_alerts_are_swept_periodically(
    engine: Engine,
    acme_copy: CopiedListing,
    client: redis.Redis,
    lock_key: str,
    sent: Callable[[str], dict[str, list[object]]],
) -> None:
    with engine.begin() as conn:
        acme = conn.execute(sa.select(Brand.id).where(Brand.name == "Acme")).scalar_one()
        set_digest(conn, acme, "legal@acme.example", True)
    _, alerts = record(engine, acme_copy)  # two alerts queued in the store, never handed to the actor
    clock = Clock(utc(2026, 6, 10, 3, 0))
    nightly = Scheduler(engine, LeaderLock(client, lock_key), clock=clock)
    nightly.tick()
    first = sent(EMAIL)
    assert len(first["send_digest_mail"]) == 1  # legal@ takes a digest
    assert len(first["send_alert_mail"]) == 1 and first["send_alert_mail"][0] in alerts  # owner@ per finding

    clock.now = utc(2026, 6, 10, 3, 5)
    nightly.tick()
    assert {name: len(args) for name, args in sent(EMAIL).items()} == {
        "send_digest_mail": 1,
        "send_alert_mail": 1,
    }
    clock.now = utc(2026, 6, 10, 3, 10)
    nightly.tick()  # the sweep again; the day's digests went out already
    assert {name: len(args) for name, args in sent(EMAIL).items()} == {
        "send_digest_mail": 1,
        "send_alert_mail": 2,
    }
    clock.now = utc(2026, 6, 11, 2, 0)
    nightly.tick()
    assert len(sent(EMAIL)["send_digest_mail"]) == 2
