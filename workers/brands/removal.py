"""Taking things out of the brand registry: official images, or a brand with everything it holds.

Each removal moves the brand index's generation first (which takes the write lock), and the stored matcher
loses the removed images in the same transaction, so every worker's next generation check sees the change:
listings held only because of what was removed go out with their seller's next sync run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import Connection

from workers.brands.errors import InvalidBrandError
from workers.brands.images import OfficialImage, list_images
from workers.brands.persisted import begin_change, drop_references
from workers.brands.registry import get_brand
from workers.store.brand_models import Brand, BrandImage, BrandScan, Finding


def remove_images(conn: Connection, brand: str, image_ids: Iterable[int]) -> list[OfficialImage]:
    """Remove official images of `brand` by id; an id that is not one of its images is refused, naming it,
    and nothing is removed. Returns the images removed."""
    begin_change(conn)  # first, so that SQLite takes the write lock before reading
    wanted = list(dict.fromkeys(image_ids))
    found = {image.id: image for image in list_images(conn, brand, ids=wanted)}
    missing = [str(image_id) for image_id in wanted if image_id not in found]
    if missing:
        name = get_brand(conn, brand).name
        raise InvalidBrandError(
            name, "image", f"no official image {', '.join(missing)} (`listing-sync brands show` lists them)"
        )
    if wanted:
        conn.execute(sa.delete(BrandImage).where(BrandImage.id.in_(wanted)))
        drop_references(conn, wanted)
    return [found[image_id] for image_id in wanted]


@dataclass(frozen=True)
class BrandHoldings:
    """What removing a brand deletes with it, besides its contacts, aliases and authorised sellers."""

    name: str
    images: int
    findings: int
    scans: int


def brand_holdings(conn: Connection, brand: str) -> BrandHoldings:
    """What the brand holds, counted. Raises `UnknownBrandError`."""
    info = get_brand(conn, brand)

    def count(table: type[BrandImage | Finding | BrandScan]) -> int:
        query = sa.select(sa.func.count()).select_from(table).where(table.brand_id == info.id)
        return int(conn.execute(query).scalar_one())

    return BrandHoldings(info.name, count(BrandImage), count(Finding), count(BrandScan))


def remove_brand(conn: Connection, brand: str) -> BrandHoldings:
    """Delete a brand with its images, findings (and their alerts) and scans; returns what it held."""
    begin_change(conn)
    held = brand_holdings(conn, brand)
    owner = get_brand(conn, brand).id
    images = conn.execute(sa.select(BrandImage.id).where(BrandImage.brand_id == owner)).scalars().all()
    conn.execute(sa.delete(Brand).where(Brand.id == owner))  # the rest goes by ON DELETE CASCADE
    drop_references(conn, images)
    return held
