"""Counterfeit checks in the sync pipeline: a listing copying a registered brand's image is held or flagged
by the brand's policy before it is pushed, through a real broker, the sandboxes over HTTP and a real SMTP
server; images are fetched from a counting image host, once."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import dramatiq
import pytest
import sqlalchemy as sa
from alert_support import mailer
from PIL import Image
from pipeline_support import SELLER, Shop, drain, make_product
from smtp_support import SmtpServer

from benchmarks import imagery
from catalog.product import Product
from fingerprints import DRAFT, ImageLoader
from workers.brands import (
    BrandChanges,
    BrandIndex,
    add_brand,
    add_images,
    list_images,
    remove_brand,
    remove_images,
    update_brand,
)
from workers.brands.persisted import read_generation
from workers.broker import ListingSyncBroker
from workers.checks import Screener, due_rechecks
from workers.cli.status import render
from workers.context import writing
from workers.findings import list_findings
from workers.mail import SmtpTransport
from workers.runs import run_progress
from workers.sandboxes import ImageHost
from workers.store.brand_models import Finding
from workers.store.models import Listing, SyncBatch
from workers.store.status import seller_status

MARKETPLACES = ("amazon", "ebay", "tmall")
CONTACT = "legal@acme.example"


@pytest.fixture
def image_host() -> Iterator[ImageHost]:
    """An image host of this test's own, so its request counts are this test's."""
    host = ImageHost()
    yield host
    host.stop()


@pytest.fixture
def acme(tmp_path: Path, drawn: list[Image.Image]) -> Callable[..., None]:
    """`acme(shop, policy, authorized=())`: registers brand Acme with official images 0 and 1."""

    def register(shop: Shop, policy: str, authorized: tuple[str, ...] = ()) -> None:
        with writing(shop.engine) as conn:
            add_brand(conn, "Acme", emails=[CONTACT], authorized=authorized, policy=policy)
        files = []
        for i in range(2):
            path = tmp_path / f"acme-{i}.jpg"
            path.write_bytes(imagery.jpeg(drawn[i]))
            files.append(path)
        add_images(shop.engine, "Acme", files, loader=ImageLoader(draft=DRAFT))

    return register


@pytest.fixture
def fake(image_host: ImageHost, copy_of_1: bytes) -> Product:
    """A product whose only image copies Acme's official image 1 (mirrored, shrunk, recompressed)."""
    return make_product("FAKE-1", image_urls=[image_host.put("FAKE-1.jpg", copy_of_1)])


def listing_rows(shop: Shop, sku: str) -> dict[str, sa.Row[tuple[str, str | None, str | None]]]:
    with shop.engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                Listing.marketplace, Listing.status, Listing.last_error_code, Listing.last_error_message
            ).where(Listing.sku == sku)
        ).all()
    return {str(row.marketplace): row for row in rows}


def with_smtp(shop: Shop, smtp_server: SmtpServer) -> None:
    shop.context.extras["mailer"] = mailer(shop.engine, SmtpTransport(smtp_server.url))


