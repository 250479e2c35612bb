"""`listing-sync api`: the seller API (signed webhooks, runs, listings) on uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from workers.cli.serving import bind, serve_api, settings

Host = Annotated[str, typer.Option("--host", help="The address to listen on.")]
Port = Annotated[int, typer.Option("--port", min=0, max=65535, help="The port; 0 picks a free one.")]


def api(
    host: Host = "127.0.0.1",
    port: Port = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1, help="API processes sharing the port.")] = 1,
) -> None:
    """Serve the seller API: signed webhooks in, runs and listings out; OpenAPI at /docs.

    Uses Redis at REDIS_URL, else the embedded Valkey that `serve` recorded in the data dir, else one it
    starts itself for as long as it runs.
    """
    from workers.broker import redis_url

    found = settings()
    serve_api(bind(host, port), redis_url(found), workers=workers)
