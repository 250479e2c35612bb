"""What actors work with: the store, Redis, the shared limiter and the connectors, hung on the broker.

Only the broker is global; a worker process builds its context from the environment on first use (the
settings, plus LISTING_SYNC_CLAIM_SECONDS for the SKU claims' lease), and tests attach their own.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import redis
from requests.adapters import HTTPAdapter
from sqlalchemy import Connection, Engine

from connectors.http import DEFAULT_TIMEOUT
from workers.accounts import Connectors
from workers.ratelimit import SharedRateLimiter
from workers.settings import Settings
from workers.store import migrate, open_engine
from workers.throttle import throttled_session

if TYPE_CHECKING:
    from workers.mail import Mailer


@dataclass
class Context:
    """The services one process's actors share."""

    engine: Engine
    redis: redis.Redis
    connectors: Connectors
    limiter: SharedRateLimiter
    prefix: str = "listing-sync"
    #: seconds a batch's claim on its SKUs lasts without renewal (a killed worker's claims lapse after it)
    claim_seconds: float = 60.0
    extras: dict[str, object] = field(default_factory=dict)
    #: transport adapters by URL prefix for image fetches too (the sandboxes' image host)
    mounts: Mapping[str, HTTPAdapter] = field(default_factory=dict)
    #: image URLs may reach private addresses (LISTING_SYNC_ALLOW_PRIVATE_IMAGES)
    allow_private_images: bool = False
    #: helper processes that fingerprint listing images (LISTING_SYNC_CHECK_PROCESSES)
    check_processes: int = 0

    @classmethod
    def build(
        cls,
        settings: Settings,
        redis_url: str,
        *,
        prefix: str = "listing-sync",
        claim_seconds: float = 60.0,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        engine: Engine | None = None,
        mounts: Mapping[str, HTTPAdapter] | None = None,
    ) -> Context:
        """Everything from settings; `mounts` adds transport adapters by URL prefix to every connector's
        session (how the sandboxes' image host is reached)."""
        if engine is None:
            engine = (
                open_engine(settings.database_url, pool_size=20)
                if "postgres" in settings.database_url
                else (open_engine(settings.database_url))
            )
            migrate(engine)
        client = redis.Redis.from_url(redis_url, socket_timeout=30, socket_connect_timeout=5)
        limiter = SharedRateLimiter(client, prefix=f"{prefix}:rate")
        connectors = Connectors(
            engine,
            settings.secret_key,
            session_for=lambda seller, marketplace, endpoint: throttled_session(
                limiter, seller, marketplace, endpoint, mounts=mounts
            ),
            timeout=timeout,
        )
        return cls(
            engine,
            client,
            connectors,
            limiter,
            prefix,
            claim_seconds,
            mounts=dict(mounts or {}),
            allow_private_images=settings.allow_private_images,
            check_processes=settings.check_processes,
        )


_lock = threading.Lock()
_contexts: dict[int, Context] = {}


def attach(broker: object, context: Context) -> None:
    """Make `context` the one the actors of `broker` use."""
    with _lock:
        _contexts[id(broker)] = context


def context_of(broker: object) -> Context:
    """The broker's context, built from the environment the first time a worker process needs it."""
    with _lock:
        found = _contexts.get(id(broker))
        if found is None:
            from workers.broker import redis_url

            settings = Settings.from_env()
            prefix = str(getattr(broker, "namespace", "listing-sync"))
            claim = float(os.environ.get("LISTING_SYNC_CLAIM_SECONDS") or 60.0)
            found = _contexts[id(broker)] = Context.build(
                settings, redis_url(settings), prefix=prefix, claim_seconds=claim
            )
        return found


def mailer_of(context: Context) -> Mailer:
    """The context's Mailer (tests set `extras["mailer"]`), else one built from the environment, once."""
    from fingerprints import ImageLoader
    from workers.mail import Mailer, MailSettings, transport_for

    with _lock:
        found = context.extras.get("mailer")
        if found is None:
            settings = Settings.from_env()
            loader = ImageLoader(allow_private=settings.allow_private_images, mounts=context.mounts)
            found = Mailer(context.engine, transport_for(settings), MailSettings.from_env(settings), loader)
            context.extras["mailer"] = found
    assert isinstance(found, Mailer)
    return found


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A write transaction; on SQLite it takes the write lock up front, so read-then-write never deadlocks."""
    with engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn, conn.begin():
        yield conn
