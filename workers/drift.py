"""Drift repair for nightly runs: read what is live on a marketplace and re-push what differs.

Reading every listing back would cost one rate-limited call per SKU (100,000 SKUs at Amazon's 5
getListingsItem a second is 5.5 hours), so a nightly run reads a random sample of the listings we believe
live (`SAMPLE` per marketplace, a few seconds at the documented rates). When the sample finds drift, the
sample grows (doubling, up to `MAX_SAMPLE`), so a marketplace that lost or changed many listings is repaired
in one night and a healthy one costs a few reads. A drifted listing is repaired by forgetting the pushed hash
of the field group that differs (or all of them when the listing is gone), so the run's planner pushes it
again.

What is compared is what every connector's `fetch` reads back: quantity, price (Tmall's in CNY, against the
catalogue price converted with the account's rate table exactly as the connector converts it, or
`tmall.price_cny`) and, for the content group, the title, against the title the mapping projects (the
marketplace's title override, Tmall's Chinese title). Other content fields, and eBay's offer fields
(category, business policies), are not read back, so drift in them is not seen.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError

from catalog.product import Product as CatalogProduct
from connectors.base import Connector
from connectors.errors import ConnectorError, PermanentError
from connectors.mapping import amazon, ebay, tmall
from connectors.mapping.money import RateTable
from connectors.tmall import TmallConnector
from workers.context import Context, writing
from workers.store.db import utcnow
from workers.store.models import Listing, ListingStatus, Product

SAMPLE = 20
MAX_SAMPLE = 640


@dataclass
class DriftReport:
    marketplace: str
    checked: int = 0
    drifted: dict[str, str] = field(default_factory=dict)  # SKU -> what differed
    unreadable: int = 0


def expected_price(data: dict[str, Any], marketplace: str, rates: RateTable | None = None) -> Decimal | None:
    """The price we pushed, as the marketplace shows it; Tmall's is in CNY, converted with the account's
    rate table `rates` (None when it cannot be worked out)."""
    if marketplace == "tmall":
        if rates is None:
            return None
        try:
            return tmall.price_cny(CatalogProduct.model_validate(data), rates)
        except (ValidationError, PermanentError):
            return None  # no rate for its currency: such a product was never pushed as it stands
    override = (data.get(marketplace) or {}).get("price")
    value = override if override is not None else data.get("price")
    return Decimal(str(value)) if value is not None else None


def expected_title(data: dict[str, Any], marketplace: str) -> str | None:
    """The title we pushed, as the marketplace's mapping projects it (None when it cannot be projected)."""
    try:
        product = CatalogProduct.model_validate(data)
        if marketplace == "amazon":
            return amazon.title(product)
        if marketplace == "ebay":
            return ebay.title(product)
        return tmall.title(product)
    except (ValidationError, PermanentError):
        return None  # such a product was never pushed as it stands


def differences(
    live: Any, data: dict[str, Any], marketplace: str, rates: RateTable | None = None
) -> list[str]:
    """Field groups that differ between a live listing and the product (None when the listing is gone);
    `rates` is the account's CNY rate table on Tmall."""
    if live is None:
        return ["gone"]
    found = []
    quantity = int(data.get("quantity", 0))
    if marketplace == "amazon":
        quantity = max(0, quantity - int((data.get("amazon") or {}).get("quantity_buffer") or 0))
    if live.quantity is not None and int(live.quantity) != quantity:
        found.append("quantity")
    price = expected_price(data, marketplace, rates)
    if price is not None and live.price is not None and Decimal(live.price) != price:
        found.append("price")
    title = expected_title(data, marketplace)
    if title is not None and live.title is not None and live.title != title:
        found.append("content")
    return found


def check_marketplace(
    ctx: Context, seller_id: str, marketplace: str, connector: Connector, rng: random.Random
) -> DriftReport:
    with ctx.engine.connect() as conn:
        skus: Sequence[str] = (
            conn.execute(
                sa.select(Listing.sku).where(
                    Listing.seller_id == seller_id,
                    Listing.marketplace == marketplace,
                    Listing.status == ListingStatus.LIVE,
                )
            )
            .scalars()
            .all()
        )
    report = DriftReport(marketplace)
    rates = connector.settings.rates if isinstance(connector, TmallConnector) else None
    pool = list(skus)
    rng.shuffle(pool)
    size, start = SAMPLE, 0
    while start < len(pool):
        chunk = pool[start : start + size]
        start += len(chunk)
        found_before = len(report.drifted)
        with ctx.engine.connect() as conn:
            data: dict[str, dict[str, Any]] = dict(
                conn.execute(
                    sa.select(Product.sku, Product.data).where(
                        Product.seller_id == seller_id, Product.sku.in_(chunk)
                    )
                ).all()
            )
        for sku in chunk:
            try:
                live = connector.fetch(sku)
            except ConnectorError:
                report.unreadable += 1
                continue
            report.checked += 1
            if sku in data:
                diff = differences(live, data[sku], marketplace, rates)
                if diff:
                    report.drifted[sku] = ",".join(diff)
        if len(report.drifted) == found_before or start >= MAX_SAMPLE:
            break
        size = min(size * 2, MAX_SAMPLE - start)
    _forget(ctx, seller_id, marketplace, report.drifted)
    return report


def _forget(ctx: Context, seller_id: str, marketplace: str, drifted: dict[str, str]) -> None:
    if not drifted:
        return
    with writing(ctx.engine) as conn:
        rows = conn.execute(
            sa.select(Listing.sku, Listing.pushed_hashes).where(
                Listing.seller_id == seller_id,
                Listing.marketplace == marketplace,
                Listing.sku.in_(list(drifted)),
            )
        ).all()
        for sku, pushed in rows:
            what = drifted[sku].split(",")
            kept = {} if "gone" in what else {k: v for k, v in (pushed or {}).items() if k not in what}
            conn.execute(
                sa.update(Listing)
                .where(Listing.seller_id == seller_id, Listing.marketplace == marketplace, Listing.sku == sku)
                .values(pushed_hashes=kept, updated_at=utcnow())
            )


def repair_drift(
    ctx: Context, seller_id: str, marketplaces: Sequence[str], *, seed: int | None = None
) -> dict[str, DriftReport]:
    """Check a sample of each marketplace's live listings and mark what drifted for the next plan."""
    rng = random.Random(seed)
    reports = {}
    for marketplace in marketplaces:
        connector = ctx.connectors.get(seller_id, marketplace)
        reports[marketplace] = check_marketplace(ctx, seller_id, marketplace, connector, rng)
    return reports
