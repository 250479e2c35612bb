from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from cryptography.fernet import Fernet
from sqlalchemy import Engine

import workers.store.brand_models  # noqa: F401 - registers the brand tables
from catalog.product import Product
from connectors.registry import CREDENTIAL_FIELDS
from workers.account_hashes import OFFER, fold, offer_hash, settings_digests
from workers.accounts import save_account
from workers.context import writing
from workers.planner import plan_marketplace
from workers.store import migrate, open_engine
from workers.store.db import utcnow
from workers.store.migrate import alembic_config, current_revision, head_revision, shipped_head
from workers.store.models import Base, Listing, ListingStatus
from workers.store.products import ProductRecord, save_products
from workers.store.sellers import add_seller

ROOT = Path(__file__).resolve().parents[3]

TABLES = {
    "sellers",
    "webhook_secrets",
    "api_keys",
    "products",
    "marketplace_accounts",
    "listings",
    "sync_runs",
    "webhook_deliveries",
    "sync_batches",
    "brands",
    "brand_aliases",
    "brand_contacts",
    "authorized_sellers",
    "brand_images",
    "findings",
    "alerts",
    "brand_index",
    "brand_scans",
    "scanned_images",
    "image_checks",
}


def test_the_first_migration_creates_every_table_known_now(engine: Engine) -> None:
    assert set(sa.inspect(engine).get_table_names()) >= TABLES
    assert set(Base.metadata.tables) == TABLES
    assert current_revision(engine) == head_revision()


def test_the_migrated_schema_matches_the_models(engine: Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []


def test_the_indexes_queries_need_exist(engine: Engine) -> None:
    inspector = sa.inspect(engine)
    listing_indexes = {tuple(ix["column_names"]) for ix in inspector.get_indexes("listings")}
    assert ("seller_id", "status") in listing_indexes
    product_keys = {tuple(uq["column_names"]) for uq in inspector.get_unique_constraints("products")}
    assert ("seller_id", "sku") in product_keys


def test_migrating_a_database_at_head_changes_nothing(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            sa.text("INSERT INTO sellers (id, name, timezone, created_at) VALUES ('s', 's', 'UTC', :t)"),
            {"t": "2026-01-01 00:00:00"},
        )
    migrate(engine)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM sellers")).scalar_one() == 1


def test_downgrading_to_nothing_and_back_works(engine: Engine) -> None:
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "base")
    assert not TABLES & set(sa.inspect(engine).get_table_names())
    migrate(engine)
    assert set(sa.inspect(engine).get_table_names()) >= TABLES


def test_the_brand_index_migration_goes_down_and_up_leaving_one_stale_row(engine: Engine) -> None:
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0001")
    assert "brand_index" not in sa.inspect(engine).get_table_names()
    migrate(engine)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, generation, matcher FROM brand_index")).all()
    assert [tuple(r) for r in rows] == [(1, 0, None)]


def test_listings_take_the_held_status_and_a_downgrade_puts_held_ones_back_to_pending(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            sa.text("INSERT INTO sellers (id, name, timezone, created_at) VALUES ('s', 's', 'UTC', :t)"),
            {"t": "2026-01-01 00:00:00"},
        )
        conn.execute(
            sa.text(
                "INSERT INTO listings (seller_id, marketplace, sku, status, remote_ids, pushed_hashes, "
                "attempts, updated_at) VALUES ('s', 'ebay', 'A', 'held', '{}', '{}', 0, :t)"
            ),
            {"t": "2026-01-01 00:00:00"},
        )
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0005")
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT status FROM listings")).scalar_one() == "pending"
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.execute(sa.text("UPDATE listings SET status = 'held'"))
    migrate(engine)
    assert "image_checks" in sa.inspect(engine).get_table_names()


def test_sqlite_connections_use_wal_and_enforce_foreign_keys(tmp_path: Path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path}/nested/dir/store.db")
    try:
        migrate(engine)
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO api_keys (seller_id, key_hash, prefix, created_at)"
                    " VALUES ('nobody', 'h', 'p', :t)"
                ),
                {"t": "2026-01-01 00:00:00"},
            )
    finally:
        engine.dispose()


