"""`Screener`: a worker's listing-image checker, kept for the life of the process.

It holds the brand index (reloaded when brands change, see `workers.brands.BrandIndex`), an image loader, a
few fetch threads and `processes` helper processes that decode and fingerprint (CPU work that would otherwise
compete with the pushes for the worker's interpreter; 0 does it in the fetch threads). `screen(urls)` answers
every URL from the store's `image_checks` when it can, fetches and fingerprints the others (each URL once at
a time per process, however many batches ask for it), and keeps what it learnt in the store for every worker.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import multiprocessing
import threading
from collections.abc import Iterable
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from sqlalchemy import Engine

from fingerprints import DRAFT, FetchError, ImageError, ImageLoader
from fingerprints.encoded import fingerprint_encoded
from fingerprints.fetching import redact
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

    def __init__(
        self, engine: Engine, loader: ImageLoader, index: BrandIndex | None = None, *, processes: int = 0
    ) -> None:
        self.engine = engine
        self.loader = loader
        self.index = index if index is not None else BrandIndex(engine)
        self._pool = ThreadPoolExecutor(FETCH_THREADS, thread_name_prefix="image-check")
        # spawn: forking a process whose threads hold locks (the broker's, the store's) is not safe
        self._helpers = (
            ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn"))
            if processes > 0
            else None
        )
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
        # A few at a time: the fetch threads are shared, and a 10,000-image batch must not queue the
        # five images of the next TOP batch behind all of its own.
        for start in range(0, len(missing), FETCH_THREADS):
            part = missing[start : start + FETCH_THREADS]
            for url, outcome in zip(part, self._pool.map(self._once, part), strict=True):
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
            prints, problem = self._fingerprint(data, label)
            if prints is None:
                return Unchecked(url, problem, transient=False)
            checked = CheckedImage(url, content, prints, -1, (), utcnow())
        checked = dataclasses.replace(checked, url=url, checked_at=utcnow())
        checked = checked.rematched(snapshot.matcher, snapshot.generation)
        self._remember(checked)
        return checked

    def _fingerprint(self, data: bytes, label: str) -> tuple[bytes | None, str]:
        args = (data, label, self.loader.max_pixels, self.loader.draft)
        helpers = self._helpers
        if helpers is not None:
            try:
                return helpers.submit(fingerprint_encoded, *args).result()
            except BrokenProcessPool:  # a helper died (killed, out of memory): carry on without them
                logger.warning("image fingerprinting helpers stopped; fingerprinting in the worker instead")
                self._helpers = None
        return fingerprint_encoded(*args)

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
        if self._helpers is not None:
            self._helpers.shutdown(wait=True)
        self.loader.close()


def screener_of(context: Context) -> Screener:
    """The context's Screener (tests may set `extras["screener"]`), built once per context."""
    with _lock:
        found = context.extras.get("screener")
        if found is None:
            loader = ImageLoader(
                allow_private=context.allow_private_images, draft=DRAFT, mounts=context.mounts
            )
            found = context.extras["screener"] = Screener(
                context.engine, loader, processes=context.check_processes
            )
    assert isinstance(found, Screener)
    return found


_lock = threading.Lock()


def shown(url: str) -> str:
    """An image URL as a seller or a log may see it: no credentials, query or fragment."""
    return redact(url)
