"""The demo: both shipped sample catalogues through the real pipeline into the three sandboxes."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import dramatiq
import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from pipeline_support import SELLER, Shop, drain

from catalog import samples
from catalog.importer import read_products
from connectors.sandbox.run import start_sandboxes
from workers import demo
from workers.broker import ListingSyncBroker
from workers.context import Context, attach, writing
from workers.runs import open_run, start_run
from workers.sandboxes import IMAGE_HOST, ImageHost, ImageHostAdapter
from workers.settings import Settings
from workers.store import open_engine
from workers.store.imports import import_products
from workers.store.models import Listing, ListingStatus
from workers.store.sellers import add_seller

MARKETPLACES = ("amazon", "ebay", "tmall")


@pytest.fixture
def demo_shop(
    broker: ListingSyncBroker, redis_url: str, sqlite_template: Path, tmp_path: Path, image_host: ImageHost
) -> Iterator[Shop]:
    """A seller with both sample catalogues imported, prepared by the demo (sandboxes without limits)."""
    path = tmp_path / "demo.db"
    shutil.copyfile(sqlite_template, path)
    engine = open_engine(f"sqlite:///{path}")
    key = Fernet.generate_key().decode()
    settings = Settings(data_dir=tmp_path, database_url=f"sqlite:///{path}", secret_key=key)
    context = Context.build(
        settings,
        redis_url,
        prefix=broker.namespace,
        engine=engine,
        mounts={IMAGE_HOST: ImageHostAdapter(image_host.url)},
    )
    attach(broker, context)
    with writing(engine) as conn:
        add_seller(conn, SELLER, name="Demo Shop")
    for name in (samples.SAMPLE, samples.SAMPLE_WITH_ERRORS):
        import_products(engine, SELLER, read_products(samples.path(name)))
    sandboxes = start_sandboxes(limits=False)
    try:
        yield Shop(engine, sandboxes, context, broker, key)
    finally:
        sandboxes.stop()
        engine.dispose()


def test_the_demo_puts_every_sample_sku_live_and_refuses_only_the_deliberate_mistakes(
    demo_shop: Shop, broker: ListingSyncBroker, worker: dramatiq.Worker
) -> None:
    shop = demo_shop
    brands = demo.prepare(shop.engine, SELLER, shop.sandboxes, shop.connectors_key)
    assert brands == [
        "Harbor Tea Co.",
        "Kestrel Kitchen",
        "Lumen Audio",
        "Northwind Outfitters",
        "Pinecrest Toys",
    ]
    with writing(shop.engine) as conn:
        run_id = open_run(conn, SELLER, kind="manual")
    start_run(run_id)
    assert drain(broker, worker, shop, run_id) == "done"

    sample = [row.product for row in read_products(samples.path()) if row.product is not None]
    skus = {p.sku for p in sample}
    on_tmall = {p.sku for p in sample if p.tmall is not None and p.tmall.enabled}
    assert len(skus) == 22 and skus - on_tmall == {"LA-HP-200-R", "PT-TRAIN-SET-U"}  # used goods stay off
    assert shop.live("amazon") == shop.live("ebay") == skus | {"NW-CAP-01"}
    assert shop.live("tmall") == on_tmall
    for marketplace in MARKETPLACES:
        created = {sku: n for sku, n in shop.creates(marketplace).items() if n}
        assert created == dict.fromkeys(shop.live(marketplace), 1), marketplace

    with shop.engine.connect() as conn:
        refused = conn.execute(
            sa.select(
                Listing.marketplace, Listing.sku, Listing.last_error_code, Listing.last_error_field
            ).where(Listing.seller_id == SELLER, Listing.status == ListingStatus.ERROR)
        ).all()
    assert {(str(m), sku): (code, field) for m, sku, code, field in refused} == {
        ("tmall", "NW-CAP-01"): ("MISSING_ZH_TITLE", "localized.zh-CN.title"),
        ("amazon", "NW-CAP-12"): ("90220", "size"),
        ("ebay", "NW-CAP-12"): ("25002", "listingDescription"),
        ("tmall", "NW-CAP-12"): ("MISSING_CID", "tmall.cid"),
    }

    shown = demo.live_lines(shop.sandboxes, SELLER) + demo.error_lines(shop.engine, SELLER)
    assert "  Amazon: 23 listings" in shown and "  eBay:   23 listings" in shown
    assert "  Tmall:  20 items on sale" in shown
    assert "Refused listings (4), in the marketplace's words:" in shown
    assert any("NW-CAP-01" in line and "Tmall needs a Chinese title" in line for line in shown)
