"""Account settings and drift through the whole pipeline: planner, push actors and sandboxes over HTTP."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import dramatiq
import pytest
import sqlalchemy as sa
from pipeline_support import SELLER, Shop, drain, make_product

from connectors.base import Action, Change
from workers.accounts import save_account
from workers.broker import ListingSyncBroker
from workers.context import writing
from workers.runs import open_run, run_progress, start_run
from workers.sandboxes import SANDBOX_SETTINGS, connect_sandboxes
from workers.store.models import Listing, SyncBatch
from workers.store.products import ProductRecord, save_products
from workers.store.sellers import add_seller

MARKETPLACES = ("amazon", "ebay", "tmall")
OTHER = "shop-2"


def sync(shop: Shop, broker: ListingSyncBroker, worker: dramatiq.Worker, seller: str, **scope: Any) -> str:
    with writing(shop.engine) as conn:
        run_id = open_run(conn, seller, kind="manual", **scope)
    start_run(run_id)
    assert drain(broker, worker, shop, run_id) == "done"
    return run_id


def pushed(shop: Shop) -> dict[tuple[str, str, str], dict[str, str]]:
    with shop.engine.connect() as conn:
        rows = conn.execute(
            sa.select(Listing.seller_id, Listing.marketplace, Listing.sku, Listing.pushed_hashes)
        )
        return {(s, str(m), sku): dict(h) for s, m, sku, h in rows}


def tmall_prices(shop: Shop, seller: str) -> dict[str, Decimal]:
    return {str(x["outer_id"]): Decimal(str(x["price"])) for x in shop.sandboxes.tmall.items_of(seller)}


def two_synced_sellers(
    make_shop: Callable[..., Shop], broker: ListingSyncBroker, worker: dramatiq.Worker, db_url: str
) -> tuple[Shop, list[str]]:
    """A shop (SELLER, three mugs) and OTHER (two cups) on every sandbox, both synced; SELLER's SKUs."""
    shop = make_shop(database_url=db_url)  # on SQLite and on PostgreSQL
    with writing(shop.engine) as conn:
        add_seller(conn, OTHER, name="Shop Two")
    connect_sandboxes(shop.engine, OTHER, shop.sandboxes, shop.connectors_key)
    skus = ["MUG-1", "MUG-2", "MUG-3"]
    shop.save([make_product(sku) for sku in skus])
    with writing(shop.engine) as conn:
        save_products(conn, OTHER, [ProductRecord.from_product(make_product(s)) for s in ("CUP-1", "CUP-2")])
    sync(shop, broker, worker, SELLER)
    sync(shop, broker, worker, OTHER)
    return shop, skus


def test_a_new_cny_rate_re_pushes_only_the_price_of_that_sellers_tmall_listings(
    make_shop: Callable[..., Shop], broker: ListingSyncBroker, worker: dramatiq.Worker, db_url: str
) -> None:
    shop, skus = two_synced_sellers(make_shop, broker, worker, db_url)
    assert tmall_prices(shop, SELLER) == dict.fromkeys(skus, Decimal("89.00"))  # 12.50 USD at 7.12
    before = pushed(shop)
    writes = {m: shop.sandboxes.sandbox(m).ledger.total_writes() for m in ("amazon", "ebay")}
    counts = {s: shop.sandboxes.tmall.ledger.all(s) for s in (SELLER, OTHER)}

    with writing(shop.engine) as conn:
        save_account(
            conn,
            SELLER,
            "tmall",
            credentials=shop.sandboxes.tmall.credentials_for(SELLER),
            secret_key=shop.connectors_key,
            endpoint=shop.sandboxes.url("tmall"),
            settings={**SANDBOX_SETTINGS["tmall"], "rates": {"USD": "7.50"}},
        )
    run_id = sync(shop, broker, worker, SELLER)
    sync(shop, broker, worker, OTHER)

    assert tmall_prices(shop, SELLER) == dict.fromkeys(skus, Decimal("93.75"))
    assert tmall_prices(shop, OTHER) == dict.fromkeys(["CUP-1", "CUP-2"], Decimal("89.00"))
    with shop.engine.connect() as conn:
        query = sa.select(SyncBatch.marketplace, SyncBatch.skus).where(SyncBatch.run_id == run_id)
        batches = conn.execute(query)
        assert sorted((str(m), sorted(s)) for m, s in batches) == [("tmall", skus)]
    assert {m: shop.sandboxes.sandbox(m).ledger.total_writes() for m in ("amazon", "ebay")} == writes
    assert shop.sandboxes.tmall.ledger.all(OTHER) == counts[OTHER]
    for sku, now in shop.sandboxes.tmall.ledger.all(SELLER).items():
        was = counts[SELLER][sku]
        # an offer update: taobao.item.quantity.update and taobao.item.price.update, no add, no item.update
        assert (now.creates, now.updates - was.updates, now.ends) == (was.creates, 2, was.ends), sku
    after = pushed(shop)
    changed = {
        key: sorted(g for g in after[key] if after[key][g] != before[key].get(g))
        for key in after
        if after[key] != before[key]
    }
    assert changed == {(SELLER, "tmall", sku): ["price"] for sku in skus}

    # the account unchanged since: nothing planned, nothing written
    total = {m: shop.sandboxes.sandbox(m).ledger.total_writes() for m in MARKETPLACES}
    again = sync(shop, broker, worker, SELLER)
    assert {m: shop.sandboxes.sandbox(m).ledger.total_writes() for m in MARKETPLACES} == total
    with shop.engine.connect() as conn:
        assert run_progress(conn, again)["marketplaces"] == {}


