"""Marketplace scans against seeded sandboxes over HTTP: the planted copies become findings with their
evidence and one e-mail per contact, genuine resellers and unrelated listings raise nothing, a re-scan adds
nothing and fetches no image again, and one marketplace down costs the others nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import dramatiq
import pytest
import sqlalchemy as sa
from alert_support import mailer
from PIL import Image
from scan_support import BRAND, SECRET_KEY, connect, register_brand, seed
from smtp_support import SmtpServer
from sqlalchemy import Engine

from benchmarks import imagery
from connectors.sandbox.run import RunningSandboxes, start_sandboxes
from fingerprints import ImageLoader
from workers.brands import UnknownBrandError
from workers.broker import CHECK, EMAIL, ListingSyncBroker
from workers.context import Context, attach, writing
from workers.findings import dismiss, list_findings
from workers.mail import SmtpTransport
from workers.sandboxes import connect_scanner
from workers.scan_accounts import ScanAccountError, open_search
from workers.scan_runs import open_scan, run_scan, scan_state
from workers.scans import ScanTools, scan_brand
from workers.settings import Settings


@pytest.fixture
def sandboxes() -> Iterator[RunningSandboxes]:
    with start_sandboxes(limits=False) as running:
        yield running


@pytest.fixture
def context(
    engine: Engine, db_url: str, broker: ListingSyncBroker, redis_url: str, tmp_path: Path
) -> Context:
    settings = Settings(data_dir=tmp_path, database_url=db_url, secret_key=SECRET_KEY)
    ctx = Context.build(settings, redis_url, prefix=broker.namespace, engine=engine)
    ctx.extras["scan_tools"] = ScanTools.build(ctx, ImageLoader(allow_private=True))
    attach(broker, ctx)
    return ctx


@pytest.fixture
def world(engine: Engine, drawn: list[Image.Image], sandboxes: RunningSandboxes) -> set[tuple[str, str]]:
    """Acme registered, every sandbox seeded, the scan seller connected: the (marketplace, seller) of each
    planted copy."""
    register_brand(engine, drawn)
    connect(engine, sandboxes)
    return seed(sandboxes, drawn).expected()


@pytest.fixture
def email_worker(broker: ListingSyncBroker) -> Iterator[dramatiq.Worker]:
    worker = dramatiq.Worker(broker, queues={EMAIL, CHECK}, worker_threads=2, worker_timeout=100)
    worker.start()
    yield worker
    worker.stop()


@pytest.fixture
def actors(broker: ListingSyncBroker) -> ModuleType:
    import workers.actors

    return workers.actors


def drain(broker: ListingSyncBroker, worker: dramatiq.Worker) -> None:
    for _ in range(3):
        for queue in (CHECK, EMAIL):
            broker.join(queue, timeout=60_000)
            broker.join(f"{queue}.DQ", timeout=60_000)
        worker.join()


def found(engine: Engine) -> set[tuple[str, str]]:
    with engine.connect() as conn:
        return {(f.marketplace, f.seller) for f in list_findings(conn, brand=BRAND)}


def test_a_scan_finds_the_planted_copies_and_leaves_resellers_and_unrelated_listings_alone(
    engine: Engine,
    world: set[tuple[str, str]],
    context: Context,
    broker: ListingSyncBroker,
    email_worker: dramatiq.Worker,
    smtp_server: SmtpServer,
) -> None:
    context.extras["mailer"] = mailer(engine, SmtpTransport(smtp_server.url))
    summary = scan_brand(context, BRAND)
    assert found(engine) == world
    for name, done in summary.marketplaces.items():
        assert (done.listings, done.authorized, done.matches, done.new_findings) == (4, 1, 2, 2), name
        assert (done.errors, done.failed, done.images_fetched) == (0, None, 3), name
    assert summary.totals()["alerts"] == 12  # six findings, two contacts each

    with engine.connect() as conn:
        [mirrored] = [f for f in list_findings(conn, brand=BRAND) if f.seller == "cheap-deals"]
    evidence = mirrored.evidence
    assert evidence["title"] == "ACME travel mug, mirrored" and evidence["brand_words"] == ["Acme"]
    assert evidence["listing_image"]["url"].startswith("http://127.0.0.1")
    assert len(evidence["listing_image"]["sha256"]) == 64 and evidence["match"]["score"] >= 0.6
    assert evidence["url"].startswith("http://127.0.0.1") and evidence["price"] == "9.99"

    drain(broker, email_worker)
    assert len(smtp_server.messages) == 12
    recipients = sorted(str(m.message["To"]) for m in smtp_server.messages)
    assert recipients == ["legal@acme.example"] * 6 + ["owner@acme.example"] * 6


def test_a_rescan_records_no_duplicate_sends_no_second_email_and_fetches_no_image_again(
    engine: Engine,
    world: set[tuple[str, str]],
    context: Context,
    broker: ListingSyncBroker,
    email_worker: dramatiq.Worker,
    smtp_server: SmtpServer,
) -> None:
    context.extras["mailer"] = mailer(engine, SmtpTransport(smtp_server.url))
    scan_brand(context, BRAND)
    drain(broker, email_worker)
    assert len(smtp_server.messages) == 12

    again = scan_brand(context, BRAND)
    totals = again.totals()
    assert (totals["matches"], totals["new_findings"], totals["changed_findings"], totals["alerts"]) == (
        6,
        0,
        0,
        0,
    )
    assert (totals["images_fetched"], totals["images_cached"]) == (0, 9)
    drain(broker, email_worker)
    assert len(smtp_server.messages) == 12
    assert found(engine) == world


def test_a_dismissed_listing_is_not_looked_at_again(
    engine: Engine, world: set[tuple[str, str]], context: Context
) -> None:
    context.extras["scan_tools"].alert = lambda finding_id: []
    scan_brand(context, BRAND, ["ebay"])
    with writing(engine) as conn:
        [copy] = [f for f in list_findings(conn, brand=BRAND) if f.seller == "mugs4less"]
        dismiss(conn, copy.id)
    again = scan_brand(context, BRAND, ["ebay"]).marketplaces["ebay"]
    assert (again.listings, again.authorized, again.matches) == (4, 2, 1)  # the seller is now authorised


def test_one_marketplace_down_still_yields_the_others_findings(
    engine: Engine, world: set[tuple[str, str]], context: Context, sandboxes: RunningSandboxes
) -> None:
    context.extras["scan_tools"].alert = lambda finding_id: []
    sandboxes.servers["ebay"].stop()
    summary = scan_brand(context, BRAND)
    assert summary.failed == ["ebay"]
    assert "TransientError" in (summary.marketplaces["ebay"].failed or "")
    assert found(engine) == {(m, s) for m, s in world if m != "ebay"}


def test_the_scan_actor_runs_a_scan_once_per_key(
    engine: Engine,
    world: set[tuple[str, str]],
    context: Context,
    actors: ModuleType,
    broker: ListingSyncBroker,
    email_worker: dramatiq.Worker,
) -> None:
    context.extras["scan_tools"].alert = lambda finding_id: []
    with writing(engine) as conn:
        scan_id, opened = open_scan(conn, BRAND, ["amazon"], key="nightly:1:2026-11-23")
        assert opened
        assert open_scan(conn, "acme", ["amazon"], key="nightly:1:2026-11-23") == (scan_id, False)
    actors.scan_brand.send(scan_id)
    drain(broker, email_worker)
    with engine.connect() as conn:
        state = scan_state(conn, scan_id)
    assert state["status"] == "done" and state["summary"]["totals"]["new_findings"] == 2
    assert list(state["summary"]["marketplaces"]) == ["amazon"]
    assert run_scan(context, scan_id) is None  # a redelivered message does nothing


def test_an_unknown_brand_or_a_marketplace_without_account_is_a_clear_error(
    engine: Engine, drawn: list[Image.Image], context: Context, sandboxes: RunningSandboxes
) -> None:
    register_brand(engine, drawn)
    with pytest.raises(UnknownBrandError, match="'Nope'"):
        scan_brand(context, "Nope")
    with pytest.raises(ScanAccountError, match=r"no scan account for any marketplace.*sellers add scanner"):
        scan_brand(context, BRAND)
    with pytest.raises(ScanAccountError, match="expected one of amazon, ebay, tmall, got 'etsy'"):
        scan_brand(context, BRAND, ["etsy"])
    with writing(engine) as conn:
        assert conn.execute(sa.text("select count(*) from findings")).scalar_one() == 0


def test_searches_wait_in_the_shared_limiter_unless_the_account_says_otherwise(
    engine: Engine, drawn: list[Image.Image], context: Context, sandboxes: RunningSandboxes
) -> None:
    connect_scanner(engine, sandboxes, SECRET_KEY, marketplaces=("amazon",))  # limits on
    sandboxes.amazon.seed(
        title="Acme drill", seller="A2COPYCAT", price="9.99", images=[imagery.jpeg(drawn[0])]
    )
    search = open_search(engine, SECRET_KEY, "scanner", "amazon", limiter=context.limiter)
    assert len(list(search.search("acme"))) == 1
    slot = context.limiter.key("search:amazon:scanner", "getItemOffers")
    assert context.redis.exists(slot)  # its next slot is reserved for every worker to see
    context.redis.delete(slot)
    connect_scanner(engine, sandboxes, SECRET_KEY, marketplaces=("amazon",), limits=False)
    unpaced = open_search(engine, SECRET_KEY, "scanner", "amazon", limiter=context.limiter)
    assert len(list(unpaced.search("acme"))) == 1
    assert not context.redis.exists(slot)
