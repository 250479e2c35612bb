"""`listing-sync scheduler`: nightly re-syncs and brand scans, daily digests, alert sweeps (one leader)."""

from __future__ import annotations

import datetime as dt
import logging
import signal
import threading
from types import FrameType
from typing import Annotated

import typer

from workers.cli.serving import settings

log = logging.getLogger(__name__)


def scheduler(
    hour: Annotated[
        int,
        typer.Option(
            "--hour",
            min=0,
            max=23,
            envvar="LISTING_SYNC_NIGHTLY_HOUR",
            help="The local hour of the nightly run.",
        ),
    ] = 2,
    interval: Annotated[float, typer.Option("--interval", min=1, help="Seconds between checks.")] = 30.0,
    scan_hour: Annotated[
        int,
        typer.Option(
            "--scan-hour",
            min=0,
            max=23,
            envvar="LISTING_SYNC_SCAN_HOUR",
            help="The UTC hour of the nightly brand scans and the daily digests.",
        ),
    ] = 2,
    sweep_minutes: Annotated[
        float, typer.Option("--sweep-minutes", min=0.1, help="Minutes between sweeps of unsent alerts.")
    ] = 10.0,
) -> None:
    """Run the scheduler until SIGINT or SIGTERM: nightly re-syncs and brand scans, daily digests and a
    periodic sweep of unsent alerts; any number of replicas may run."""
    import redis

    from workers.broker import redis_url, setup_broker
    from workers.scheduler import LeaderLock, Scheduler
    from workers.store import open_engine

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    found = settings()
    url = redis_url(found)
    setup_broker(url)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    engine = open_engine(found.database_url)
    client = redis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=5)
    log.info(
        "scheduler started: nightly runs at %02d:00 local time, brand scans at %02d:00 UTC", hour, scan_hour
    )
    try:
        Scheduler(
            engine,
            LeaderLock(client),
            hour=hour,
            interval=interval,
            scan_hour=scan_hour,
            sweep_every=dt.timedelta(minutes=sweep_minutes),
        ).run(stop)
    finally:
        client.close()
        engine.dispose()
    log.info("scheduler stopped")
