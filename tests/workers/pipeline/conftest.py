"""Fixtures for the sync pipeline: one broker per session on real Redis, a SQLite store, the sandboxes over
HTTP, an image host, and an in-process dramatiq worker."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import dramatiq
import pytest
from cryptography.fernet import Fernet
from pipeline_support import SELLER, Shop

from connectors.sandbox.faults import FaultPlan
from connectors.sandbox.run import start_sandboxes
from workers.broker import ListingSyncBroker
from workers.context import Context, attach, writing
from workers.sandboxes import IMAGE_HOST, ImageHost, ImageHostAdapter, connect_sandboxes
from workers.settings import Settings
from workers.store import open_engine
from workers.store.sellers import add_seller


@pytest.fixture(scope="session")
def image_host() -> Iterator[ImageHost]:
    host = ImageHost()
    yield host
    host.stop()


@pytest.fixture
def make_shop(
    broker: ListingSyncBroker, redis_url: str, sqlite_template: Path, tmp_path: Path, image_host: ImageHost
) -> Iterator[Callable[..., Shop]]:
    """`make_shop(faults=None, limits=True)`: a fresh store, sandboxes and context for one test."""
    made: list[Shop] = []

    def make(
        *,
        faults: FaultPlan | None = None,
        limits: bool = True,
        claim_seconds: float = 5.0,
        database_url: str | None = None,
    ) -> Shop:
        """`database_url`: a migrated, empty database (default: a fresh SQLite file)."""
        if database_url is None:
            path = tmp_path / f"store-{len(made)}.db"
            shutil.copyfile(sqlite_template, path)
            database_url = f"sqlite:///{path}"
        engine = open_engine(database_url)
        key = Fernet.generate_key().decode()
        settings = Settings(data_dir=tmp_path, database_url=database_url, secret_key=key)
        context = Context.build(
            settings,
            redis_url,
            prefix=broker.namespace,
            claim_seconds=claim_seconds,
            timeout=(2.0, 2.0),
            engine=engine,
            mounts={IMAGE_HOST: ImageHostAdapter(image_host.url)},
        )
        attach(broker, context)
        sandboxes = start_sandboxes(limits=limits, faults=faults)
        with writing(engine) as conn:
            add_seller(conn, SELLER, name="Shop One")
        connect_sandboxes(engine, SELLER, sandboxes, key)
        shop = Shop(engine, sandboxes, context, broker, key)
        made.append(shop)
        return shop

    yield make
    for shop in made:
        shop.sandboxes.stop()
        shop.engine.dispose()


@pytest.fixture
def worker(broker: ListingSyncBroker) -> Iterator[dramatiq.Worker]:
    """An in-process worker on every queue."""
    w = dramatiq.Worker(broker, worker_threads=4, worker_timeout=100)
    w.start()
    yield w
    w.stop()
