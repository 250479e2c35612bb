"""What the API's handlers share: the store's engine, a Redis client, limits; kept on `app.state`."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import redis
from fastapi import Request
from sqlalchemy import Engine

from workers.mail.tokens import LinkSigner

#: Default largest webhook body: a message of 1,000 typical products fits.
MAX_BODY_BYTES = 4 * 1024 * 1024
SECRETS_TTL = 5.0


@dataclass(frozen=True)
class Services:
    """The store, Redis (for readiness), limits and a clock; one per API process."""

    engine: Engine
    redis: redis.Redis
    max_body: int = MAX_BODY_BYTES
    #: How long a seller's webhook secrets are kept in memory: a rotation takes effect within this.
    secrets_ttl: float = SECRETS_TTL
    clock: Callable[[], float] = field(default=time.time)
    secrets_cache: dict[str, tuple[float, list[str]]] = field(default_factory=dict, repr=False)
    #: Reads of a seller's secrets in flight, shared by the deliveries that wait for them.
    secrets_loading: dict[str, asyncio.Future[list[str]]] = field(default_factory=dict, repr=False)
    #: Checks the tokens of the confirm and dismiss links in alert e-mails; without it those pages are off.
    link_signer: LinkSigner | None = field(default=None, repr=False)


async def services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]
