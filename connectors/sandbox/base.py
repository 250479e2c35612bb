"""What every sandbox marketplace shares: limits, faults, the ledger, and serving itself over HTTP."""

from __future__ import annotations

import abc
from collections.abc import Mapping
from typing import Any

from connectors.sandbox.faults import FaultPlan, Faults
from connectors.sandbox.ledger import Ledger
from connectors.sandbox.limits import Rate, RateLimiter
from connectors.sandbox.server import BackgroundServer


class Sandbox(abc.ABC):
    """A local marketplace: an ASGI app plus the state tests inspect.

    Subclasses set `name` and `RATES` (operation name -> documented `Rate`) and build `app`.
    """

    name: str = "sandbox"
    RATES: Mapping[str, Rate] = {}

    def __init__(self, *, limits: bool = True, faults: FaultPlan | None = None) -> None:
        self.limiter = RateLimiter(self.RATES, enabled=limits)
        self.faults = Faults(faults)
        self.ledger = Ledger()

    @property
    @abc.abstractmethod
    def app(self) -> Any:
        """The ASGI application."""

    def serve(self, host: str = "127.0.0.1", port: int = 0) -> BackgroundServer:
        """Start serving on a background thread; the caller stops the returned server."""
        return BackgroundServer(self.app, host, port, name=f"{self.name}-sandbox").start()


def base_url(request: Any) -> str:
    """`scheme://host[:port]` a client used to reach a sandbox, for the links (images, pages) in answers."""
    host = request.headers.get("host")
    if host is None:
        server_host, port = request.scope["server"]
        host = f"{server_host}:{port}"
    return f"{request.scope['scheme']}://{host}"
