"""`python -m workers.demo SELLER`: the seller's catalogue through the real pipeline into local sandboxes.

Starts the three sandbox marketplaces and a picture host in this process, connects the seller to them, runs
one sync through the broker (REDIS_URL or an embedded Valkey in the data dir) with an in-process worker, and
prints what each marketplace then shows and the listings it refused, in the marketplace's words. The sample
catalogue's pictures point at http://127.0.0.1/images/; eBay takes only HTTPS pictures, so the demo moves them
to the demo's own picture host first. Tmall lists branded goods only for sellers it authorized for the brand:
the demo seller holds that authorization for every brand its products name.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TypeVar

import dramatiq
import sqlalchemy as sa
from cryptography.fernet import Fernet

from connectors.sandbox.run import RunningSandboxes, start_sandboxes
from connectors.sandbox.top.categories import BRANDS, NO_BRAND_VID, brand_of
from workers.broker import redis_url, setup_broker
from workers.cli.sync import follow
from workers.context import Context, attach, writing
from workers.runs import open_run, start_run
from workers.sandboxes import IMAGE_HOST, ImageHost, ImageHostAdapter, connect_sandboxes
from workers.settings import Settings
from workers.store import migrate, open_engine
from workers.store.models import Listing, ListingStatus, Product

SAMPLE_PICTURES = "http://127.0.0.1/images/"
SHOWN = 4  # listings shown per marketplace, spread over the catalogue
SHOWN_ERRORS = 12
T = TypeVar("T")


def move_pictures(engine: sa.Engine, seller: str) -> None:
    """Point the seller's sample pictures at the demo picture host (hashes stay: pictures are content)."""
    from catalog.product import Product as CatalogProduct
    from workers.store.products import ProductRecord, save_products

    with engine.connect() as conn:
        rows = conn.execute(sa.select(Product.data).where(Product.seller_id == seller)).scalars().all()
    moved = []
    for data in rows:
        urls = [u.replace(SAMPLE_PICTURES, IMAGE_HOST + "images/") for u in data.get("image_urls", [])]
        if urls != data.get("image_urls"):
            product = CatalogProduct.model_validate({**data, "image_urls": urls})
            moved.append(ProductRecord.from_product(product))
    with writing(engine) as conn:
        save_products(conn, seller, moved)


def authorize_brands(engine: sa.Engine, seller: str, running: RunningSandboxes) -> list[str]:
    """Give the seller Tmall's brand authorization for each known brand its products' props name."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(Product.data).where(Product.seller_id == seller)).scalars().all()
    vids = {brand_of(str((data.get("tmall") or {}).get("props") or "")) for data in rows}
    granted = sorted(vid for vid in vids if vid in BRANDS and vid != NO_BRAND_VID)
    for vid in granted:
        running.tmall.authorize_brand(seller, vid)
    return sorted(BRANDS[vid] for vid in granted)


def prepare(engine: sa.Engine, seller: str, running: RunningSandboxes, secret_key: str) -> list[str]:
    """Everything before the sync: pictures moved, accounts connected, Tmall brands authorized (returned)."""
    move_pictures(engine, seller)
    connect_sandboxes(engine, seller, running, secret_key)
    return authorize_brands(engine, seller, running)


def spread(items: list[T]) -> list[T]:
    """At most `SHOWN` of `items`, evenly apart, so that a few lines show several kinds of product."""
    return items[:: max(1, len(items) // SHOWN)][:SHOWN]


def live_lines(running: RunningSandboxes, seller: str) -> list[str]:
    """What each marketplace shows for the seller: a count and a few of the listings."""
    lines = ["What the marketplaces show now:"]
    amazon = running.amazon.listings(seller)
    lines.append(f"  Amazon: {len(amazon)} listings")
    for sku, item in spread(sorted(amazon.items())):
        summary = (item.get("summaries") or [{}])[0]
        lines.append(f"    {sku:<14} {summary.get('productType', ''):<11} {summary.get('itemName', '')[:50]}")
    ebay = running.ebay.live(seller)
    lines.append(f"  eBay:   {len(ebay)} listings")
    for item in spread(sorted(ebay, key=lambda x: x["sku"])):
        price = item.get("price") or {}
        lines.append(
            f"    {item['sku']:<14} {price.get('value')} {price.get('currency')}  qty {item['quantity']}"
        )
    tmall = running.tmall.live(seller)
    lines.append(f"  Tmall:  {len(tmall)} items on sale")
    for item in spread(sorted(tmall, key=lambda x: str(x["outer_id"]))):
        lines.append(f"    {item['outer_id']:<14} ¥{item.get('price'):<8} {item.get('title')}")
    return lines


def error_lines(engine: sa.Engine, seller: str) -> list[str]:
    """The listings the marketplaces refused, each with the message the seller acts on."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(Listing.marketplace, Listing.sku, Listing.last_error_message)
            .where(Listing.seller_id == seller, Listing.status == ListingStatus.ERROR)
            .order_by(Listing.sku, Listing.marketplace)
        ).all()
    if not rows:
        return ["No listing was refused."]
    lines = [f"Refused listings ({len(rows)}), in the marketplace's words:"]
    lines += [f"  {market!s:<7} {sku:<14} {message}" for market, sku, message in rows[:SHOWN_ERRORS]]
    if len(rows) > SHOWN_ERRORS:
        lines.append(f"  ... and {len(rows) - SHOWN_ERRORS} more (listing-sync status {seller})")
    return lines


def sync(engine: sa.Engine, seller: str, broker: dramatiq.Broker) -> str:
    """One manual sync run with an in-process worker, followed until it ends; returns its status."""
    worker = dramatiq.Worker(broker, worker_threads=8, worker_timeout=100)
    worker.start()
    try:
        with writing(engine) as conn:
            run_id = open_run(conn, seller, kind="manual")
        start_run(run_id)
        print(f"sync run {run_id}: Amazon, eBay and Tmall sandboxes, documented rate limits on")
        return follow(engine, run_id)
    finally:
        worker.stop()


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m workers.demo", description=__doc__.splitlines()[0])
    parser.add_argument("seller")
    args = parser.parse_args()
    if not os.environ.get("LISTING_SYNC_SECRET_KEY"):
        os.environ["LISTING_SYNC_SECRET_KEY"] = Fernet.generate_key().decode()  # a demo key, this run only
    settings = Settings.from_env()
    engine = open_engine(settings.database_url)
    migrate(engine)
    pictures = ImageHost()
    running = start_sandboxes()
    try:
        brands = prepare(engine, args.seller, running, settings.secret_key or "")
        print(f"Tmall brand authorization for {args.seller}: {', '.join(brands) or 'none'}")
        url = redis_url(settings)
        broker = setup_broker(url)
        attach(
            broker,
            Context.build(
                settings,
                url,
                prefix=broker.namespace,
                engine=engine,
                mounts={IMAGE_HOST: ImageHostAdapter(pictures.url)},
            ),
        )
        status = sync(engine, args.seller, broker)
        print()
        print("\n".join(live_lines(running, args.seller)))
        print()
        print("\n".join(error_lines(engine, args.seller)))
    finally:
        running.stop()
        pictures.stop()
        engine.dispose()
    return 0 if status == "done" else 1


if __name__ == "__main__":
    sys.exit(main())
