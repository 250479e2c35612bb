"""`Screener`: a worker's listing-image checker, kept for the life of the process.

It holds the brand index (reloaded when brands change, see `workers.brands.BrandIndex`), an image loader and a
few fetch threads. `screen(urls)` answers every URL from the store's `image_checks` when it can, fetches and
fingerprints the others (each URL once at a time per process, however many batches ask for it), and keeps
what it learnt in the store for every worker.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import threading
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from sqlalchemy import Engine

from fingerprints import DRAFT, FetchError, ImageError, ImageLoader, fingerprint_image
from fingerprints.fetching import redact
from fingerprints.loading import decode
from workers.brands import BrandIndex, Snapshot
from workers.checks import cache
from workers.checks.cache import CheckedImage
from workers.context import Context, writing
from workers.store.db import utcnow

logger = logging.getLogger(__name__)

FETCH_THREADS = 8
MEMO_LIMIT = 20_000  # recent checks kept in memory by URL and by content, before the store is asked


@dataclass(frozen=True)
class Unchecked:
    """An image that could not be checked: `transient` when trying again later may work."""

    url: str
    reason: str
    transient: bool


Screened = CheckedImage | Unchecked


class Screener:
    """Checks listing images against the brands; shared by a process's worker threads."""

    def __init__(self, engine: Engine, loader: ImageLoader, index: BrandIndex | None = None) -> None:
        self.engine = engine
        self.loader = loader
        self.index = index if index is not None else BrandIndex(engine)
        self._pool = ThreadPoolExecutor(FETCH_THREADS, thread_name_prefix="image-check")
        self._lock = threading.Lock()
        self._inflight: dict[str, Future[Screened]] = {}
        self._by_url: dict[str, CheckedImage] = {}
        self._by_content: dict[str, CheckedImage] = {}

    def snapshot(self) -> Snapshot:
        return self.index.snapshot()

    def active(self, *, refresh: bool = False) -> bool:
        """Whether any brand image is registered (without one, nothing needs checking)."""
        if refresh:
            self.index.refresh()
        return bool(self.snapshot().references)

    def screen(self, urls: Iterable[str]) -> dict[str, Screened]:
        """Every URL's check: from the store, else fetched and fingerprinted now (in parallel); what is new
        or was matched again is written back in one transaction."""
        snapshot = self.snapshot()
        wanted = sorted(set(urls))
        with self.engine.connect() as conn:
            known = cache.by_url(conn, wanted)
        results: dict[str, Screened] = {}
        changed: list[CheckedImage] = []
        for url, checked in known.items():
            fresh = checked.rematched(snapshot.matcher, snapshot.generation)
            if fresh is not checked:
                changed.append(fresh)
            results[url] = fresh
        missing = [url for url in wanted if url not in known]
        for url, outcome in zip(missing, self._pool.map(self._once, missing), strict=True):
            results[url] = outcome
            if isinstance(outcome, CheckedImage):
                changed.append(outcome)
        if changed:
            with writing(self.engine) as conn:
                cache.store(conn, changed)
        return results

    def _once(self, url: str) -> Screened:
        """Fetch and check `url`, or wait for the thread already doing it."""
        with self._lock:
            running = self._inflight.get(url)
            if running is None:
                future: Future[Screened] = Future()
                self._inflight[url] = future
        if running is not None:
            return running.result()
        try:
            outcome = self._check(url)
            future.set_result(outcome)
            return outcome
        except BaseException as exc:
            future.set_exception(exc)
            raise
        finally:
            with self._lock:
                self._inflight.pop(url, None)

    def _check(self, url: str) -> Screened:
        snapshot = self.snapshot()
        with self._lock:  # another batch of this process may have checked it a moment ago
            recent = self._by_url.get(url)
        if recent is not None:
            return recent.rematched(snapshot.matcher, snapshot.generation)
        try:
            data, label = self.loader.read(url)
        except FetchError as exc:
            return Unchecked(url, exc.reason, transient=True)
        except ImageError as exc:
            return Unchecked(url, exc.reason, transient=False)
        content = hashlib.sha256(data).hexdigest()
        checked = self._known_content(content)
        if checked is None:
            try:
                image = decode(data, source=label, max_pixels=self.loader.max_pixels, draft=self.loader.draft)
            except ImageError as exc:
                return Unchecked(url, exc.reason, transient=False)
            prints = fingerprint_image(image).to_bytes()
            checked = CheckedImage(url, content, prints, -1, (), utcnow())
        checked = dataclasses.replace(checked, url=url, checked_at=utcnow())
        checked = checked.rematched(snapshot.matcher, snapshot.generation)
        self._remember(checked)
        return checked

    def _known_content(self, content: str) -> CheckedImage | None:
        with self._lock:
            found = self._by_content.get(content)
        if found is not None:
            return found
        with self.engine.connect() as conn:
            return cache.by_content(conn, content)

    def _remember(self, checked: CheckedImage) -> None:
        with self._lock:
            for memo, key in ((self._by_url, checked.url), (self._by_content, checked.content_sha256)):
                if len(memo) >= MEMO_LIMIT:
                    memo.clear()
                memo[key] = checked

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self.loader.close()


def screener_of(context: Context) -> Screener:
    """The context's Screener (tests may set `extras["screener"]`), built once per context."""
    with _lock:
        found = context.extras.get("screener")
        if found is None:
            loader = ImageLoader(
                allow_private=context.allow_private_images, draft=DRAFT, mounts=context.mounts
            )
            found = context.extras["screener"] = Screener(context.engine, loader)
    assert isinstance(found, Screener)
    return found


_lock = threading.Lock()


def shown(url: str) -> str:
    """An image URL as a seller or a log may see it: no credentials, query or fragment."""
    return redact(url)