def test_a_listing_copying_a_hold_brand_is_held_everywhere_with_the_reason_until_the_seller_is_authorized(
    make_shop: Callable[..., Shop],
    broker: ListingSyncBroker,
    worker: dramatiq.Worker,
    db_url: str,
    acme: Callable[..., None],
    fake: Product,
    image_host: ImageHost,
    smtp_server: SmtpServer,
) -> None:
    shop = make_shop(database_url=db_url)  # on SQLite and on PostgreSQL
    with_smtp(shop, smtp_server)
    acme(shop, "hold")
    shop.save([fake, make_product("MUG-1")])

    run_id = shop.sync()
    assert drain(broker, worker, shop, run_id) == "done"

    for marketplace in MARKETPLACES:
        assert shop.live(marketplace) == {"MUG-1"}, marketplace
        assert "FAKE-1" not in shop.creates(marketplace), marketplace
    held = listing_rows(shop, "FAKE-1")
    assert {m: row.status for m, row in held.items()} == dict.fromkeys(MARKETPLACES, "held")
    message = held["ebay"].last_error_message or ""
    assert held["ebay"].last_error_code == "BRAND_HOLD"
    assert all(words in message for words in ("Acme", "FAKE-1.jpg", "authorize", "sync again"))
    with shop.engine.connect() as conn:
        progress = run_progress(conn, run_id)["marketplaces"]
        status = seller_status(conn, SELLER)
        findings = list_findings(conn, brand="Acme")
    assert {m: p["held"] for m, p in progress.items()} == dict.fromkeys(MARKETPLACES, 1)
    assert {(h.marketplace, h.sku) for h in status.held} == {(m, "FAKE-1") for m in MARKETPLACES}
    assert any("Held by a brand" in line for line in render(status))
    assert sorted(f.marketplace for f in findings) == sorted(MARKETPLACES)
    assert {f.listing_id for f in findings} == {f"{SELLER}/FAKE-1"}
    assert {f.state for f in findings} == {"alerted"}
    assert [m.message["To"] for m in smtp_server.messages] == [CONTACT] * 3
    # one product going to three marketplaces was fetched and matched once
    assert image_host.requests["FAKE-1.jpg"] == 1

    # an unchanged catalogue synced again: checked from the cache, still held, no second e-mail
    assert drain(broker, worker, shop, shop.sync()) == "done"
    assert image_host.requests["FAKE-1.jpg"] == 1
    assert {m: row.status for m, row in listing_rows(shop, "FAKE-1").items()} == dict.fromkeys(
        MARKETPLACES, "held"
    )
    assert len(smtp_server.messages) == 3

    with writing(shop.engine) as conn:
        update_brand(conn, "Acme", BrandChanges(add_authorized=["Shop One"]))
    assert drain(broker, worker, shop, shop.sync()) == "done"
    for marketplace in MARKETPLACES:
        assert shop.live(marketplace) == {"MUG-1", "FAKE-1"}, marketplace
        assert shop.creates(marketplace) == {"MUG-1": 1, "FAKE-1": 1}, marketplace
    rows = listing_rows(shop, "FAKE-1")
    assert {m: (row.status, row.last_error_message) for m, row in rows.items()} == dict.fromkeys(
        MARKETPLACES, ("live", None)
    )
    assert len(smtp_server.messages) == 3


@pytest.mark.parametrize("removed", ["the official image it copies", "the brand"])
def test_a_held_listing_goes_out_with_the_next_sync_once_what_held_it_is_removed(
    make_shop: Callable[..., Shop],
    broker: ListingSyncBroker,
    worker: dramatiq.Worker,
    acme: Callable[..., None],
    fake: Product,
    removed: str,
) -> None:
    shop = make_shop()
    acme(shop, "hold")
    shop.save([fake])
    assert drain(broker, worker, shop, shop.sync(marketplaces=["ebay"])) == "done"
    assert listing_rows(shop, "FAKE-1")["ebay"].status == "held"

    with writing(shop.engine) as conn:
        if removed == "the brand":
            remove_brand(conn, "Acme")
        else:
            copied = [i.id for i in list_images(conn, "Acme") if i.source.endswith("acme-1.jpg")]
            assert [i.id for i in remove_images(conn, "Acme", copied)] == copied
    assert drain(broker, worker, shop, shop.sync(marketplaces=["ebay"])) == "done"
    assert shop.live("ebay") == {"FAKE-1"}
    assert shop.creates("ebay") == {"FAKE-1": 1}
    row = listing_rows(shop, "FAKE-1")["ebay"]
    assert (row.status, row.last_error_message) == ("live", None)


