"""`python -m workers.demo SELLER`: the seller's catalogue through the real pipeline into local sandboxes.

Starts the three sandbox marketplaces and a picture host in this process, connects the seller to them, runs
one sync through the broker (REDIS_URL or an embedded Valkey in the data dir) with an in-process worker, and
prints what each marketplace then shows. The sample catalogue's pictures point at http://127.0.0.1/images/;
eBay takes only HTTPS pictures, so the demo moves them to the demo's own picture host first.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

import dramatiq
import sqlalchemy as sa
from cryptography.fernet import Fernet

from connectors.sandbox.run import start_sandboxes
from workers.broker import redis_url, setup_broker
from workers.cli.sync import follow
from workers.context import Context, attach, writing
from workers.runs import open_run, start_run
from workers.sandboxes import IMAGE_HOST, ImageHost, ImageHostAdapter, connect_sandboxes
from workers.settings import Settings
from workers.store import migrate, open_engine
from workers.store.models import Listing, ListingStatus, Product

SAMPLE_PICTURES = "http://127.0.0.1/images/"


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


def show_errors(engine: sa.Engine, seller: str) -> None:
    """A few listings the marketplaces refused, with the message the seller would act on."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(Listing.marketplace, Listing.sku, Listing.last_error_message)
            .where(Listing.seller_id == seller, Listing.status == ListingStatus.ERROR)
            .order_by(Listing.marketplace, Listing.sku)
        ).all()
    if rows:
        print(f"\nRefused listings ({len(rows)}), a few of them with the marketplace's words:")
        for marketplace, sku, message in rows[:: max(1, len(rows) // 6)][:6]:
            print(f"  {marketplace!s:<7} {sku:<14} {message}")


def show(running: Any, seller: str) -> None:
    print("\nWhat the marketplaces show now:")
    amazon = running.amazon.listings(seller)
    print(f"  Amazon: {len(amazon)} listings")
    for sku, item in sorted(amazon.items())[:5]:
        summary = (item.get("summaries") or [{}])[0]
        print(f"    {sku:<14} {summary.get('itemName', '')[:60]}")
    ebay = running.ebay.live(seller)
    print(f"  eBay:   {len(ebay)} listings")
    for item in sorted(ebay, key=lambda x: x["sku"])[:5]:
        price = item.get("price") or {}
        print(f"    {item['sku']:<14} {price.get('value')} {price.get('currency')}  qty {item['quantity']}")
    tmall = running.tmall.live(seller)
    print(f"  Tmall:  {len(tmall)} items on sale")
    for item in sorted(tmall, key=lambda x: str(x["outer_id"]))[:5]:
        print(f"    {item['outer_id']:<14} {item.get('title')}  ¥{item.get('price')}")


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
        move_pictures(engine, args.seller)
        connect_sandboxes(engine, args.seller, running, settings.secret_key or "")
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
        worker = dramatiq.Worker(broker, worker_threads=8, worker_timeout=100)
        worker.start()
        try:
            with writing(engine) as conn:
                run_id = open_run(conn, args.seller, kind="manual")
            start_run(run_id)
            print(f"sync run {run_id}: Amazon, eBay and Tmall sandboxes, documented rate limits on")
            status = follow(engine, run_id)
        finally:
            worker.stop()
        show(running, args.seller)
        show_errors(engine, args.seller)
    finally:
        running.stop()
        pictures.stop()
        engine.dispose()
    return 0 if status == "done" else 1


if __name__ == "__main__":
    sys.exit(main())
