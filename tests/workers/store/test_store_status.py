from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from workers.store.errors import UnknownSellerError
from workers.store.models import Listing, ListingStatus, Marketplace, RunKind, RunStatus, SyncRun
from workers.store.products import ProductRecord, delete_products, save_products
from workers.store.sellers import add_seller
from workers.store.status import seller_status


def test_status_counts_products_and_listings_per_marketplace_and_status(engine: Engine) -> None:
    hashes = {"content": "c", "price": "p", "quantity": "q", "images": "i"}
    t0 = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    with engine.begin() as conn:
        add_seller(conn, "acme", timezone="Asia/Shanghai")
        add_seller(conn, "other")
        save_products(conn, "acme", [ProductRecord(f"S{i}", {}, hashes) for i in range(5)])
        delete_products(conn, "acme", ["S0"])
        listings = [
            ("acme", Marketplace.AMAZON, "S1", ListingStatus.LIVE),
            ("acme", Marketplace.AMAZON, "S2", ListingStatus.LIVE),
            ("acme", Marketplace.AMAZON, "S3", ListingStatus.ERROR),
            ("acme", Marketplace.TMALL, "S1", ListingStatus.PENDING),
            ("other", Marketplace.EBAY, "S1", ListingStatus.LIVE),
        ]
        conn.execute(
            sa.insert(Listing),
            [{"seller_id": s, "marketplace": m, "sku": k, "status": st} for s, m, k, st in listings],
        )
        conn.execute(
            sa.insert(SyncRun),
            [
                {"seller_id": "acme", "kind": RunKind.NIGHTLY, "status": RunStatus.DONE, "created_at": t0},
                {
                    "seller_id": "acme",
                    "kind": RunKind.WEBHOOK,
                    "status": RunStatus.RUNNING,
                    "created_at": t0 + dt.timedelta(hours=1),
                },
            ],
        )
    with engine.connect() as conn:
        status = seller_status(conn, "acme")
    shown = status.as_json()
    assert shown["products"] == 4 and shown["deleted_products"] == 1
    assert shown["listings"] == {"amazon": {"error": 1, "live": 2}, "tmall": {"pending": 1}}
    assert shown["last_run"]["kind"] == "webhook" and shown["last_run"]["status"] == "running"
    assert shown["timezone"] == "Asia/Shanghai"


def test_status_of_a_new_seller_is_empty(engine: Engine) -> None:
    with engine.begin() as conn:
        add_seller(conn, "acme")
        status = seller_status(conn, "acme")
    assert (status.products, status.listings, status.last_run) == (0, {}, None)


def test_status_of_an_unknown_seller_raises(engine: Engine) -> None:
    with pytest.raises(UnknownSellerError), engine.connect() as conn:
        seller_status(conn, "ghost")


def test_status_shows_held_listings_with_their_reasons(engine: Engine) -> None:
    from workers.cli.status import render

    reason = "Held, not pushed to ebay: image 1 matches an image registered by the brand Acme"
    with engine.begin() as conn:
        add_seller(conn, "acme")
        conn.execute(
            sa.insert(Listing),
            [
                {
                    "seller_id": "acme",
                    "marketplace": m,
                    "sku": sku,
                    "status": status,
                    "last_error_message": message,
                }
                for m, sku, status, message in (
                    (Marketplace.EBAY, "FAKE", ListingStatus.HELD, reason),
                    (Marketplace.AMAZON, "FAKE", ListingStatus.HELD, None),
                    (Marketplace.EBAY, "MUG", ListingStatus.LIVE, None),
                )
            ],
        )
    with engine.connect() as conn:
        status = seller_status(conn, "acme")
    shown = status.as_json()
    assert shown["listings"]["ebay"] == {"held": 1, "live": 1}
    assert shown["held"] == [
        {"marketplace": "amazon", "sku": "FAKE", "reason": ""},
        {"marketplace": "ebay", "sku": "FAKE", "reason": reason},
    ]
    lines = render(status)
    assert "Held by a brand:" in lines and f"  ebay    FAKE: {reason}" in lines
