"""What the pipeline benchmarks share: Redis at REDIS_URL, or an embedded Valkey started for this process."""

from __future__ import annotations

import os
from typing import Any

_started: list[Any] = []  # the embedded servers, kept referenced for the life of the process


def redis_url() -> str:
    """REDIS_URL when set, otherwise the URL of an embedded Valkey on a free port, started now."""
    if url := os.environ.get("REDIS_URL"):
        return url
    from workers.broker import start_valkey

    server = start_valkey()
    _started.append(server)
    return str(server.connection_url)
