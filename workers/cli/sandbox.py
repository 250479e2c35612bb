"""`listing-sync sandbox`: the three sandbox marketplaces, standalone, until interrupted."""

from __future__ import annotations

import json
import signal
import threading
from typing import Annotated, Any

import typer

DEFAULT_PORT_BASE = 8700


def sandbox(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port_base: Annotated[
        int, typer.Option(help="Amazon listens on N, eBay on N+1, TOP on N+2; 0 picks free ports.")
    ] = DEFAULT_PORT_BASE,
    seller: Annotated[
        list[str] | None, typer.Option(help="Print credentials for this seller id (repeatable).")
    ] = None,
    limits: Annotated[bool, typer.Option(help="Enforce each marketplace's documented rate limits.")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of text.")] = False,
) -> None:
    """Run local Amazon SP-API, eBay Inventory and Taobao/Tmall TOP marketplaces for trying listing-sync.

    App credentials can be set with LISTING_SYNC_SANDBOX_* variables (see README); seller credentials are
    derived from the seller id, so any id works and stays valid across restarts.
    """
    from connectors.sandbox.run import MARKETPLACES, start_sandboxes

    sellers = seller or ["demo"]
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    try:
        running = start_sandboxes(host, port_base, limits=limits)
    except OSError as exc:
        typer.echo(f"listing-sync: cannot listen on {host}:{port_base}..{port_base + 2}: {exc}", err=True)
        raise typer.Exit(2) from None
    with running:
        described: dict[str, dict[str, Any]] = {
            name: {
                "url": running.url(name),
                "credentials": {s: running.sandbox(name).credentials_for(s) for s in sellers},  # type: ignore[attr-defined]
            }
            for name in MARKETPLACES
        }
        if as_json:
            typer.echo(json.dumps(described))
        else:
            for name, info in described.items():
                typer.echo(f"{name:<7} {info['url']}   (inspect: {info['url']}/_sandbox)")
                for s, creds in info["credentials"].items():
                    shown = "  ".join(f"{k}={v}" for k, v in creds.items())
                    typer.echo(f"        {s}: {shown}")
            typer.echo("sandboxes ready; Ctrl-C stops them")
        stop.wait()