def test_a_nightly_run_alerts_a_brand_registered_after_a_copy_went_live_and_leaves_the_listing_live(
    make_shop: Callable[..., Shop],
    broker: ListingSyncBroker,
    worker: dramatiq.Worker,
    acme: Callable[..., None],
    fake: Product,
    image_host: ImageHost,
    smtp_server: SmtpServer,
) -> None:
    shop = make_shop()
    with_smtp(shop, smtp_server)
    shop.save([fake, make_product("MUG-1")])
    scope = {"marketplaces": ["ebay", "amazon"]}
    assert drain(broker, worker, shop, shop.sync(**scope)) == "done"
    assert shop.live("ebay") == shop.live("amazon") == {"FAKE-1", "MUG-1"}
    assert image_host.requests["FAKE-1.jpg"] == 0  # no brand yet: nothing checked

    acme(shop, "hold")
    # A run that pushes nothing new checks nothing: the copy is already live.
    assert drain(broker, worker, shop, shop.sync(**scope)) == "done"
    with shop.engine.connect() as conn:
        assert list_findings(conn, brand="Acme") == []

    assert drain(broker, worker, shop, shop.sync("nightly", **scope)) == "done"
    with shop.engine.connect() as conn:
        findings = list_findings(conn, brand="Acme")
    assert sorted((f.marketplace, f.listing_id, f.state) for f in findings) == [
        ("amazon", f"{SELLER}/FAKE-1", "alerted"),
        ("ebay", f"{SELLER}/FAKE-1", "alerted"),
    ]
    assert [str(m.message["To"]) for m in smtp_server.messages] == [CONTACT, CONTACT]
    for marketplace in ("ebay", "amazon"):
        assert shop.live(marketplace) == {"FAKE-1", "MUG-1"}
        assert listing_rows(shop, "FAKE-1")[marketplace].status == "live"
    assert (image_host.requests["FAKE-1.jpg"], image_host.requests["MUG-1.png"]) == (1, 1)

    # The brands unchanged, the next night rechecks nothing; a change is matched from the cache, no fetch.
    with shop.engine.connect() as conn:
        generation = read_generation(conn)
    assert due_rechecks(shop.context, SELLER, scope["marketplaces"], generation) == []
    assert [d.marketplace for d in due_rechecks(shop.context, SELLER, None, generation)] == ["tmall"]
    assert drain(broker, worker, shop, shop.sync("nightly", **scope)) == "done"
    with writing(shop.engine) as conn:
        update_brand(conn, "Acme", BrandChanges(add_emails=["ops@acme.example"]))
        generation = read_generation(conn)
    assert [(d.marketplace, d.skus) for d in due_rechecks(shop.context, SELLER, ["ebay"], generation)] == [
        ("ebay", ["FAKE-1", "MUG-1"])
    ]
    assert drain(broker, worker, shop, shop.sync("nightly", **scope)) == "done"
    assert due_rechecks(shop.context, SELLER, scope["marketplaces"], generation) == []
    assert (image_host.requests["FAKE-1.jpg"], image_host.requests["MUG-1.png"]) == (1, 1)
    assert len(smtp_server.messages) == 2  # the findings did not change: no second e-mail
    with shop.engine.connect() as conn:
        assert len(list_findings(conn, brand="Acme")) == 2


class UnnoticedIndex(BrandIndex):
    """A worker's index in the seconds before its next generation check: it keeps what it loaded first."""

    def refresh(self) -> bool:
        return self.generation is None and super().refresh()


def test_a_brand_removed_while_a_worker_still_holds_its_images_holds_nothing_and_fails_no_batch(
    make_shop: Callable[..., Shop],
    broker: ListingSyncBroker,
    worker: dramatiq.Worker,
    acme: Callable[..., None],
    fake: Product,
) -> None:
    shop = make_shop()
    acme(shop, "hold")
    shop.save([fake])
    index = UnnoticedIndex(shop.engine)
    assert index.snapshot().references  # loaded with Acme's images
    screener = Screener(shop.engine, ImageLoader(draft=DRAFT, mounts=shop.context.mounts), index)
    shop.context.extras["screener"] = screener
    try:
        with writing(shop.engine) as conn:
            remove_brand(conn, "Acme")
        assert drain(broker, worker, shop, shop.sync(marketplaces=["ebay"])) == "done"
    finally:
        screener.close()
    assert shop.live("ebay") == {"FAKE-1"}
    assert listing_rows(shop, "FAKE-1")["ebay"].status == "live"
    with shop.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(Finding)).scalar_one() == 0


