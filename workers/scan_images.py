"""The listing images scans look at, fetched safely once and kept by URL with their content hash and
fingerprints (`scanned_images`), so that a nightly re-scan fetches no image it has seen.

Marketplaces serve a listing's pictures at URLs named after their content (a new picture gets a new URL), so
an image seen within `max_age` is taken from the store; an older one is fetched again, and when its bytes are
the same (same SHA-256) its fingerprints are reused rather than computed again. Images are fetched through
`fingerprints.ImageLoader` (size caps, private addresses refused unless allowed, decoder failures as errors).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.dialects import postgresql, sqlite

from fingerprints import FingerprintError, ImageFingerprints, ImageLoader, fingerprint_image
from fingerprints.loading import decode
from workers.store.brand_models import ScannedImage
from workers.store.db import utcnow

IMAGES = ScannedImage.__table__
DEFAULT_MAX_AGE = dt.timedelta(days=30)


@dataclass(frozen=True)
class ListingImage:
    """A listing image ready to match: where it came from, what it was, when it was fetched."""

    url: str
    sha256: str
    fetched_at: dt.datetime
    prints: ImageFingerprints
    fetched: bool  # fetched by this call (False: taken from the store)


def url_key(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()


class ImageCache:
    """Listing images by URL, backed by `scanned_images`; thread-safe as far as the engine is."""

    def __init__(
        self, engine: Engine, loader: ImageLoader, *, max_age: dt.timedelta = DEFAULT_MAX_AGE
    ) -> None:
        self.engine = engine
        self.loader = loader
        self.max_age = max_age

    def get(self, url: str, *, fresh: bool = False) -> ListingImage:
        """The image at `url`, from the store when seen within `max_age` (unless `fresh`), else fetched.

        Raises `fingerprints.ImageError` when it cannot be fetched or decoded.
        """
        key = url_key(url)
        if not fresh:
            with self.engine.connect() as conn:
                row = conn.execute(sa.select(IMAGES).where(IMAGES.c.url_sha256 == key)).one_or_none()
            if row is not None and row.fetched_at > utcnow() - self.max_age:
                try:
                    prints = ImageFingerprints.from_bytes(row.fingerprints)
                except FingerprintError:
                    pass  # written by another version of the fingerprints: fetch again
                else:
                    return ListingImage(url, row.content_sha256, row.fetched_at, prints, fetched=False)
        data, label = self.loader.read(url)
        sha = hashlib.sha256(data).hexdigest()
        prints = self._known(sha) or fingerprint_image(
            decode(data, source=label, max_pixels=self.loader.max_pixels, draft=self.loader.draft)
        )
        now = utcnow()
        self._store(key, url, sha, prints, now)
        return ListingImage(url, sha, now, prints, fetched=True)

    def _known(self, sha: str) -> ImageFingerprints | None:
        """Fingerprints already computed for these bytes (under any URL)."""
        with self.engine.connect() as conn:
            stored = conn.execute(
                sa.select(IMAGES.c.fingerprints).where(IMAGES.c.content_sha256 == sha).limit(1)
            ).scalar_one_or_none()
        if stored is None:
            return None
        try:
            return ImageFingerprints.from_bytes(stored)
        except FingerprintError:
            return None

    def _store(self, key: str, url: str, sha: str, prints: ImageFingerprints, now: dt.datetime) -> None:
        row = {"url_sha256": key, "url": url, "content_sha256": sha, "fingerprints": prints.to_bytes()}
        insert = (postgresql if self.engine.dialect.name == "postgresql" else sqlite).insert(IMAGES)
        stmt = insert.values(**row, fetched_at=now)
        with self.engine.begin() as conn:
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=["url_sha256"],
                    set_={"content_sha256": sha, "fingerprints": row["fingerprints"], "fetched_at": now},
                )
            )
