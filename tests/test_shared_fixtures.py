"""The shared fixtures give what later tests rely on."""

from __future__ import annotations

import uuid

import redis
import sqlalchemy as sa
from sqlalchemy import Engine

from workers.store.migrate import current_revision, head_revision


def test_the_redis_fixture_serves_a_working_server(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    key = f"test:{uuid.uuid4().hex}"
    try:
        client.set(key, "value", ex=60)
        assert client.get(key) == b"value"
    finally:
        client.delete(key)
        client.close()


def test_each_test_database_is_migrated_and_empty(engine: Engine) -> None:
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM sellers")).scalar_one() == 0
