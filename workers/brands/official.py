"""Official images as stored: listed (what `brands show` prints) and removed by id.

A removal moves the brand index's generation first (which takes the write lock), and the stored matcher loses
the removed images in the same transaction, so every worker's next generation check sees the change: listings
held only because of a removed image go out with their seller's next sync run. Adding images is
`workers.brands.images`, which needs the image libraries; these do not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from workers.brands.errors import InvalidBrandError
from workers.brands.persisted import begin_change, drop_references
from workers.brands.registry import brand_id, get_brand
from workers.store.brand_models import BrandImage


@dataclass(frozen=True)
class OfficialImage:
    """An official image as stored: what `brands show` lists and `brands remove-images` takes by id."""

    id: int
    source: str
    content_sha256: str
    width: int
    height: int
    added_at: dt.datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": self.source,
            "sha256": self.content_sha256,
            "width": self.width,
            "height": self.height,
            "added_at": self.added_at.isoformat(timespec="seconds"),
        }


def list_images(conn: Connection, brand: str, ids: Iterable[int] | None = None) -> list[OfficialImage]:
    """The brand's official images (or those of them with `ids`), oldest first. Raises `UnknownBrandError`."""
    query = sa.select(
        BrandImage.id,
        BrandImage.source,
        BrandImage.content_sha256,
        BrandImage.width,
        BrandImage.height,
        BrandImage.created_at,
    ).where(BrandImage.brand_id == brand_id(conn, brand))
    if ids is not None:
        query = query.where(BrandImage.id.in_(list(ids)))
    return [OfficialImage(*row) for row in conn.execute(query.order_by(BrandImage.id))]


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
