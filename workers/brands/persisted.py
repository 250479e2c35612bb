"""The brand matcher persisted in the store: one `brand_index` row with a generation and the matcher's bytes.

Writers call `begin_change` first in their transaction: it bumps the one `brand_index` row's generation,
which also locks the row, so that concurrent writers take turns and each extends the matcher the one before
it committed (`store_matcher`). Readers poll the generation (see `index.BrandIndex`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy import Connection

from workers.store.brand_models import BrandImage, BrandIndexRow
from workers.store.db import utcnow

if TYPE_CHECKING:
    import numpy as np

    from fingerprints import BrandMatcher, ImageFingerprints

# The matcher (numpy and the fingerprints package) is imported by the functions that build one: writers that
# only register brands or change authorisations take the lock and move the generation without it.

INDEX_ROW = 1


def lock_index(conn: Connection, *, bump: bool) -> int:
    """Lock the index row (bumping its generation when `bump`) and return the generation now."""
    values = {"generation": BrandIndexRow.generation + (1 if bump else 0)}
    if bump:
        values["updated_at"] = utcnow()  # type: ignore[assignment]
    updated = conn.execute(
        sa.update(BrandIndexRow)
        .where(BrandIndexRow.id == INDEX_ROW)
        .values(**values)
        .returning(BrandIndexRow.generation)
    ).scalar_one_or_none()
    if updated is None:  # the row the migration made is gone: start again, stale
        conn.execute(sa.insert(BrandIndexRow).values(id=INDEX_ROW, generation=1, matcher=None))
        return 1
    return int(updated)


def begin_change(conn: Connection) -> int:
    """Start a change to brands or their images: bump the generation (locking the row) and return it."""
    return lock_index(conn, bump=True)


def build_matcher(conn: Connection) -> BrandMatcher:
    """A matcher over every variant of every stored brand image."""
    from fingerprints import BrandMatcher, ImageFingerprints

    rows = conn.execute(
        sa.select(BrandImage.id, BrandImage.brand_id, BrandImage.fingerprints).order_by(BrandImage.id)
    )
    return BrandMatcher.from_references(
        (row.id, row.brand_id, ImageFingerprints.from_dict(variant))
        for row in rows
        for variant in row.fingerprints.get("variants", ())
    )


def store_matcher(
    conn: Connection, added: Iterable[tuple[int, int, ImageFingerprints]] | None = None
) -> BrandMatcher:
    """Store the matcher for the images in `brand_images`; call after `begin_change`, in one transaction.

    With `added` (the new images' (id, brand id, variant) triples), the stored matcher is extended by them,
    which costs what they cost; without it, or when the stored one is stale, it is rebuilt from every row.
    """
    from fingerprints import BrandMatcher

    current = conn.execute(sa.select(BrandIndexRow.matcher).where(BrandIndexRow.id == INDEX_ROW)).scalar()
    if added is not None and current is not None:
        matcher = merge(BrandMatcher.from_bytes(current), BrandMatcher.from_references(added))
    else:
        matcher = build_matcher(conn)
    conn.execute(
        sa.update(BrandIndexRow).where(BrandIndexRow.id == INDEX_ROW).values(matcher=matcher.to_bytes())
    )
    return matcher


def merge(first: BrandMatcher, second: BrandMatcher) -> BrandMatcher:
    """One matcher over the references of both."""
    import numpy as np

    from fingerprints import BrandMatcher

    return BrandMatcher(
        np.concatenate([first.reference_ids, second.reference_ids]),
        np.concatenate([first.brand_ids, second.brand_ids]),
        [*first.views, *second.views],
        np.concatenate([first.greyscale, second.greyscale]),
        {kind: np.concatenate([codes, second.codes[kind]]) for kind, codes in first.codes.items()},
    )


def drop_references(conn: Connection, image_ids: Iterable[int]) -> None:
    """Take the variants of `image_ids` out of the stored matcher; call after `begin_change`, in the
    transaction that deletes the images. A stale (NULL) matcher stays so: it is rebuilt from the rows left."""
    import numpy as np

    from fingerprints import BrandMatcher

    current = conn.execute(sa.select(BrandIndexRow.matcher).where(BrandIndexRow.id == INDEX_ROW)).scalar()
    if current is None:
        return
    matcher = BrandMatcher.from_bytes(current)
    kept = subset(matcher, ~np.isin(matcher.reference_ids, np.fromiter(image_ids, dtype=np.int64)))
    conn.execute(
        sa.update(BrandIndexRow).where(BrandIndexRow.id == INDEX_ROW).values(matcher=kept.to_bytes())
    )


def subset(matcher: BrandMatcher, keep: np.ndarray) -> BrandMatcher:
    """The matcher over the references where the boolean array `keep` is True."""
    from fingerprints import BrandMatcher

    return BrandMatcher(
        matcher.reference_ids[keep],
        matcher.brand_ids[keep],
        [view for view, kept in zip(matcher.views, keep, strict=True) if kept],
        matcher.greyscale[keep],
        {kind: codes[keep] for kind, codes in matcher.codes.items()},
    )


def read_generation(conn: Connection) -> int:
    generation = conn.execute(
        sa.select(BrandIndexRow.generation).where(BrandIndexRow.id == INDEX_ROW)
    ).scalar_one_or_none()
    return -1 if generation is None else int(generation)
