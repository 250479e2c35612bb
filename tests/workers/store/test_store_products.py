from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from workers.store.errors import InvalidValueError
from workers.store.models import Product
from workers.store.products import (
    ProductRecord,
    count_products,
    delete_products,
    get_product,
    save_products,
)
from workers.store.sellers import add_seller


def record(sku: str, price: str = "9.99", quantity: int = 1) -> ProductRecord:
    data = {"sku": sku, "title": f"Item {sku}", "price": price, "quantity": quantity}
    hashes = {"content": f"c-{sku}", "price": f"p-{price}", "quantity": f"q-{quantity}", "images": "i"}
    return ProductRecord(sku, data, hashes)


@pytest.fixture
def seller(engine: Engine) -> Iterator[str]:
    with engine.begin() as conn:
        add_seller(conn, "acme")
    yield "acme"


def updated_at(engine: Engine, sku: str) -> object:
    with engine.connect() as conn:
        return conn.execute(sa.select(Product.updated_at).where(Product.sku == sku)).scalar_one()


def test_new_products_are_stored_with_their_hashes(engine: Engine, seller: str) -> None:
    with engine.begin() as conn:
        result = save_products(conn, seller, [record("A-1"), record("A-2")])
    assert sorted(result.changed) == ["A-1", "A-2"] and result.unchanged == 0
    with engine.connect() as conn:
        stored = get_product(conn, seller, "A-1")
    assert stored == record("A-1")


def test_saving_an_unchanged_product_writes_nothing(engine: Engine, seller: str) -> None:
    with engine.begin() as conn:
        save_products(conn, seller, [record("A-1"), record("A-2")])
    before = updated_at(engine, "A-1")
    with engine.begin() as conn:
        result = save_products(conn, seller, [record("A-1"), record("A-2", price="5.00")])
    assert result.changed == ["A-2"] and result.unchanged == 1
    assert updated_at(engine, "A-1") == before
    with engine.connect() as conn:
        assert get_product(conn, seller, "A-2") == record("A-2", price="5.00")


def test_a_soft_deleted_product_stays_stored_and_comes_back_when_saved_again(
    engine: Engine, seller: str
) -> None:
    with engine.begin() as conn:
        save_products(conn, seller, [record("A-1"), record("A-2")])
        assert delete_products(conn, seller, ["A-1", "missing"]) == 1
        assert delete_products(conn, seller, ["A-1"]) == 0
    with engine.connect() as conn:
        assert get_product(conn, seller, "A-1") is None
        assert count_products(conn, seller) == (1, 1)
    with engine.begin() as conn:
        assert save_products(conn, seller, [record("A-1")]).changed == ["A-1"]
    with engine.connect() as conn:
        assert count_products(conn, seller) == (2, 0)


def test_products_of_different_sellers_do_not_meet(engine: Engine, seller: str) -> None:
    with engine.begin() as conn:
        add_seller(conn, "other")
        save_products(conn, seller, [record("A-1")])
        result = save_products(conn, "other", [record("A-1")])
    assert result.changed == ["A-1"]
    with engine.connect() as conn:
        assert count_products(conn, seller) == (1, 0) and count_products(conn, "other") == (1, 0)


def test_a_sku_given_twice_in_one_batch_keeps_its_last_record(engine: Engine, seller: str) -> None:
    with engine.begin() as conn:
        result = save_products(conn, seller, [record("A-1"), record("A-1", quantity=7)])
    assert result.changed == ["A-1"]
    with engine.connect() as conn:
        assert get_product(conn, seller, "A-1") == record("A-1", quantity=7)


def test_a_record_without_every_hash_is_refused(engine: Engine, seller: str) -> None:
    broken = ProductRecord("A-1", {}, {"content": "c", "price": "p", "quantity": "q"})
    with pytest.raises(InvalidValueError, match="A-1: no 'images' hash"), engine.begin() as conn:
        save_products(conn, seller, [broken])


def test_products_need_an_existing_seller(engine: Engine) -> None:
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        save_products(conn, "ghost", [record("A-1")])