def test_a_listing_copying_a_flag_brand_goes_live_and_the_brand_gets_an_email(
    make_shop: Callable[..., Shop],
    broker: ListingSyncBroker,
    worker: dramatiq.Worker,
    acme: Callable[..., None],
    fake: Product,
    smtp_server: SmtpServer,
) -> None:
    shop = make_shop()
    with_smtp(shop, smtp_server)
    acme(shop, "flag")
    shop.save([fake])

    assert drain(broker, worker, shop, shop.sync(marketplaces=["ebay", "amazon"])) == "done"

    assert shop.live("ebay") == shop.live("amazon") == {"FAKE-1"}
    with shop.engine.connect() as conn:
        findings = list_findings(conn, brand="Acme")
    assert sorted(f.marketplace for f in findings) == ["amazon", "ebay"]
    assert all(f.evidence["seller_id"] == SELLER for f in findings)
    mails = [m.message for m in smtp_server.messages]
    assert [str(m["To"]) for m in mails] == [CONTACT, CONTACT]
    body = mails[0].get_body(("plain",))
    assert body is not None and "Stoneware Coffee Mug FAKE-1" in body.get_content()


def test_an_authorized_sellers_listing_and_listings_matching_nothing_raise_nothing(
    make_shop: Callable[..., Shop],
    broker: ListingSyncBroker,
    worker: dramatiq.Worker,
    acme: Callable[..., None],
    fake: Product,
    smtp_server: SmtpServer,
) -> None:
    shop = make_shop()
    with_smtp(shop, smtp_server)
    acme(shop, "hold", authorized=(f"id:{SELLER}",))
    mugs = [make_product(f"MUG-{i}") for i in range(3)]
    shop.save([fake, *mugs])

    run_id = shop.sync()
    assert drain(broker, worker, shop, run_id) == "done"

    expected = {"FAKE-1", *(m.sku for m in mugs)}
    for marketplace in MARKETPLACES:
        assert shop.live(marketplace) == expected, marketplace
        assert shop.creates(marketplace) == dict.fromkeys(expected, 1), marketplace
    with shop.engine.connect() as conn:
        assert list_findings(conn) == []
        checks = list(conn.scalars(sa.select(SyncBatch.checks).where(SyncBatch.run_id == run_id)))
    assert checks and all(c == {"held": [], "failed": []} for c in checks)
    assert smtp_server.messages == []


def test_an_image_host_that_keeps_failing_delays_the_check_then_the_listing_is_pushed_unchecked(
    make_shop: Callable[..., Shop],
    broker: ListingSyncBroker,
    worker: dramatiq.Worker,
    acme: Callable[..., None],
    fake: Product,
    image_host: ImageHost,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from workers.actors import CHECK_RETRIES

    shop = make_shop()
    acme(shop, "hold")
    image_host.fail("FAKE-1.jpg")
    shop.save([fake])

    with caplog.at_level(logging.WARNING, logger="workers.checks"):
        run_id = shop.sync(marketplaces=["ebay"])
        assert drain(broker, worker, shop, run_id) == "done"

    assert image_host.requests["FAKE-1.jpg"] == 1 + CHECK_RETRIES
    assert shop.live("ebay") == {"FAKE-1"}
    with shop.engine.connect() as conn:
        checks = conn.scalars(sa.select(SyncBatch.checks).where(SyncBatch.run_id == run_id)).one()
        assert list_findings(conn) == []
    assert checks == {"held": [], "failed": ["FAKE-1"]}
    assert any("FAKE-1" in r.getMessage() and "without checking" in r.getMessage() for r in caplog.records)
