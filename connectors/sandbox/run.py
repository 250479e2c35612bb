"""Run the three sandbox marketplaces side by side: Amazon on port N, eBay on N+1, TOP on N+2."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from types import TracebackType

from connectors.sandbox.amazon import AmazonSandbox
from connectors.sandbox.base import Sandbox
from connectors.sandbox.ebay import EbaySandbox
from connectors.sandbox.faults import FaultPlan
from connectors.sandbox.server import BackgroundServer
from connectors.sandbox.top import TopSandbox

MARKETPLACES = ("amazon", "ebay", "tmall")


@dataclass
class RunningSandboxes:
    """The three sandboxes and their servers; stop them with `stop()` or a `with` block."""

    amazon: AmazonSandbox
    ebay: EbaySandbox
    tmall: TopSandbox
    servers: dict[str, BackgroundServer] = field(default_factory=dict)

    def url(self, marketplace: str) -> str:
        return self.servers[marketplace].url

    def sandbox(self, marketplace: str) -> Sandbox:
        sandbox: Sandbox = getattr(self, marketplace)
        return sandbox

    def __iter__(self) -> Iterator[tuple[str, Sandbox, BackgroundServer]]:
        for name in MARKETPLACES:
            yield name, self.sandbox(name), self.servers[name]

    def stop(self) -> None:
        for server in self.servers.values():
            server.stop()

    def __enter__(self) -> RunningSandboxes:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def start_sandboxes(
    host: str = "127.0.0.1",
    port_base: int = 0,
    *,
    limits: bool = True,
    faults: FaultPlan | None = None,
) -> RunningSandboxes:
    """Start all three; `port_base` 0 gives each a free port, otherwise N, N+1 and N+2."""
    running = RunningSandboxes(
        amazon=AmazonSandbox(limits=limits, faults=faults),
        ebay=EbaySandbox(limits=limits, faults=faults),
        tmall=TopSandbox(limits=limits, faults=faults),
    )
    try:
        for offset, name in enumerate(MARKETPLACES):
            port = port_base + offset if port_base else 0
            running.servers[name] = running.sandbox(name).serve(host, port)
    except BaseException:
        running.stop()
        raise
    return running
