"""What a verified webhook delivery does: validate, store, open a sync run, and remember the answer.

The delivery's answer is stored in `webhook_deliveries` in the same transaction as the products and the run,
so a repeated `webhook-id` (even one racing the first: the unique constraint decides) gets the first answer
again and changes nothing. The run is enqueued only after that transaction commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError

from catalog.errors import field_errors
from catalog.product import Product as CatalogProduct
from workers import runs
from workers.api.payloads import CatalogDeleted, CatalogUpdated, Event, SyncRequested
from workers.store.models import Product, RunKind, RunStatus, SyncRun, WebhookDelivery
from workers.store.products import ProductRecord, count_products, delete_products, save_products

NOT_IN_CATALOGUE = "no product with this SKU in the seller's catalogue"


@dataclass(frozen=True)
class Answer:
    """The 202 body, and the run to enqueue once the answer is stored (None for a replay or no run)."""

    body: dict[str, Any]
    start: str | None = None
    replayed: bool = False


def stored_answer(conn: Connection, seller_id: str, webhook_id: str) -> dict[str, Any] | None:
    return conn.execute(
        sa.select(WebhookDelivery.response).where(
            WebhookDelivery.seller_id == seller_id, WebhookDelivery.webhook_id == webhook_id
        )
    ).scalar_one_or_none()


def receive(engine: Engine, seller_id: str, webhook_id: str, event: Event) -> Answer:
    """One delivery of a known seller whose signature was verified, in a transaction of its own.

    The committer batches deliveries and falls back to this, one by one, when a batch fails as a whole.
    """
    with engine.connect() as conn:
        if (first := stored_answer(conn, seller_id, webhook_id)) is not None:
            return Answer(first, replayed=True)
    valid, rejected = validate(event.products) if isinstance(event, CatalogUpdated) else ([], [])
    # IMMEDIATE: on SQLite, take the write lock before reading, so two deliveries never deadlock.
    with engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn:
        conn.begin()
        body = apply(conn, seller_id, event, valid, rejected)
        try:
            conn.execute(
                sa.insert(WebhookDelivery).values(seller_id=seller_id, webhook_id=webhook_id, response=body)
            )
        except IntegrityError:
            conn.rollback()  # a concurrent delivery of the same id won: answer as it did, undo ours
            first = stored_answer(conn, seller_id, webhook_id)
            if first is None:
                raise
            return Answer(first, replayed=True)
        conn.commit()
    return Answer(body, start=body["run_id"])


def apply(
    conn: Connection,
    seller_id: str,
    event: Event,
    valid: Sequence[ProductRecord],
    rejected: list[dict[str, Any]],
) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    skus: list[str] | None
    if isinstance(event, CatalogUpdated):
        save_products(conn, seller_id, valid)
        skus = [record.sku for record in valid]
        kwargs["skus"] = skus
    elif isinstance(event, CatalogDeleted):
        skus = _known(conn, seller_id, event.skus, rejected, include_deleted=True)
        delete_products(conn, seller_id, skus)
        kwargs["skus"] = skus
    else:
        assert isinstance(event, SyncRequested)
        if event.skus is not None:
            skus = _known(conn, seller_id, event.skus, rejected, include_deleted=False)
            kwargs["skus"] = skus
        else:
            skus = None
        if event.marketplaces is not None:
            kwargs["marketplaces"] = [str(m) for m in event.marketplaces]
    accepted = count_products(conn, seller_id)[0] if skus is None else len(skus)
    run_id = runs.open_run(conn, seller_id, kind=RunKind.WEBHOOK, **kwargs) if accepted else None
    return {"run_id": run_id, "accepted": accepted, "rejected": rejected}


def validate(products: Sequence[Any]) -> tuple[list[ProductRecord], list[dict[str, Any]]]:
    """Each product on its own: the valid ones as records, the others with their errors per field."""
    valid: dict[str, ProductRecord] = {}
    rejected: list[dict[str, Any]] = []
    for index, raw in enumerate(products):
        sku = raw.get("sku") if isinstance(raw, dict) else None
        sku = sku if isinstance(sku, str) else None
        try:
            product = CatalogProduct.model_validate(raw)
        except ValidationError as exc:
            errors = [asdict(error) for error in field_errors(exc)]
            rejected.append({"sku": sku, "index": index, "errors": errors})
            continue
        if product.sku in valid:
            message = "sku appears twice in this message; send each product once"
            rejected.append(
                {"sku": product.sku, "index": index, "errors": [{"field": "sku", "message": message}]}
            )
            continue
        valid[product.sku] = ProductRecord.from_product(product)
    return list(valid.values()), rejected


def _known(
    conn: Connection,
    seller_id: str,
    skus: Sequence[str],
    rejected: list[dict[str, Any]],
    *,
    include_deleted: bool,
) -> list[str]:
    """The given SKUs the catalogue has (once each, in order); the others go to `rejected`."""
    query = sa.select(Product.sku).where(Product.seller_id == seller_id, Product.sku.in_(set(skus)))
    if not include_deleted:
        query = query.where(Product.deleted_at.is_(None))
    found = set(conn.execute(query).scalars())
    known: dict[str, None] = {}
    for index, sku in enumerate(skus):
        if sku in found:
            known.setdefault(sku)
        else:
            rejected.append(
                {"sku": sku, "index": index, "errors": [{"field": "sku", "message": NOT_IN_CATALOGUE}]}
            )
    return list(known)


def forget(engine: Engine, seller_id: str, webhook_id: str, run_id: str) -> None:
    """Undo the record of a delivery whose run could not be enqueued, so that the sender's retry counts.

    The products stay stored (storing them again changes nothing); the run is marked failed.
    """
    with engine.begin() as conn:
        conn.execute(
            sa.delete(WebhookDelivery).where(
                WebhookDelivery.seller_id == seller_id, WebhookDelivery.webhook_id == webhook_id
            )
        )
        conn.execute(
            sa.update(SyncRun)
            .where(SyncRun.id == run_id)
            .values(status=RunStatus.FAILED, error="the queue was unavailable; the delivery was refused")
        )
