"""A seller's catalogue in the store: batched upserts that write only what changed, and soft deletes.

Products are compared by their four content hashes (content, price, quantity, images), so storing an
unchanged product writes nothing and the planner can later diff each field group against what was pushed.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite

from workers.store.db import RawJSON, utcnow
from workers.store.errors import InvalidValueError
from workers.store.models import Product

if TYPE_CHECKING:
    from catalog.product import Product as CatalogProduct

#: content_hashes() key -> column
HASH_COLUMNS = {
    "content": "content_hash",
    "price": "price_hash",
    "quantity": "quantity_hash",
    "images": "images_hash",
}


@dataclass(frozen=True)
class ProductRecord:
    """A product as stored: its SKU, its shared-schema JSON and its hash per field group.

    A record made from a catalogue `Product` has no `data` yet: the product is serialised only when it is
    written, so an unchanged product costs its hashes alone.
    """

    sku: str
    data: dict[str, Any] | None
    hashes: Mapping[str, str]
    product: CatalogProduct | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_product(cls, product: CatalogProduct) -> ProductRecord:
        return cls(product.sku, None, product.content_hashes(), product)

    def json_data(self) -> dict[str, Any] | RawJSON:
        if self.data is not None:
            return self.data
        if self.product is None:
            raise InvalidValueError("data", f"{self.sku}: no product data")
        return RawJSON(self.product.model_dump_json(exclude_none=True))

    def hash_row(self) -> tuple[str, str, str, str]:
        h = self.hashes
        try:
            return h["content"], h["price"], h["quantity"], h["images"]
        except KeyError as missing:
            raise InvalidValueError("hashes", f"{self.sku}: no {missing} hash") from None


@dataclass(frozen=True)
class SaveResult:
    changed: list[str]  # SKUs written: new, changed or brought back from a soft delete
    unchanged: int


def save_products(conn: Connection, seller_id: str, records: Sequence[ProductRecord]) -> SaveResult:
    """Upsert one batch in the caller's transaction, in one statement; unchanged products are not written.

    A SKU given twice in one batch keeps its last record.
    """
    by_sku = {record.sku: record for record in records}
    if not by_sku:
        return SaveResult([], 0)
    stored = {
        sku: (content, price, quantity, images)
        for sku, content, price, quantity, images in conn.execute(
            _stored_hashes(conn.dialect.name), {"seller_id": seller_id, "skus": list(by_sku)}
        )
    }
    now = utcnow()
    params = []
    for sku, record in by_sku.items():
        hashes = record.hash_row()
        if stored.get(sku) == hashes:
            continue
        row: dict[str, Any] = {
            "seller_id": seller_id,
            "sku": sku,
            "data": record.json_data(),
            "updated_at": now,
        }
        row.update(zip(HASH_COLUMNS.values(), hashes, strict=True))
        params.append(row)
    if params:
        conn.execute(_upsert(conn.dialect.name), params)
    return SaveResult([p["sku"] for p in params], len(by_sku) - len(params))


# The two statements of every save are built once per backend (bound parameters carry the values): building
# them costs more than running them for the small batches that webhooks write.
@functools.cache
def _stored_hashes(dialect: str) -> sa.Select:
    if dialect == "postgresql":
        # One array parameter: PostgreSQL hashes it, where an IN list of parameters is searched row by row.
        in_batch = Product.sku == sa.any_(sa.bindparam("skus", type_=postgresql.ARRAY(sa.String)))
    else:
        in_batch = Product.sku.in_(sa.bindparam("skus", expanding=True))
    return sa.select(
        Product.sku, Product.content_hash, Product.price_hash, Product.quantity_hash, Product.images_hash
    ).where(Product.seller_id == sa.bindparam("seller_id"), in_batch, Product.deleted_at.is_(None))


def refresh_statistics(conn: Connection) -> None:
    """Let PostgreSQL's planner see a table that a bulk import just grew (autovacuum may not have yet).

    With stale statistics it looks SKUs up by seller alone and filters every product of the seller.
    """
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("ANALYZE products")


@functools.cache
def _upsert(dialect: str) -> Any:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(Product)
    updated = ("data", *HASH_COLUMNS.values(), "updated_at")
    return stmt.on_conflict_do_update(
        index_elements=["seller_id", "sku"],
        set_={**{name: stmt.excluded[name] for name in updated}, "deleted_at": sa.null()},
    )


def delete_products(conn: Connection, seller_id: str, skus: Iterable[str]) -> int:
    """Soft-delete: the rows stay (the planner ends their listings); returns how many were live."""
    result = conn.execute(
        sa.update(Product)
        .where(Product.seller_id == seller_id, Product.sku.in_(list(skus)), Product.deleted_at.is_(None))
        .values(deleted_at=utcnow())
    )
    return result.rowcount


def get_product(conn: Connection, seller_id: str, sku: str) -> ProductRecord | None:
    """A live (not deleted) product, or None."""
    row = conn.execute(
        sa.select(Product).where(
            Product.seller_id == seller_id, Product.sku == sku, Product.deleted_at.is_(None)
        )
    ).one_or_none()
    if row is None:
        return None
    hashes = {key: getattr(row, column) for key, column in HASH_COLUMNS.items()}
    return ProductRecord(row.sku, row.data, hashes)


def count_products(conn: Connection, seller_id: str) -> tuple[int, int]:
    """(live, soft-deleted) product counts for a seller."""
    deleted = Product.deleted_at.is_not(None)
    row = conn.execute(
        sa.select(sa.func.count().filter(~deleted), sa.func.count().filter(deleted)).where(
            Product.seller_id == seller_id
        )
    ).one()
    return int(row[0]), int(row[1])
