"""Helpers for the pipeline tests: a product maker, the test shop, and waiting for a run by joins."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import dramatiq
from sqlalchemy import Engine

from catalog.product import Product
from connectors.sandbox.run import RunningSandboxes
from workers.broker import QUEUES, ListingSyncBroker
from workers.context import Context, writing
from workers.runs import open_run, start_run
from workers.sandboxes import IMAGE_HOST
from workers.store.products import ProductRecord, save_products

SELLER = "shop-1"


def make_product(sku: str, **fields: Any) -> Product:
    """A valid product for every marketplace."""
    data: dict[str, Any] = {
        "sku": sku,
        "title": f"Stoneware Coffee Mug {sku}",
        "description": "A hand-glazed stoneware mug that keeps coffee warm.",
        "brand": "Harbor Clay",
        "gtin": "4006381333931",
        "currency": "USD",
        "price": "12.50",
        "quantity": 5,
        "image_urls": [f"{IMAGE_HOST}{sku}.png"],
        "localized": {"zh-CN": {"title": f"粗陶咖啡杯 {sku}", "description": "手工上釉粗陶马克杯，保温。"}},
        "amazon": {"product_type": "HOME"},
        "ebay": {"category_id": "20625"},
        "tmall": {"cid": 50023724, "props": "20000:3246379"},
    }
    data.update(fields)
    return Product.model_validate(data)


@dataclass
class Shop:
    """One seller connected to the three sandboxes, with a store and a context attached to the broker."""

    engine: Engine
    sandboxes: RunningSandboxes
    context: Context
    broker: ListingSyncBroker
    connectors_key: str

    def save(self, products: list[Product]) -> None:
        with writing(self.engine) as conn:
            save_products(conn, SELLER, [ProductRecord.from_product(p) for p in products])

    def sync(self, kind: str = "manual", **scope: Any) -> str:
        with writing(self.engine) as conn:
            run_id = open_run(conn, SELLER, kind=kind, **scope)
        start_run(run_id)
        return run_id

    def live(self, marketplace: str) -> set[str]:
        """SKUs the sandbox shows live for the seller."""
        sandbox: Any = self.sandboxes.sandbox(marketplace)
        if marketplace == "amazon":
            return set(sandbox.listings(SELLER))
        return {str(item.get("sku") or item.get("outer_id")) for item in sandbox.live(SELLER)}

    def creates(self, marketplace: str) -> dict[str, int]:
        return {sku: c.creates for sku, c in self.sandboxes.sandbox(marketplace).ledger.all(SELLER).items()}


def drain(
    broker: ListingSyncBroker,
    worker: dramatiq.Worker,
    shop: Shop,
    run_id: str,
    *,
    rounds: int = 60,
    join_timeout: int = 60_000,
) -> str:
    """Join every queue (and delay queue) until the run is closed; returns its status."""
    from workers.runs import run_progress

    for _ in range(rounds):
        for queue in QUEUES:
            broker.join(queue, timeout=join_timeout)
            broker.join(f"{queue}.DQ", timeout=join_timeout)
        worker.join()
        with shop.engine.connect() as conn:
            status = run_progress(conn, run_id)["status"]
        if status in ("done", "failed"):
            return str(status)
    raise AssertionError(f"run {run_id} still open after {rounds} rounds")
