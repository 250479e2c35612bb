"""`BrandIndex`: the brand matcher, the images it refers to and the brands, as each worker keeps them.

A holder polls the generation of the persisted index (one small SELECT, at most every `check_every` seconds)
and reloads when brands or their images changed; a stale matcher is rebuilt once and stored for the others.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import Connection, Engine

from fingerprints import BrandMatcher
from workers.brands.persisted import INDEX_ROW, lock_index, read_generation, store_matcher
from workers.brands.registry import BrandInfo, list_brands
from workers.store.brand_models import BrandImage, BrandIndexRow

DEFAULT_CHECK_EVERY = 5.0
"""Seconds between a holder's generation checks: how long a worker may use an index that just changed."""


@dataclass(frozen=True)
class Reference:
    """A brand image as a match names it."""

    id: int
    brand_id: int
    source: str


@dataclass(frozen=True)
class Snapshot:
    """One generation of the index: the matcher, the images it refers to, and the brands by id."""

    generation: int
    matcher: BrandMatcher
    references: dict[int, Reference]
    brands: dict[int, BrandInfo]


def load_snapshot(engine: Engine) -> Snapshot:
    """The newest index; when its matcher is stale (NULL), rebuild it once and store it for the others."""
    with engine.connect() as conn, conn.begin():
        row = conn.execute(
            sa.select(BrandIndexRow.generation, BrandIndexRow.matcher).where(BrandIndexRow.id == INDEX_ROW)
        ).one_or_none()
        if row is not None and row.matcher is not None:
            # Should the generation move while the rest is read, the next check reloads.
            return _snapshot(conn, int(row.generation), BrandMatcher.from_bytes(row.matcher))
    with engine.connect() as conn:
        conn.execution_options(sqlite_begin="IMMEDIATE")
        with conn.begin():
            generation = lock_index(conn, bump=False)
            current = conn.execute(
                sa.select(BrandIndexRow.matcher).where(BrandIndexRow.id == INDEX_ROW)
            ).scalar_one()
            matcher = BrandMatcher.from_bytes(current) if current is not None else store_matcher(conn)
            return _snapshot(conn, generation, matcher)


def _snapshot(conn: Connection, generation: int, matcher: BrandMatcher) -> Snapshot:
    references = {
        row.id: Reference(row.id, row.brand_id, row.source)
        for row in conn.execute(sa.select(BrandImage.id, BrandImage.brand_id, BrandImage.source))
    }
    return Snapshot(generation, matcher, references, {b.id: b for b in list_brands(conn)})


class BrandIndex:
    """The index a worker keeps in memory: `snapshot()` checks the generation at most every `check_every`
    seconds (one small SELECT) and reloads when brands changed. Safe to share between threads."""

    def __init__(
        self,
        engine: Engine,
        *,
        check_every: float = DEFAULT_CHECK_EVERY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.engine = engine
        self.check_every = check_every
        self.clock = clock
        self._snapshot: Snapshot | None = None
        self._checked = 0.0
        self._lock = threading.Lock()

    def snapshot(self) -> Snapshot:
        """The current index, reloaded first when a check is due and the generation moved."""
        current = self._snapshot
        if current is not None and self.clock() - self._checked < self.check_every:
            return current
        self.refresh()
        assert self._snapshot is not None
        return self._snapshot

    def refresh(self) -> bool:
        """Check the generation now and reload when it moved (or nothing is loaded); True when reloaded."""
        with self._lock:
            self._checked = self.clock()
            if self._snapshot is not None:
                with self.engine.connect() as conn:
                    if read_generation(conn) == self._snapshot.generation:
                        return False
            self._snapshot = load_snapshot(self.engine)
            return True

    @property
    def generation(self) -> int | None:
        return None if self._snapshot is None else self._snapshot.generation
