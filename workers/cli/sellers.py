"""`listing-sync sellers ...`: register sellers and list them."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from workers.cli.common import store
from workers.values import DEFAULT_TIMEZONE

app = typer.Typer(help="Register and list sellers.", no_args_is_help=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of text.")]


@app.command("add")
def add(
    seller: Annotated[
        str, typer.Argument(metavar="SELLER", help="The seller's id: letters, digits, '-', '_', '.'.")
    ],
    name: Annotated[str | None, typer.Option("--name", help="Display name (default: the id).")] = None,
    timezone: Annotated[
        str, typer.Option("--timezone", help="IANA time zone for the nightly re-sync, e.g. Asia/Shanghai.")
    ] = DEFAULT_TIMEZONE,
    as_json: JsonOption = False,
) -> None:
    """Add a seller and print its webhook secret and API key, once: they are not shown again."""
    from workers.store.sellers import add_seller

    with store() as engine, engine.begin() as conn:
        new = add_seller(conn, seller, name=name, timezone=timezone)
    if as_json:
        typer.echo(
            json.dumps({"seller": seller, "webhook_secret": new.webhook_secret, "api_key": new.api_key})
        )
        return
    typer.echo(f"Added seller {seller} ({new.seller.name}, time zone {new.seller.timezone}).")
    typer.echo("Keep these safe; they are shown only this once.")
    typer.echo(f"  webhook secret: {new.webhook_secret}")
    typer.echo(f"  API key:        {new.api_key}")


@app.command("list")
def list_(as_json: JsonOption = False) -> None:
    """List the registered sellers."""
    from workers.store.sellers import list_sellers

    with store() as engine, engine.connect() as conn:
        sellers = list_sellers(conn)
    if as_json:
        typer.echo(json.dumps([{"seller": s.id, "name": s.name, "timezone": s.timezone} for s in sellers]))
        return
    for s in sellers:
        typer.echo(f"{s.id}\t{s.name}\t{s.timezone}")
