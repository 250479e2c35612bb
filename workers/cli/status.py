"""`listing-sync status SELLER`: products and listings per marketplace and status."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from workers.cli.common import store

if TYPE_CHECKING:
    from workers.store.status import SellerStatus


def status(
    seller: Annotated[str, typer.Argument(metavar="SELLER", help="The seller's id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of text.")] = False,
) -> None:
    """Show a seller's products, its listings per marketplace and status, and its latest sync run."""
    from workers.store.status import seller_status

    with store() as engine, engine.connect() as conn:
        found = seller_status(conn, seller)
    if as_json:
        typer.echo(json.dumps(found.as_json()))
        return
    for line in render(found):
        typer.echo(line)


def render(found: SellerStatus) -> list[str]:
    s = found.seller
    lines = [
        f"Seller {s.id} ({s.name}), time zone {s.timezone}",
        f"Products: {found.products:,}"
        + (f" ({found.deleted_products:,} deleted)" if found.deleted_products else ""),
    ]
    if not found.listings:
        lines.append("Listings: none yet")
    else:
        lines.append("Listings:")
        for marketplace, counts in found.listings.items():
            shown = ", ".join(f"{status} {count:,}" for status, count in counts.items())
            lines.append(f"  {marketplace:<7} {shown}")
    if found.held:
        total = sum(counts.get("held", 0) for counts in found.listings.values())
        lines.append(
            f"Held by a brand ({total:,}, the first {len(found.held)} shown; the listings API lists all):"
            if total > len(found.held)
            else "Held by a brand:"
        )
        for held in found.held:
            lines.append(f"  {held.marketplace:<7} {held.sku}: {held.reason}")
    run = found.last_run
    if run is None:
        lines.append("Last sync run: none yet")
    else:
        lines.append(
            f"Last sync run: {run.id} ({run.kind}) {run.status}, opened {run.created_at:%Y-%m-%d %H:%M} UTC"
        )
    return lines
