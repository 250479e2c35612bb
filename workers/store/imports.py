"""Import a stream of parsed rows into a seller's catalogue, one transaction per batch."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from workers.store.products import ProductRecord, refresh_statistics, save_products
from workers.store.sellers import get_seller

if TYPE_CHECKING:
    from catalog.importer import ImportRow

BATCH_SIZE = 1000
#: Written rows after which PostgreSQL's statistics are refreshed during a long import.
ANALYZE_EVERY = 20_000


@dataclass(frozen=True)
class RowError:
    row: int
    sku: str | None
    field: str
    message: str


@dataclass
class ImportResult:
    """Counts of rows: accepted (new or changed, now stored), unchanged, rejected (with their errors)."""

    accepted: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return self.accepted + self.unchanged + self.rejected

    def as_json(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "rejected": self.rejected,
            "unchanged": self.unchanged,
            "errors": [asdict(error) for error in self.errors],
        }


def import_products(
    engine: Engine,
    seller_id: str,
    rows: Iterable[ImportRow],
    *,
    batch_size: int = BATCH_SIZE,
    on_batch: Callable[[ImportResult], None] | None = None,
) -> ImportResult:
    """Store every good row and report every bad one; a batch is committed before the next is read.

    Raises `UnknownSellerError` before reading anything when the seller does not exist.
    """
    with engine.connect() as conn:
        get_seller(conn, seller_id)
    result = ImportResult()
    batch: list[ProductRecord] = []
    analyzed_at = 0

    def flush() -> None:
        nonlocal analyzed_at
        with engine.begin() as conn:
            saved = save_products(conn, seller_id, batch)
            if result.accepted + len(saved.changed) - analyzed_at >= ANALYZE_EVERY:
                refresh_statistics(conn)
                analyzed_at = result.accepted + len(saved.changed)
        result.accepted += len(saved.changed)
        result.unchanged += saved.unchanged
        batch.clear()
        if on_batch is not None:
            on_batch(result)

    for row in rows:
        if row.product is None:
            result.rejected += 1
            result.errors.extend(RowError(row.row, row.sku, e.field, e.message) for e in row.errors)
            continue
        batch.append(ProductRecord.from_product(row.product))
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()
    elif on_batch is not None:
        on_batch(result)
    if result.accepted - analyzed_at >= batch_size:
        with engine.begin() as conn:
            refresh_statistics(conn)
    return result