@pytest.mark.parametrize("workers", [4, 12])
def test_processes_starting_together_migrate_once(tmp_path: Path, workers: int) -> None:
    url = f"sqlite:///{tmp_path}/store.db"
    errors: list[BaseException] = []
    start = threading.Barrier(workers)

    def run() -> None:
        engine = open_engine(url)
        try:
            start.wait()
            migrate(engine)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=run) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    engine = open_engine(url)
    try:
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_upgrading_folds_each_accounts_payload_settings_into_its_recorded_hashes(engine: Engine) -> None:
    key = Fernet.generate_key().decode()
    hashes = {"content": "c" * 64, "price": "p" * 64, "quantity": "q" * 64, "images": "i" * 64}
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0006")
    with writing(engine) as conn:
        add_seller(conn, "s", name="s")
        tmall = {"rates": {"USD": "7.12"}}
        for marketplace, settings in (("tmall", tmall), ("ebay", {"payment_policy_id": "1"})):
            credentials = dict.fromkeys(CREDENTIAL_FIELDS[marketplace], "x")
            save_account(conn, "s", marketplace, credentials=credentials, secret_key=key, settings=settings)
        listing = {"seller_id": "s", "status": ListingStatus.LIVE, "remote_ids": {}, "attempts": 1}
        conn.execute(
            sa.insert(Listing),
            [
                {**listing, "marketplace": m, "sku": sku, "pushed_hashes": pushed, "updated_at": utcnow()}
                for m in ("tmall", "ebay")
                for sku, pushed in (("A", hashes), ("B", {}))
            ],
        )
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0007")
    with engine.connect() as conn:
        rows = conn.execute(sa.select(Listing.marketplace, Listing.sku, Listing.pushed_hashes)).all()
    assert {(str(m), sku): dict(h) for m, sku, h in rows} == {
        ("tmall", "A"): fold(hashes, settings_digests("tmall", [], tmall)),
        ("tmall", "B"): {},
        ("ebay", "A"): hashes,
        ("ebay", "B"): {},
    }


def test_the_revision_file_names_name_the_head_alembic_finds() -> None:
    assert shipped_head() == head_revision()


def test_migrating_a_database_already_at_head_imports_no_alembic(db_url: str) -> None:
    code = (
        "import sys\n"
        "from workers.store import migrate, open_engine\n"
        "engine = open_engine(sys.argv[1])\n"
        "migrate(engine)\n"
        "engine.dispose()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('alembic', 'connectors')))\n"
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    done = subprocess.run(
        [sys.executable, "-c", code, db_url], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_upgrading_records_each_ebay_listings_offer_group_so_nothing_is_pushed_again(engine: Engine) -> None:
    key = Fernet.generate_key().decode()
    policies = {"fulfillment_policy_id": "61", "payment_policy_id": "62", "merchant_location_key": "w-1"}
    base = {
        "title": "Mug",
        "currency": "USD",
        "price": "12.50",
        "quantity": 3,
        "image_urls": ["https://i.example/m.png"],
    }
    products = [
        Product.model_validate({**base, "sku": "A", "ebay": {"category_id": "9355"}}),
        Product.model_validate({**base, "sku": "B"}),
    ]
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0007")
    with writing(engine) as conn:
        add_seller(conn, "s", name="s")
        credentials = dict.fromkeys(CREDENTIAL_FIELDS["ebay"], "x")
        save_account(conn, "s", "ebay", credentials=credentials, secret_key=key, settings=policies)
        save_products(conn, "s", [ProductRecord.from_product(p) for p in products])
        listing = {"seller_id": "s", "marketplace": "ebay", "status": ListingStatus.LIVE, "attempts": 1}
        conn.execute(
            sa.insert(Listing),
            [
                {**listing, "sku": p.sku, "remote_ids": {}, "pushed_hashes": p.content_hashes()}
                | {"updated_at": utcnow()}
                for p in products
            ]
            + [{**listing, "sku": "C", "remote_ids": {}, "pushed_hashes": {}, "updated_at": utcnow()}],
        )
    migrate(engine)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(Listing.sku, Listing.pushed_hashes)).all()
        plan = plan_marketplace(conn, "s", "ebay", ["A", "B"])
    digest = settings_digests("ebay", [], policies)[OFFER]
    assert {sku: dict(h).get(OFFER) for sku, h in rows} == {
        "A": offer_hash("9355", digest),
        "B": offer_hash(None, digest),
        "C": None,
    }
    assert offer_hash("9355", digest) != offer_hash(None, digest)
    assert (plan.first, plan.main, plan.unchanged) == ([], [], 2)

    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0007")
    with engine.connect() as conn:
        back = conn.execute(sa.select(Listing.sku, Listing.pushed_hashes)).all()
    assert {sku: dict(h) for sku, h in back} == {p.sku: p.content_hashes() for p in products} | {"C": {}}