@pytest.mark.parametrize("marketplace", MARKETPLACES)
def test_a_nightly_run_repairs_a_title_changed_on_the_marketplace(
    make_shop: Callable[..., Shop], broker: ListingSyncBroker, worker: dramatiq.Worker, marketplace: str
) -> None:
    shop = make_shop()
    skus = [f"MUG-{i:03d}" for i in range(3)]
    shop.save([make_product(sku) for sku in skus])
    sync(shop, broker, worker, SELLER, marketplaces=[marketplace])
    connector = shop.context.connectors.get(SELLER, marketplace)
    projected = {sku: connector.fetch(sku).title for sku in skus}  # type: ignore[union-attr]
    edited = make_product(
        "MUG-001",
        title="Plain Mug",
        localized={"zh-CN": {"title": "普通杯子", "description": "手工上釉粗陶马克杯，保温。"}},
    )
    [result] = connector.push([Change(Action.UPDATE_CONTENT, "MUG-001", edited)])
    assert result.ok
    assert connector.fetch("MUG-001").title in ("Plain Mug", "普通杯子")  # type: ignore[union-attr]

    with writing(shop.engine) as conn:
        run_id = open_run(conn, SELLER, kind="nightly", marketplaces=[marketplace])
    start_run(run_id)
    assert drain(broker, worker, shop, run_id) == "done"

    assert {sku: connector.fetch(sku).title for sku in skus} == projected  # type: ignore[union-attr]
    with shop.engine.connect() as conn:
        repushed = conn.execute(sa.select(SyncBatch.skus).where(SyncBatch.run_id == run_id)).scalars().all()
    assert [list(s) for s in repushed] == [["MUG-001"]]


def ebay_offers(shop: Shop, seller: str) -> dict[str, dict[str, Any]]:
    return {str(o["sku"]): o for o in shop.sandboxes.ebay.offers(seller)}


def ebay_history(shop: Shop, seller: str, skus: list[str]) -> dict[str, dict[str, int]]:
    return {sku: shop.sandboxes.ebay.history(seller, sku) for sku in skus}


def changed_groups(
    before: dict[tuple[str, str, str], dict[str, str]], after: dict[tuple[str, str, str], dict[str, str]]
) -> dict[tuple[str, str, str], list[str]]:
    return {
        key: sorted(g for g in after[key] if after[key][g] != before[key].get(g))
        for key in after
        if after[key] != before[key]
    }


