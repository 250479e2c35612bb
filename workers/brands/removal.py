"""Removing a brand with everything it holds: contacts, aliases, sellers, official images, findings, scans.

The removal moves the brand index's generation first (which takes the write lock), and the stored matcher
loses the brand's images in the same transaction, so every worker's next generation check sees the change:
listings held for the brand go out with their seller's next sync run.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import Connection

from workers.brands.persisted import begin_change, drop_references
from workers.brands.registry import BrandInfo, get_brand
from workers.store.brand_models import Brand, BrandImage, BrandScan, Finding


@dataclass(frozen=True)
class BrandHoldings:
    """What removing a brand deletes with it, besides its contacts, aliases and authorised sellers."""

    name: str
    images: int
    findings: int
    scans: int


def brand_holdings(conn: Connection, brand: str) -> BrandHoldings:
    """What the brand holds, counted. Raises `UnknownBrandError`."""
    return _holdings(conn, get_brand(conn, brand))


def _holdings(conn: Connection, info: BrandInfo) -> BrandHoldings:
    def count(table: type[BrandImage | Finding | BrandScan]) -> int:
        query = sa.select(sa.func.count()).select_from(table).where(table.brand_id == info.id)
        return int(conn.execute(query).scalar_one())

    return BrandHoldings(info.name, count(BrandImage), count(Finding), count(BrandScan))


def remove_brand(conn: Connection, brand: str) -> BrandHoldings:
    """Delete a brand with its images, findings (and their alerts) and scans; returns what it held."""
    begin_change(conn)
    info = get_brand(conn, brand)
    held = _holdings(conn, info)
    images = conn.execute(sa.select(BrandImage.id).where(BrandImage.brand_id == info.id)).scalars().all()
    conn.execute(sa.delete(Brand).where(Brand.id == info.id))  # the rest goes by ON DELETE CASCADE
    drop_references(conn, images)
    return held
