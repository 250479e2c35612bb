"""`listing-sync scheduler`: opens one re-sync run per seller per local night (one leader among replicas)."""

from __future__ import annotations

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
) -> None:
    """Run the nightly scheduler until SIGINT or SIGTERM; any number of replicas may run."""
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
    log.info("scheduler started: nightly runs at %02d:00 local time", hour)
    try:
        Scheduler(engine, LeaderLock(client), hour=hour, interval=interval).run(stop)
    finally:
        client.close()
        engine.dispose()
    log.info("scheduler stopped")