def test_a_new_ebay_policy_id_revises_every_live_offer_of_that_seller_through_update_offer_alone(
    make_shop: Callable[..., Shop], broker: ListingSyncBroker, worker: dramatiq.Worker, db_url: str
) -> None:
    shop, skus = two_synced_sellers(make_shop, broker, worker, db_url)
    old = SANDBOX_SETTINGS["ebay"]["payment_policy_id"]
    assert {o["listingPolicies"]["paymentPolicyId"] for o in ebay_offers(shop, SELLER).values()} == {old}
    before = pushed(shop)
    writes = {m: shop.sandboxes.sandbox(m).ledger.total_writes() for m in ("amazon", "tmall")}
    history = ebay_history(shop, SELLER, skus)
    others = ebay_offers(shop, OTHER)
    calls = {op: shop.sandboxes.ebay.stats[op] for op in ("updateOffer", "bulkUpdatePriceQuantity")}

    with writing(shop.engine) as conn:
        save_account(
            conn,
            SELLER,
            "ebay",
            credentials=shop.sandboxes.ebay.credentials_for(SELLER),
            secret_key=shop.connectors_key,
            endpoint=shop.sandboxes.url("ebay"),
            settings={**SANDBOX_SETTINGS["ebay"], "payment_policy_id": "6196939999"},
        )
    run_id = sync(shop, broker, worker, SELLER)
    sync(shop, broker, worker, OTHER)

    offers = ebay_offers(shop, SELLER)
    assert {sku: o["listingPolicies"]["paymentPolicyId"] for sku, o in offers.items()} == dict.fromkeys(
        skus, "6196939999"
    )
    assert all(o["status"] == "PUBLISHED" for o in offers.values())
    assert ebay_offers(shop, OTHER) == others
    with shop.engine.connect() as conn:
        query = sa.select(SyncBatch.marketplace, SyncBatch.skus).where(SyncBatch.run_id == run_id)
        assert sorted((str(m), sorted(s)) for m, s in conn.execute(query)) == [("ebay", skus)]
    assert {m: shop.sandboxes.sandbox(m).ledger.total_writes() for m in ("amazon", "tmall")} == writes
    assert shop.sandboxes.ebay.stats["updateOffer"] == calls["updateOffer"] + len(skus)
    assert shop.sandboxes.ebay.stats["bulkUpdatePriceQuantity"] == calls["bulkUpdatePriceQuantity"]
    for sku, now in ebay_history(shop, SELLER, skus).items():
        grown = {event: n - history[sku].get(event, 0) for event, n in now.items()}
        assert {event: n for event, n in grown.items() if n} == {"offer_updated": 1}, sku
    assert changed_groups(before, pushed(shop)) == {(SELLER, "ebay", sku): ["offer"] for sku in skus}

    # the account unchanged since: nothing planned, nothing written
    total = {m: shop.sandboxes.sandbox(m).ledger.total_writes() for m in MARKETPLACES}
    again = sync(shop, broker, worker, SELLER)
    assert {m: shop.sandboxes.sandbox(m).ledger.total_writes() for m in MARKETPLACES} == total
    with shop.engine.connect() as conn:
        assert run_progress(conn, again)["marketplaces"] == {}


def test_a_new_ebay_category_of_one_product_revises_that_offers_category(
    make_shop: Callable[..., Shop], broker: ListingSyncBroker, worker: dramatiq.Worker, db_url: str
) -> None:
    shop = make_shop(database_url=db_url)
    skus = ["MUG-1", "MUG-2"]
    shop.save([make_product(sku) for sku in skus])
    sync(shop, broker, worker, SELLER, marketplaces=["ebay"])
    assert {sku: o["categoryId"] for sku, o in ebay_offers(shop, SELLER).items()} == dict.fromkeys(
        skus, "20625"
    )
    calls = shop.sandboxes.ebay.stats["updateOffer"]

    shop.save([make_product("MUG-2", ebay={"category_id": "9355"})])
    run_id = sync(shop, broker, worker, SELLER, marketplaces=["ebay"])

    assert {sku: o["categoryId"] for sku, o in ebay_offers(shop, SELLER).items()} == {
        "MUG-1": "20625",
        "MUG-2": "9355",
    }
    listed = {str(x["sku"]): x["categoryId"] for x in shop.sandboxes.ebay.live(SELLER)}
    assert listed == {"MUG-1": "20625", "MUG-2": "9355"}
    assert shop.sandboxes.ebay.stats["updateOffer"] == calls + 1
    with shop.engine.connect() as conn:
        batches = conn.execute(sa.select(SyncBatch.skus).where(SyncBatch.run_id == run_id)).scalars().all()
    assert [list(s) for s in batches] == [["MUG-2"]]


def test_a_nightly_run_repairs_a_tmall_price_changed_on_the_marketplace(
    make_shop: Callable[..., Shop], broker: ListingSyncBroker, worker: dramatiq.Worker, db_url: str
) -> None:
    shop = make_shop(database_url=db_url)
    skus = [f"MUG-{i:03d}" for i in range(3)]
    shop.save([make_product(sku) for sku in skus])
    sync(shop, broker, worker, SELLER, marketplaces=["tmall"])
    assert tmall_prices(shop, SELLER) == dict.fromkeys(skus, Decimal("89.00"))  # 12.50 USD at 7.12
    connector = shop.context.connectors.get(SELLER, "tmall")
    [result] = connector.push(
        [Change(Action.UPDATE_OFFER, "MUG-001", make_product("MUG-001", price="10.00"))]
    )
    assert result.ok
    assert tmall_prices(shop, SELLER)["MUG-001"] == Decimal("71.20")

    with writing(shop.engine) as conn:
        run_id = open_run(conn, SELLER, kind="nightly", marketplaces=["tmall"])
    start_run(run_id)
    assert drain(broker, worker, shop, run_id) == "done"

    assert tmall_prices(shop, SELLER) == dict.fromkeys(skus, Decimal("89.00"))
    with shop.engine.connect() as conn:
        repushed = conn.execute(sa.select(SyncBatch.skus).where(SyncBatch.run_id == run_id)).scalars().all()
    assert [list(s) for s in repushed] == [["MUG-001"]]
