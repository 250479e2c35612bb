"""The seller API served by uvicorn on a free port of 127.0.0.1, over a real store and real Redis."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis
from api_client import Api, ServedApp, WebhookClient
from sqlalchemy import Engine

from workers.api.deps import Services
from workers.broker import ListingSyncBroker
from workers.store.sellers import add_seller


@pytest.fixture
def services(engine: Engine, redis_url: str, broker: ListingSyncBroker) -> Iterator[Services]:
    """What the API needs; the broker is set up so that accepted deliveries really enqueue their runs."""
    client = redis.Redis.from_url(redis_url, socket_timeout=2, socket_connect_timeout=2)
    yield Services(engine, client, max_body=64 * 1024, secrets_ttl=0)
    client.close()


@pytest.fixture
def api(services: Services) -> Iterator[Api]:
    with services.engine.begin() as conn:
        seller = add_seller(conn, "shop-1", timezone="Europe/Berlin")
    with ServedApp(services) as served:
        yield Api(served.url, services.engine, seller, WebhookClient(served.url, seller))
