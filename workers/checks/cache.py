"""The `image_checks` table: a listing image's fingerprints and brand matches, by URL and by content.

An image URL checked once is never fetched again; bytes already fingerprinted under another URL are not
fingerprinted again. Matches are kept with the brand index generation they were made against, and made again
from the stored fingerprints (no fetch) when brands changed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite

from fingerprints import DEFAULT_THRESHOLD, BrandMatcher, ImageFingerprints
from fingerprints.fetching import redact
from workers.store.models import ImageCheck

_CHUNK = 500


def url_key(url: str) -> str:
    """The cache key of an image URL: the SHA-256 of all of it (query included, which is never stored)."""
    return hashlib.sha256(url.encode()).hexdigest()


@dataclass(frozen=True)
class CheckedImage:
    """One listing image as checked: its content hash, fingerprints, and matches at index `generation`."""

    url: str
    content_sha256: str
    fingerprints: bytes
    generation: int
    matches: tuple[Mapping[str, Any], ...]
    checked_at: dt.datetime

    def rematched(self, matcher: BrandMatcher, generation: int) -> CheckedImage:
        """The same image matched against another generation of the brand index."""
        if generation == self.generation:
            return self
        found = matcher.match(ImageFingerprints.from_bytes(self.fingerprints), DEFAULT_THRESHOLD)
        matches = tuple(
            {
                "brand_id": m.brand_id,
                "reference_id": m.reference_id,
                "score": m.score,
                "reason": dataclasses.asdict(m.reason),
            }
            for m in found
        )
        return dataclasses.replace(self, generation=generation, matches=matches)


def by_url(conn: Connection, urls: Iterable[str]) -> dict[str, CheckedImage]:
    """The cached checks of these URLs, by URL."""
    keys = {url_key(url): url for url in urls}
    found: dict[str, CheckedImage] = {}
    ordered = sorted(keys)
    for start in range(0, len(ordered), _CHUNK):
        rows = conn.execute(
            sa.select(
                ImageCheck.url_sha256,
                ImageCheck.content_sha256,
                ImageCheck.fingerprints,
                ImageCheck.generation,
                ImageCheck.matches,
                ImageCheck.checked_at,
            ).where(ImageCheck.url_sha256.in_(ordered[start : start + _CHUNK]))
        )
        for key, content, prints, generation, matches, at in rows:
            url = keys[key]
            found[url] = CheckedImage(url, content, bytes(prints), int(generation), tuple(matches), at)
    return found


def by_content(conn: Connection, content_sha256: str) -> CheckedImage | None:
    """Any cached check of these bytes (under whichever URL), or None."""
    row = conn.execute(
        sa.select(
            ImageCheck.url,
            ImageCheck.fingerprints,
            ImageCheck.generation,
            ImageCheck.matches,
            ImageCheck.checked_at,
        )
        .where(ImageCheck.content_sha256 == content_sha256)
        .limit(1)
    ).one_or_none()
    if row is None:
        return None
    return CheckedImage(
        row.url,
        content_sha256,
        bytes(row.fingerprints),
        int(row.generation),
        tuple(row.matches),
        row.checked_at,
    )


def store(conn: Connection, checked: Sequence[CheckedImage]) -> None:
    """Add new checks and bring rematched ones up to date (by URL)."""
    if not checked:
        return
    rows = [
        {
            "url_sha256": url_key(c.url),
            "url": redact(c.url)[:2000],
            "content_sha256": c.content_sha256,
            "fingerprints": c.fingerprints,
            "generation": c.generation,
            "matches": list(c.matches),
            "checked_at": c.checked_at,
        }
        for c in checked
    ]
    insert = (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(ImageCheck)
    for start in range(0, len(rows), _CHUNK):
        part = rows[start : start + _CHUNK]
        conn.execute(
            insert.on_conflict_do_update(
                index_elements=["url_sha256"],
                set_={
                    "content_sha256": insert.excluded.content_sha256,
                    "fingerprints": insert.excluded.fingerprints,
                    "generation": insert.excluded.generation,
                    "matches": insert.excluded.matches,
                    "checked_at": insert.excluded.checked_at,
                },
            ),
            part,
        )
